import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `fn` in one IMMEDIATE transaction of `db` and commits; rolls back if it throws. A commit
 * that fails may already have ended the transaction (SQLite rolls back on some errors): then the
 * error is the commit's own, not a failed ROLLBACK's.
 */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
