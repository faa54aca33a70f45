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

test("wrapped keys: each record's own, replaced, removed; none for an unknown record", async (t) => {
  const db = openNodeDatabase(path.join(await tempDir(t), 'node.sqlite'));
  t.after(() => db.close());
  const catalog = new RecordCatalog(db, new Outbox(db));
  catalog.addMany([record(30), record(31)]);
  const [a, b] = [hex(30, 32), hex(31, 32)];
  const reader = hex(7, 20);
  assert.deepEqual(catalog.wrappedKey(a, hex(1, 20)), new Uint8Array([30]));
  assert.deepEqual(catalog.wrappedKey(b, hex(1, 20)), new Uint8Array([31]));
  catalog.putWrappedKey(a, reader, new Uint8Array([1]));
  catalog.putWrappedKey(a, reader, new Uint8Array([2]));
  assert.deepEqual(catalog.wrappedKey(a, reader), new Uint8Array([2]), 'replaced');
  assert.equal(catalog.wrappedKey(b, reader), undefined, "another record's key is not this one's");
  assert.deepEqual(catalog.recipients(a), [hex(1, 20), reader]);
  assert.equal(catalog.deleteWrappedKey(a, reader), true);
  assert.equal(catalog.deleteWrappedKey(a, reader), false);
  assert.deepEqual(catalog.recipients(a), [hex(1, 20)]);
  catalog.putWrappedKey(hex(99, 32), reader, new Uint8Array([3]));
  assert.equal(catalog.wrappedKey(hex(99, 32), reader), undefined);
  assert.deepEqual(catalog.recipients(hex(99, 32)), []);
});

test('a database with keys by record id (wrapped_keys) has them moved under each record, at open', async (t) => {
  const file = path.join(await tempDir(t), 'node.sqlite');
  const before = openNodeDatabase(file);
  new RecordCatalog(before, new Outbox(before)).addMany([record(40), record(41)]);
  // As a node before record_keys kept them.
  before.exec(`CREATE TABLE wrapped_keys (
    record_id TEXT NOT NULL, recipient TEXT NOT NULL, wrapped_key BLOB NOT NULL,
    PRIMARY KEY (record_id, recipient)) STRICT, WITHOUT ROWID;
    DELETE FROM record_keys;`);
  const insert = before.prepare('INSERT INTO wrapped_keys VALUES (?, ?, ?)');
  insert.run(hex(40, 32), hex(1, 20), new Uint8Array([40]));
  insert.run(hex(40, 32), hex(7, 20), new Uint8Array([47]));
  insert.run(hex(41, 32), hex(1, 20), new Uint8Array([41]));
  before.close();

  const db = openNodeDatabase(file);
  t.after(() => db.close());
  const catalog = new RecordCatalog(db, new Outbox(db));
  assert.deepEqual(catalog.recipients(hex(40, 32)), [hex(1, 20), hex(7, 20)]);
  assert.deepEqual(catalog.wrappedKey(hex(40, 32), hex(7, 20)), new Uint8Array([47]));
  assert.deepEqual(catalog.wrappedKey(hex(41, 32), hex(1, 20)), new Uint8Array([41]));
  const old = db.prepare("SELECT name FROM sqlite_master WHERE name = 'wrapped_keys'").get();
  assert.equal(old, undefined, 'the old table is gone');
});
