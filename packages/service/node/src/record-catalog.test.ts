import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../test/helpers.ts';
import { openNodeDatabase } from './open-node-database.ts';
import { Outbox } from './outbox.ts';
import type { Hex } from './ports.ts';
import { type NewRecord, RecordCatalog } from './record-catalog.ts';

const hex = (n: number, bytes: number): Hex => `0x${n.toString(16).padStart(2 * bytes, '0')}`;

function record(n: number, metadata?: Uint8Array): NewRecord {
  const id = hex(n, 32);
  return {
    recordId: id.toUpperCase().replace('0X', '0x') as Hex, // stored and answered in lower case
    patient: hex(1, 20),
    creator: hex(2, 20),
    category: hex(3, 32),
    cid: `bafk-${n}`,
    size: 100 + n,
    ...(metadata && { metadata }),
    wrappedKeys: [{ recipient: hex(1, 20), wrappedKey: new Uint8Array([n]) }],
    entry: {
      recordId: id,
      patient: hex(1, 20),
      creator: hex(2, 20),
      contentRoot: hex(4, 32),
      metadataHash: hex(5, 32),
      category: hex(3, 32),
      supersedes: hex(0, 32),
      nonce: '1',
      signedAt: '1700000000',
      signature: '0x',
    },
  };
}

test('addMany answers exactly what get reads back; a known id refuses the whole batch', async (t) => {
  const db = openNodeDatabase(path.join(await tempDir(t), 'node.sqlite'));
  t.after(() => db.close());
  const catalog = new RecordCatalog(db, new Outbox(db));
  const added = catalog.addMany(
    [record(10, Buffer.from('metadata envelope')), record(11), record(12, new Uint8Array(0))],
    1_700_000_000_123,
  );
  for (const meta of added) {
    assert.equal(catalog.has(meta.recordId), true);
    assert.deepEqual(meta, catalog.get(meta.recordId));
  }
  assert.equal(catalog.has(hex(99, 32)), false);
  assert.throws(() => catalog.addMany([record(13), record(11)]), { name: 'RecordExistsError' });
  assert.equal(catalog.has(hex(13, 32)), false, 'nothing of the refused batch is stored');
});

test('known answers which of a batch of ids are stored, in one query', async (t) => {
  const db = openNodeDatabase(path.join(await tempDir(t), 'node.sqlite'));
  t.after(() => db.close());
  const catalog = new RecordCatalog(db, new Outbox(db));
  assert.deepEqual(catalog.known([hex(20, 32), hex(21, 32)]), new Set());
  catalog.addMany([record(20), record(22)]);
  assert.deepEqual(
    catalog.known([hex(20, 32), hex(21, 32), hex(22, 32)]),
    new Set([hex(20, 32), hex(22, 32)]),
  );
  assert.deepEqual(catalog.known([]), new Set());
});
