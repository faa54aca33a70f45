import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../test/helpers.ts';
import { AuditJournal } from './audit-journal.ts';
import { AuditJournalThread } from './audit-journal-thread.ts';
import { openNodeDatabase } from './open-node-database.ts';
import { Outbox } from './outbox.ts';
import type { Hex } from './ports.ts';

const hex = (n: number, bytes: number) => `0x${n.toString(16).padStart(bytes * 2, '0')}` as Hex;
const release = (n: number) => ({
  recordId: hex(n + 1, 32),
  patient: hex(1, 20),
  reader: hex(2, 20),
  purpose: hex(3, 32),
});

test('concurrent appends share one transaction, each resolves once durable, and each has its audit intent', async (t) => {
  const file = path.join(await tempDir(t), 'node.sqlite');
  const db = openNodeDatabase(file);
  const outbox = new Outbox(db);
  const journal = new AuditJournal(db, outbox);
  // Count commits of the journal's group: SQLite's total_changes cannot tell, so watch COMMITs.
  let commits = 0;
  const exec = db.exec.bind(db);
  db.exec = (sql: string) => {
    if (sql === 'COMMIT') commits++;
    return exec(sql);
  };
  const rows = await Promise.all(
    Array.from({ length: 300 }, (_, i) => journal.append(release(i), 1_700_000_000_123 + i)),
  );
  assert.equal(commits, 1, '300 appends in one turn of the event loop are one transaction');
  assert.equal(new Set(rows.map((r) => r.id)).size, 300);
  assert.equal(rows[5]?.releasedAt, 1_700_000_000, 'releasedAt is in Unix seconds');
  db.close();

  // Reopened: every acknowledged entry and its outbox intent are there.
  const again = openNodeDatabase(file);
  t.after(() => again.close());
  const reopened = new AuditJournal(again, new Outbox(again));
  const listed = reopened.list(hex(1, 20), 0, 1000);
  assert.equal(listed.length, 300);
  assert.deepEqual(listed[7], rows[7]);
  assert.equal(new Outbox(again).depth().pending, 300);
  assert.deepEqual(
    new Outbox(again).payloadOf(new Outbox(again).getByKey(`audit:${rows[9]?.id}`)?.id ?? 0),
    {
      ...release(9),
      releasedAt: 1_700_000_000,
    },
  );
});

test('a group that cannot be written rejects every append in it, and nothing of it is kept', async (t) => {
  const db = openNodeDatabase(path.join(await tempDir(t), 'node.sqlite'));
  t.after(() => db.close());
  const outbox = new Outbox(db);
  const journal = new AuditJournal(db, outbox);
  // The journal's table is gone (a disk or schema failure stands in): the whole group fails.
  db.exec('ALTER TABLE audit_entries RENAME TO gone');
  const results = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) => journal.append(release(i))),
  );
  assert.ok(results.every((r) => r.status === 'rejected'));
  db.exec('ALTER TABLE gone RENAME TO audit_entries');
  assert.equal(outbox.depth().pending, 0);
  assert.equal((await journal.append(release(1))).id, 1);
});

test('in a worker thread: appends resolve once committed on its own connection, visible to the main one', async (t) => {
  const file = path.join(await tempDir(t), 'node.sqlite');
  const db = openNodeDatabase(file);
  t.after(() => db.close());
  const outbox = new Outbox(db);
  const journal = new AuditJournalThread(file, db, outbox);
  const rows = await Promise.all(
    Array.from({ length: 300 }, (_, i) => journal.append(release(i), 1_700_000_000_000 + i)),
  );
  assert.equal(new Set(rows.map((r) => r.id)).size, 300);
  // Read through the main connection: everything acknowledged is there, with its audit intent.
  assert.equal(journal.list(hex(1, 20), 0, 1000).length, 300);
  assert.equal(outbox.depth().pending, 300);
  const late = journal.append(release(999));
  await journal.close();
  assert.equal((await late).recordId, release(999).recordId, 'close lets appends in flight commit');
  await assert.rejects(journal.append(release(1000)), { name: 'AuditWriteError' });
});
