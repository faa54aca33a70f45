import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { SMALL_BLOCK_FILE, SmallBlockTable } from './small-block-table.ts';

const key = (n: number) => new Uint8Array(34).fill(n);
const bytes = (n: number) => new Uint8Array(1000).fill(n);

async function tempTable(t: import('node:test').TestContext) {
  const dir = await mkdtemp(path.join(tmpdir(), 'aegle-small-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, SMALL_BLOCK_FILE);
}

/** What another process would find in the file: committed rows only. */
function committedRows(file: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return Number((db.prepare('SELECT count(*) AS n FROM blocks').get() as { n: number }).n);
  } finally {
    db.close();
  }
}

test('staged blocks are readable at once and committed by flush; a reopened table has them', async (t) => {
  const file = await tempTable(t);
  const table = new SmallBlockTable(file);
  table.stage(key(1), bytes(1));
  table.stage(key(2), bytes(2));
  assert.deepEqual(table.read(key(1)), bytes(1));
  assert.equal(table.has(key(2)), true);
  assert.equal(committedRows(file), 0, 'staged rows are not in the file yet');
  await table.flush();
  assert.equal(committedRows(file), 2);
  assert.ok(existsSync(`${file}-wal`), 'the commit went to the WAL that flush syncs');
  await table.write(key(3), bytes(3));
  assert.equal(committedRows(file), 3);
  await table.close();
  const reopened = new SmallBlockTable(file);
  t.after(() => reopened.close());
  for (const n of [1, 2, 3]) assert.deepEqual(reopened.read(key(n)), bytes(n));
});

test("a flush with nothing staged waits for the sync of another flush's commit, which may hold its blocks", async (t) => {
  const file = await tempTable(t);
  const table = new SmallBlockTable(file);
  t.after(() => table.close());
  // Two writers stage into the one table; the first flush commits both writers' blocks.
  table.stage(key(1), bytes(1));
  table.stage(key(2), bytes(2));
  const order: string[] = [];
  const first = table.flush().then(() => order.push('first'));
  // The second writer's blocks are committed already, but their sync is still running: its
  // flush must not resolve before the first one's (it would, were it to return at once).
  const second = table.flush().then(() => order.push('second'));
  assert.equal(committedRows(file), 2);
  await Promise.all([first, second]);
  assert.deepEqual(order, ['first', 'second']);
});

test('close commits what is still staged', async (t) => {
  const file = await tempTable(t);
  const table = new SmallBlockTable(file);
  table.stage(key(5), bytes(5));
  await table.close();
  assert.equal(committedRows(file), 1);
});
