import type { DatabaseSync } from 'node:sqlite';
import type { Hex } from 'viem';
import { BatchMismatchError } from '../errors.ts';
import { recordBatchRoot, recordBatchRootOfLeaves } from '../record-batch.ts';
import type { RecordEntry } from '../record-entry.ts';
import { clampTime } from './apply-logs.ts';
import { bumpPermissionsEpoch, inTransaction } from './schema.ts';
import { statement } from './statement.ts';

/**
 * Add a batch's entries (its content-addressed list) to the index, after checking that they
 * rebuild the root committed on chain. Returns false if the batch is not (or no longer) indexed.
 * `leaves`, when given, are the entries' leaves as the caller computed them from these entries
 * (a node's own batch: its outbox kept the tree it built): they are checked against the root,
 * not hashed again from the entries.
 */
export function loadBatchEntries(
  db: DatabaseSync,
  batchId: bigint | number,
  entries: readonly RecordEntry[],
  leaves?: readonly Hex[],
): boolean {
  const id = Number(batchId);
  const batch = statement(
    db,
    'SELECT root, entry_count, entries_loaded, block_number FROM batches WHERE batch_id = ?',
  ).get(id) as
    | { root: string; entry_count: number; entries_loaded: number; block_number: number }
    | undefined;
  if (!batch) return false;
  if (batch.entries_loaded) return true;
  const built = leaves ? recordBatchRootOfLeaves(leaves) : recordBatchRoot(entries);
  if (
    built.root.toLowerCase() !== batch.root ||
    entries.length !== batch.entry_count ||
    built.leaves.length !== entries.length
  ) {
    throw new BatchMismatchError(
      `the entry list given for batch ${id} does not match its on-chain root`,
      {
        hint: 'fetch the list by the CID emitted with the batch; a node that committed a different list is at fault',
      },
    );
  }
  inTransaction(db, () => {
    const insert = statement(
      db,
      `INSERT OR IGNORE INTO batch_entries (batch_id, leaf, record_id, patient, creator, content_root,
       metadata_hash, category, supersedes, nonce, signed_at, signature, block_number)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    entries.forEach((e, i) => {
      insert.run(
        id,
        (built.leaves[i] as string).toLowerCase(),
        e.recordId.toLowerCase(),
        e.patient.toLowerCase(),
        e.creator.toLowerCase(),
        e.contentRoot.toLowerCase(),
        e.metadataHash.toLowerCase(),
        e.category.toLowerCase(),
        e.supersedes.toLowerCase(),
        e.nonce.toString(),
        clampTime(e.signedAt),
        e.signature.toLowerCase(),
        batch.block_number,
      );
    });
    statement(db, 'UPDATE batches SET entries_loaded = 1 WHERE batch_id = ?').run(id);
    bumpPermissionsEpoch(db);
  });
  return true;
}
