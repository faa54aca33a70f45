import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { CHECKPOINT_EVERY_MS } from './storage-worker.ts';
import { checkpointInBackground } from './wal-checkpointer.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function openWal(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)');
  return db;
}

/** Commits `pages` 4 KiB rows, one transaction each (each commit appends to the WAL). */
function write(db: DatabaseSync, pages: number, from: number): void {
  const insert = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
  for (let i = 0; i < pages; i++) insert.run(from + i, new Uint8Array(4000).fill(i % 251));
}

test('the worker copies committed pages into the database between commits, not inside them', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'aegle-wal-'));
  const file = path.join(dir, 'db.sqlite');
  try {
    const db = openWal(file);
    const checkpoints = checkpointInBackground(db, file);
    assert.equal(
      (db.prepare('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number })
        .wal_autocheckpoint,
      16_384,
      'the writer checkpoints only as a fallback',
    );
    const before = statSync(file).size;
    // 300 pages: below SQLite's default autocheckpoint (1,000), so only the worker copies them.
    write(db, 300, 0);
    const deadline = Date.now() + 5_000;
    while (statSync(file).size < before + 300 * 4096 && Date.now() < deadline) {
      await sleep(CHECKPOINT_EVERY_MS);
    }
    assert.ok(statSync(file).size >= before + 300 * 4096, 'the pages reached the database file');
    write(db, 10, 300);
    await checkpoints.release();
    await checkpoints.release(); // idempotent
    db.close();
    // The writer's close was the last: it checkpointed and removed the WAL.
    assert.equal(existsSync(`${file}-wal`), false);
    const reopened = openWal(file);
    assert.equal((reopened.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 310);
    reopened.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a database the worker cannot open keeps its own checkpoints, and release still resolves', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'aegle-wal-'));
  try {
    const db = new DatabaseSync(':memory:');
    const checkpoints = checkpointInBackground(db, path.join(dir, 'missing', 'db.sqlite'));
    await checkpoints.release();
    db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
