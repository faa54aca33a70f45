import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { statement } from './statement.ts';

/**
 * The index is event-sourced: every table is a log of decoded contract events (or rows derived
 * from one event), each keyed by the block that produced it. Current state is the latest row per
 * key, computed at query time. A reorg is undone by deleting every row above the common
 * ancestor: no undo log needed, and a rollback cannot leave state half-derived.
 * Addresses and bytes32 values are lowercase 0x-hex. Times are unix seconds; uint64 expiries above
 * 2^53 - 1 are stored clamped to it (never, for any real clock).
 */
export const INDEX_SCHEMA_VERSION = 1;

const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

-- Blocks the index depends on: every block that carried an indexed event, and the end of every
-- synced range (the cursor). Their hashes are how a reorg is detected and its depth found.
CREATE TABLE IF NOT EXISTS blocks (
  number INTEGER PRIMARY KEY, hash TEXT NOT NULL, timestamp INTEGER NOT NULL,
  has_events INTEGER NOT NULL
) STRICT;

CREATE TABLE IF NOT EXISTS accounts (
  account TEXT PRIMARY KEY, role INTEGER NOT NULL, encryption_key TEXT NOT NULL,
  registered_at INTEGER NOT NULL, block_number INTEGER NOT NULL, log_index INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS key_rotations (
  account TEXT NOT NULL, encryption_key TEXT NOT NULL, by TEXT NOT NULL,
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)
) STRICT;
CREATE INDEX IF NOT EXISTS key_rotations_account ON key_rotations (account, block_number, log_index);
CREATE TABLE IF NOT EXISTS guardian_events (
  patient TEXT NOT NULL, guardian TEXT NOT NULL, since INTEGER NOT NULL,
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)
) STRICT;
CREATE INDEX IF NOT EXISTS guardian_events_patient ON guardian_events (patient, block_number, log_index);
CREATE TABLE IF NOT EXISTS role_events (
  role TEXT NOT NULL, account TEXT NOT NULL, granted INTEGER NOT NULL, sender TEXT NOT NULL,
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)
) STRICT;
CREATE INDEX IF NOT EXISTS role_events_key ON role_events (role, account, block_number, log_index);

CREATE TABLE IF NOT EXISTS certificates (
  subject TEXT NOT NULL, credential_hash TEXT NOT NULL, issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, issuer TEXT NOT NULL,
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)
) STRICT;
CREATE INDEX IF NOT EXISTS certificates_subject ON certificates (subject, block_number, log_index);
CREATE TABLE IF NOT EXISTS certificate_revocations (
  subject TEXT NOT NULL, by TEXT NOT NULL, revoked_at INTEGER NOT NULL,
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)
) STRICT;
CREATE INDEX IF NOT EXISTS certificate_revocations_subject ON certificate_revocations (subject, block_number, log_index);

CREATE TABLE IF NOT EXISTS direct_anchors (
  record_id TEXT PRIMARY KEY, patient TEXT NOT NULL, creator TEXT NOT NULL,
  content_root TEXT NOT NULL, metadata_hash TEXT NOT NULL, category TEXT NOT NULL,
  supersedes TEXT NOT NULL, signed_at INTEGER NOT NULL,
  after_batch INTEGER NOT NULL, -- batches that existed when it landed: orders it against batches
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS direct_anchors_patient ON direct_anchors (patient);
CREATE INDEX IF NOT EXISTS direct_anchors_block ON direct_anchors (block_number);
CREATE TABLE IF NOT EXISTS batches (
  batch_id INTEGER PRIMARY KEY, root TEXT NOT NULL, node TEXT NOT NULL, entry_count INTEGER NOT NULL,
  cid TEXT NOT NULL, committed_at INTEGER NOT NULL,
  entries_loaded INTEGER NOT NULL DEFAULT 0, -- 1 once the entry list was fetched and matched the root
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS batches_block ON batches (block_number);
-- Entries of a batch, from its content-addressed list; they share the batch's block_number so a
-- rollback of the batch removes them too.
CREATE TABLE IF NOT EXISTS batch_entries (
  batch_id INTEGER NOT NULL, leaf TEXT NOT NULL, record_id TEXT NOT NULL, patient TEXT NOT NULL,
  creator TEXT NOT NULL, content_root TEXT NOT NULL, metadata_hash TEXT NOT NULL,
  category TEXT NOT NULL, supersedes TEXT NOT NULL, nonce TEXT NOT NULL, signed_at INTEGER NOT NULL,
  signature TEXT NOT NULL, block_number INTEGER NOT NULL, PRIMARY KEY (batch_id, leaf)
) STRICT;
CREATE INDEX IF NOT EXISTS batch_entries_record ON batch_entries (record_id);
CREATE INDEX IF NOT EXISTS batch_entries_patient ON batch_entries (patient);
CREATE INDEX IF NOT EXISTS batch_entries_block ON batch_entries (block_number);
CREATE TABLE IF NOT EXISTS invalidations (
  batch_id INTEGER NOT NULL, leaf TEXT NOT NULL, record_id TEXT NOT NULL, fault INTEGER NOT NULL,
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)
) STRICT;
CREATE INDEX IF NOT EXISTS invalidations_entry ON invalidations (batch_id, leaf);
CREATE INDEX IF NOT EXISTS invalidations_record ON invalidations (record_id);
CREATE TABLE IF NOT EXISTS node_faults (
  node TEXT NOT NULL, batch_id INTEGER NOT NULL, leaf TEXT NOT NULL, fault INTEGER NOT NULL,
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)
) STRICT;

-- scope 0 = one record (target = record id), 1 = a category (target = category).
CREATE TABLE IF NOT EXISTS consent_events (
  patient TEXT NOT NULL, grantee TEXT NOT NULL, scope INTEGER NOT NULL, target TEXT NOT NULL,
  granted INTEGER NOT NULL, purpose TEXT, expires_at INTEGER, by TEXT NOT NULL,
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (block_number, log_index)
) STRICT;
CREATE INDEX IF NOT EXISTS consent_events_key ON consent_events (patient, grantee, scope, target, block_number, log_index);
CREATE INDEX IF NOT EXISTS consent_events_grantee ON consent_events (grantee);

CREATE TABLE IF NOT EXISTS audit_commits (
  commit_id INTEGER PRIMARY KEY, root TEXT NOT NULL, node TEXT NOT NULL, entry_count INTEGER NOT NULL,
  cid TEXT NOT NULL, committed_at INTEGER NOT NULL,
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS audit_commits_block ON audit_commits (block_number);
`;

/** Tables whose rows are deleted above the common ancestor on a reorg. */
export const eventTables = [
  'accounts',
  'key_rotations',
  'guardian_events',
  'role_events',
  'certificates',
  'certificate_revocations',
  'direct_anchors',
  'batches',
  'batch_entries',
  'invalidations',
  'node_faults',
  'consent_events',
  'audit_commits',
] as const;

/** Where a node keeps its index: `<dataDir>/chain/index.sqlite` (a cache: deleting it rebuilds it from the chain). */
export function indexDatabasePath(dataDir: string): string {
  return join(dataDir, 'chain', 'index.sqlite');
}

/** Open (creating if needed) the node-local index database, in WAL mode. */
export function openIndexDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
  db.exec(schema);
  return db;
}

/** Run `fn` in one write transaction; rolled back if it throws. */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

export function getMeta(db: DatabaseSync, key: string): string | undefined {
  const row = statement(db, 'SELECT value FROM meta WHERE key = ?').get(key) as
    | { value: string }
    | undefined;
  return row?.value;
}

export function setMeta(db: DatabaseSync, key: string, value: string): void {
  statement(
    db,
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}

/**
 * A counter the indexer bumps, in the same transaction, with every change that can change a read
 * or write decision: any event but an audit commit, a batch's entries loaded, a rollback. A cache
 * of decisions keyed by it stays valid exactly as long as the counter does; audit commits, which
 * arrive with every few reads under load, and new blocks do not end it (time is the cache's own
 * business: it keeps each decision only until the grant it rests on ends).
 */
export function bumpPermissionsEpoch(db: DatabaseSync): void {
  setMeta(db, PERMISSIONS_EPOCH, String(permissionsEpoch(db) + 1));
}

export function permissionsEpoch(db: DatabaseSync): number {
  return permissionsEpochReader(db)();
}

/** `permissionsEpoch` with its statement prepared once: for a check on every request. */
export function permissionsEpochReader(db: DatabaseSync): () => number {
  const read = statement(db, 'SELECT value FROM meta WHERE key = ?');
  return () => Number((read.get(PERMISSIONS_EPOCH) as { value: string } | undefined)?.value ?? 0);
}

const PERMISSIONS_EPOCH = 'permissions_epoch';
