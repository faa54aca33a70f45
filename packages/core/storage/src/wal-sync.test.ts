import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { WalSync, withoutFsync } from './wal-sync.ts';

test('afterCommit syncs the WAL of a NORMAL commit; with no WAL yet it fails, and a later commit tries again', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'aegle-walsync-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'db.sqlite');
  const sync = new WalSync(file);
  // Nothing committed yet: there is no WAL to sync, and saying otherwise would be a lie.
  await assert.rejects(sync.afterCommit(), { code: 'ENOENT' });
  await assert.rejects(sync.latest(), { code: 'ENOENT' });
  const db = new DatabaseSync(file);
  t.after(() => db.close());
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
  db.exec('CREATE TABLE t (v INTEGER)');
  db.exec('INSERT INTO t VALUES (1)');
  await sync.afterCommit();
  // The same sync answers a caller whose rows that commit wrote.
  await sync.latest();
  db.exec('INSERT INTO t VALUES (2)');
  const second = sync.afterCommit();
  assert.equal(sync.latest(), second);
  await second;
  await sync.close();
  // Closed: the next commit opens the WAL again.
  db.exec('INSERT INTO t VALUES (3)');
  await sync.afterCommit();
  await sync.close();
});

test('withoutFsync runs inside a transaction too (SQLite refuses the pragma there), and restores FULL', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'aegle-walsync-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const db = new DatabaseSync(path.join(dir, 'db.sqlite'));
  t.after(() => db.close());
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
  const level = () =>
    Number((db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous);
  assert.equal(withoutFsync(db, level), 1); // NORMAL
  assert.equal(level(), 2); // FULL again
  db.exec('BEGIN IMMEDIATE');
  assert.equal(
    withoutFsync(db, () => 'ran'),
    'ran',
  );
  db.exec('COMMIT');
  assert.equal(level(), 2);
});
