import { DatabaseSync } from 'node:sqlite';
import { transaction } from '@aegle/storage';

/*
 * The node's own state, in one SQLite file (node.sqlite) beside the ObjectStore's objects.sqlite.
 * WAL so readers never wait on the writer; synchronous = FULL so a committed transaction is on
 * disk before the API acknowledges anything that depends on it.
 *
 *   siwe_nonces     single-use sign-in nonces, deleted when used or expired
 *   sessions        sha256(token) → address and expiry; the token itself is never stored
 *   records         one row per record: ids, patient, creator, category, CID, size, signed entry,
 *                   the client-encrypted metadata envelope (opaque bytes)
 *   uploads         ciphertext streamed (POST /uploads) but not yet committed: a row exists from
 *                   before the first byte is stored ('streaming') until the commit or expiry, so a
 *                   restarted node can delete what a crash or an abandoned upload left behind
 *   record_keys     the record's data key wrapped for one recipient (opaque bytes), filed under
 *                   the record's seq: a new record's keys are appended at the end of the table,
 *                   where keyed by its random record id each went to a page of its own, one more
 *                   page for every record's commit to write (wrapped_keys, until migrated below)
 *   audit_entries   releases to non-patients, written before the first byte goes out
 *   outbox          every on-chain intent, with its idempotency key; once grouped, its batch
 *                   and its places in the batch (entry order, leaf position in the tree)
 *   outbox_batches  one chain transaction each: state, tx hash, attempts, backoff, Merkle root,
 *                   the tree's node hashes (32 bytes each, for proofs), entry-list CID, receipt
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS siwe_nonces (
  nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
  token_hash BLOB PRIMARY KEY, address TEXT NOT NULL, created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY, record_id TEXT NOT NULL UNIQUE, patient TEXT NOT NULL,
  creator TEXT NOT NULL, category TEXT NOT NULL, cid TEXT NOT NULL, size INTEGER NOT NULL,
  entry TEXT NOT NULL, created_at INTEGER NOT NULL, metadata BLOB) STRICT;
CREATE INDEX IF NOT EXISTS records_by_patient ON records (patient, seq);
CREATE INDEX IF NOT EXISTS records_by_cid ON records (patient, cid);
CREATE TABLE IF NOT EXISTS uploads (
  id TEXT PRIMARY KEY, caller TEXT NOT NULL, patient TEXT NOT NULL, category TEXT,
  state TEXT NOT NULL, cid TEXT, content_root TEXT, size INTEGER NOT NULL,
  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uploads_by_expiry ON uploads (expires_at);
CREATE TABLE IF NOT EXISTS record_keys (
  record_seq INTEGER NOT NULL, recipient TEXT NOT NULL, wrapped_key BLOB NOT NULL,
  PRIMARY KEY (record_seq, recipient)) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_entries (
  id INTEGER PRIMARY KEY, record_id TEXT NOT NULL, patient TEXT NOT NULL, reader TEXT NOT NULL,
  purpose TEXT NOT NULL, released_at INTEGER NOT NULL) STRICT;
CREATE INDEX IF NOT EXISTS audit_by_patient ON audit_entries (patient, id);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY, idem_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
  payload TEXT NOT NULL, batch_id INTEGER, leaf_index INTEGER, tree_index INTEGER,
  created_at INTEGER NOT NULL) STRICT;
CREATE INDEX IF NOT EXISTS outbox_unbatched ON outbox (kind, id) WHERE batch_id IS NULL;
CREATE INDEX IF NOT EXISTS outbox_by_batch ON outbox (batch_id);
CREATE TABLE IF NOT EXISTS outbox_batches (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, tx_hash TEXT,
  last_error TEXT, root TEXT, entry_count INTEGER NOT NULL, cid TEXT, tree BLOB, receipt TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) STRICT;
CREATE INDEX IF NOT EXISTS outbox_batches_open ON outbox_batches (next_attempt_at)
  WHERE state IN ('pending', 'submitted');
CREATE INDEX IF NOT EXISTS outbox_batches_by_state ON outbox_batches (state);
CREATE INDEX IF NOT EXISTS outbox_batches_by_root ON outbox_batches (root);
`;

/** Opens (creating if needed) the node's database with the durability settings above. */
export function openNodeDatabase(file: string): DatabaseSync {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
  db.exec(SCHEMA);
  migrateWrappedKeys(db);
  return db;
}

/**
 * A database from before record_keys keeps its keys in wrapped_keys, by record id: they move to
 * record_keys, under each record's seq, and wrapped_keys is dropped, in one transaction (a crash
 * leaves the old table, moved again at the next open).
 */
function migrateWrappedKeys(db: DatabaseSync): void {
  const old = db
    .prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'wrapped_keys'")
    .get();
  if (!old) return;
  transaction(db, () => {
    db.exec(`INSERT OR REPLACE INTO record_keys (record_seq, recipient, wrapped_key)
             SELECT r.seq, w.recipient, w.wrapped_key FROM wrapped_keys w
             JOIN records r ON r.record_id = w.record_id;
             DROP TABLE wrapped_keys;`);
  });
}
