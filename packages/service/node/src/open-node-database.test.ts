import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../test/helpers.ts';
import { openNodeDatabase, transaction, withoutFsync } from './open-node-database.ts';

test('withoutFsync runs inside a transaction too (SQLite refuses the pragma there), and restores FULL', async (t) => {
  const db = openNodeDatabase(path.join(await tempDir(t), 'node.sqlite'));
  t.after(() => db.close());
  const level = () =>
    Number((db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous);
  assert.equal(withoutFsync(db, level), 1); // NORMAL
  assert.equal(level(), 2); // FULL again
  assert.equal(
    transaction(db, () => withoutFsync(db, () => 'ran')),
    'ran',
  );
  assert.equal(level(), 2);
});
