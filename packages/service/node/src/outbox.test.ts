import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { WalSync } from '@aegle/storage';
import { tempDir } from '../test/helpers.ts';
import { openNodeDatabase } from './open-node-database.ts';
import { Outbox } from './outbox.ts';

const merkle = (n: number) => ({
  root: `0x${'ab'.repeat(32)}` as const,
  cid: 'bafkreibatchlist',
  hashes: new Uint8Array(32 * (2 * n - 1)),
  treeIndex: Array.from({ length: n }, (_, i) => n - 1 + i),
});

/** The SQL a connection runs, in order (exec only: the PRAGMAs and transaction statements). */
function watchExec(db: ReturnType<typeof openNodeDatabase>): string[] {
  const seen: string[] = [];
  const exec = db.exec.bind(db);
  db.exec = (sql: string) => {
    seen.push(sql);
    return exec(sql);
  };
  return seen;
}

test('createBatch with a WalSync commits without an fsync of its own and resolves only once the WAL is synced', async (t) => {
  const file = path.join(await tempDir(t), 'node.sqlite');
  const db = openNodeDatabase(file);
  const real = new WalSync(file);
  t.after(async () => {
    await real.close();
    db.close();
  });
  // The real sync, then held until the test lets it go: as if the disk were slow.
  let release: (() => void) | undefined;
  const walSync = {
    afterCommit: async () => {
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      await real.afterCommit();
      await held;
    },
  } as unknown as WalSync;
  const outbox = new Outbox(db, { walSync });
  for (let i = 0; i < 3; i++) outbox.append('anchor', `anchor:${i}`, { i });
  const intents = outbox.unbatched('anchor', 10);
  const exec = watchExec(db);

  let resolved = false;
  const creating = outbox.createBatch('anchor', intents, merkle(3), 1_000);
  creating.then(() => {
    resolved = true;
  });
  assert.ok(exec.includes('PRAGMA synchronous = NORMAL'), 'committed with synchronous = NORMAL');
  assert.equal(exec.at(-1), 'PRAGMA synchronous = FULL', 'the connection is FULL again');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(resolved, false, 'resolved before its WAL sync returned');
  assert.ok(release, 'the WAL sync was started after the commit');
  release?.();
  const id = await creating;
  assert.equal(outbox.batch(id)?.entryCount, 3);
  assert.equal(outbox.batch(id)?.state, 'pending');
  assert.equal(outbox.unbatched('anchor', 10).length, 0, 'every intent is in the batch');
});

test('createBatch without a WalSync fsyncs inside its commit (synchronous = FULL)', async (t) => {
  const file = path.join(await tempDir(t), 'node.sqlite');
  const db = openNodeDatabase(file);
  t.after(() => db.close());
  const outbox = new Outbox(db);
  outbox.append('anchor', 'anchor:0', { i: 0 });
  const exec = watchExec(db);
  const id = await outbox.createBatch('anchor', outbox.unbatched('anchor', 10), merkle(1), 1_000);
  assert.deepEqual(exec, ['BEGIN IMMEDIATE', 'COMMIT']);
  assert.equal(
    (db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous,
    2,
    'FULL',
  );
  assert.equal(outbox.batch(id)?.entryCount, 1);
});
