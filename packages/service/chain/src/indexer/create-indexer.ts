import type { DatabaseSync } from 'node:sqlite';
import type { Block, Hex, PublicClient } from 'viem';
import type { AegleDeployment } from '../deployment.ts';
import { IndexerError } from '../errors.ts';
import type { RecordEntry } from '../record-entry.ts';
import { applyLogs, indexedContracts } from './apply-logs.ts';
import { loadBatchEntries } from './load-batch-entries.ts';
import {
  bumpPermissionsEpoch,
  eventTables,
  getMeta,
  INDEX_SCHEMA_VERSION,
  inTransaction,
  setMeta,
} from './schema.ts';
import { statement } from './statement.ts';

export type BatchToResolve = { batchId: bigint; root: Hex; cid: Hex; entryCount: number };

/**
 * A batch's entries with their leaves, for a resolver that has both already (a node resolving its
 * own batches): the leaves are checked against the root, not hashed again (loadBatchEntries).
 */
export type ResolvedBatch = { entries: readonly RecordEntry[]; leaves: readonly Hex[] };

export type IndexerOptions = {
  db: DatabaseSync;
  publicClient: Pick<PublicClient, 'getBlockNumber' | 'getBlock' | 'getLogs'>;
  deployment: AegleDeployment;
  /** Index a block only once this many blocks sit on top of it. Default 0 (index the head). */
  confirmations?: number | undefined;
  /** Largest block range per eth_getLogs call. Default 2000. */
  maxBlockRange?: number | undefined;
  /** Poll interval of start(), in ms. Default 1000. */
  pollIntervalMs?: number | undefined;
  /**
   * Fetch a batch's entry list (the content-addressed object named by its CID). Entries are
   * checked against the on-chain root before they enter the index; undefined means "not yet".
   */
  resolveBatch?:
    | ((batch: BatchToResolve) => Promise<readonly RecordEntry[] | ResolvedBatch | undefined>)
    | undefined;
  /** Errors of the background loop (start()); it keeps polling after them. */
  onError?: ((error: unknown) => void) | undefined;
};

export type SyncResult = {
  /** The last indexed block after this round. */
  cursor: number;
  /** Set when a reorg was found: the block the index was rolled back to. */
  rolledBackTo?: number | undefined;
};

export type Indexer = {
  db: DatabaseSync;
  /** Index everything up to head - confirmations, handling a reorg first. */
  sync(): Promise<SyncResult>;
  /** The last indexed block. */
  cursor(): number;
  /** Poll in the background until stop(). */
  start(): void;
  stop(): Promise<void>;
};

type StoredBlock = { number: number; hash: string; timestamp: number };

/**
 * Follow Aegle's contract events into the node-local SQLite index. The cursor and every indexed
 * row live in the database, so a restarted indexer resumes where it stopped.
 */
export function createIndexer(options: IndexerOptions): Indexer {
  const { db, publicClient, deployment } = options;
  const confirmations = BigInt(options.confirmations ?? 0);
  const maxRange = BigInt(options.maxBlockRange ?? 2000);
  const contracts = indexedContracts(deployment.contracts);
  const addresses = [...contracts.keys()] as Hex[];
  const genesis = deployment.deployedAtBlock - 1; // the cursor before anything is indexed

  checkOwnership(db, deployment);

  const cursor = (): number => Number(getMeta(db, 'cursor') ?? genesis);
  const storedBlock = (n: number) =>
    statement(db, 'SELECT number, hash, timestamp FROM blocks WHERE number = ?').get(n) as
      | StoredBlock
      | undefined;
  const chainHash = async (n: number): Promise<string | undefined> => {
    try {
      return (await publicClient.getBlock({ blockNumber: BigInt(n) })).hash?.toLowerCase();
    } catch {
      return undefined; // beyond the head after a rewind
    }
  };

  /** Walk the stored blocks down to the highest one the chain still agrees with. */
  const findAncestor = async (): Promise<number> => {
    const rows = statement(
      db,
      'SELECT number, hash FROM blocks WHERE number <= ? ORDER BY number DESC',
    ).all(cursor()) as StoredBlock[];
    for (let i = 0; i < rows.length; i += 16) {
      const slice = rows.slice(i, i + 16);
      const hashes = await Promise.all(slice.map((r) => chainHash(r.number)));
      const match = slice.findIndex((r, j) => hashes[j] === r.hash);
      if (match !== -1) return (slice[match] as StoredBlock).number;
    }
    return genesis;
  };

  const rollBack = (ancestor: number) =>
    inTransaction(db, () => {
      for (const table of eventTables) {
        statement(db, `DELETE FROM ${table} WHERE block_number > ?`).run(ancestor);
      }
      statement(db, 'DELETE FROM blocks WHERE number > ?').run(ancestor);
      setMeta(db, 'cursor', String(ancestor));
      bumpPermissionsEpoch(db);
    });

  // One round at a time: the background loop and a caller's sync() must not interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const sync = (): Promise<SyncResult> => {
    const round = queue.then(syncRound, syncRound);
    queue = round.catch(() => {});
    return round;
  };

  const syncRound = async (): Promise<SyncResult> => {
    let rolledBackTo: number | undefined;
    let from = cursor();
    if (from > genesis) {
      const stored = storedBlock(from);
      if (!stored || (await chainHash(from)) !== stored.hash) {
        rolledBackTo = await findAncestor();
        rollBack(rolledBackTo);
        from = rolledBackTo;
      }
    }
    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    const target = head - confirmations;
    while (BigInt(from) < target) {
      const to = BigInt(from) + maxRange < target ? BigInt(from) + maxRange : target;
      const advanced = await indexRange(from, to);
      if (!advanced) break; // the chain moved under us: the next round rolls back first
      from = Number(to);
    }
    await resolvePendingBatches();
    return { cursor: cursor(), rolledBackTo };
  };

  /**
   * Index (from, to]. The hash of `to` is read before and after eth_getLogs: if it did not change,
   * the logs belong to that chain, and the stored cursor block must still be its ancestor.
   */
  const indexRange = async (from: number, to: bigint): Promise<boolean> => {
    const before = await publicClient.getBlock({ blockNumber: to });
    const logs = await publicClient.getLogs({
      address: addresses,
      fromBlock: BigInt(from + 1),
      toBlock: to,
    });
    const [after, fromHash] = await Promise.all([
      publicClient.getBlock({ blockNumber: to }),
      from > genesis ? chainHash(from) : Promise.resolve(undefined),
    ]);
    if (before.hash !== after.hash) return false;
    if (from > genesis && fromHash !== storedBlock(from)?.hash) return false;

    const withLogs = [...new Set(logs.map((l) => l.blockNumber as bigint))];
    const headers = new Map<bigint, Pick<Block, 'hash' | 'timestamp'>>([[to, after]]);
    const missing = withLogs.filter((n) => !headers.has(n));
    for (let i = 0; i < missing.length; i += 16) {
      const slice = missing.slice(i, i + 16);
      const blocks = await Promise.all(slice.map((n) => publicClient.getBlock({ blockNumber: n })));
      for (const [j, n] of slice.entries()) headers.set(n, blocks[j] as Block);
    }
    for (const log of logs) {
      if (headers.get(log.blockNumber as bigint)?.hash !== log.blockHash) return false;
    }
    inTransaction(db, () => {
      if (applyLogs(db, contracts, logs, (n) => Number(headers.get(n)?.timestamp ?? 0n))) {
        bumpPermissionsEpoch(db);
      }
      const insert = statement(
        db,
        'INSERT OR REPLACE INTO blocks (number, hash, timestamp, has_events) VALUES (?, ?, ?, ?)',
      );
      const eventful = new Set(withLogs);
      for (const [n, h] of headers) {
        insert.run(
          Number(n),
          (h.hash as Hex).toLowerCase(),
          Number(h.timestamp),
          eventful.has(n) ? 1 : 0,
        );
      }
      // Range ends without events are only needed near the head, to detect a reorg.
      statement(db, 'DELETE FROM blocks WHERE has_events = 0 AND number < ?').run(
        Number(to) - 1024,
      );
      setMeta(db, 'cursor', String(to));
    });
    return true;
  };

  const resolvePendingBatches = async () => {
    if (!options.resolveBatch) return;
    const pending = statement(
      db,
      'SELECT batch_id, root, cid, entry_count FROM batches WHERE entries_loaded = 0 ORDER BY batch_id LIMIT 32',
    ).all() as { batch_id: number; root: Hex; cid: Hex; entry_count: number }[];
    for (const b of pending) {
      const resolved = await options.resolveBatch({
        batchId: BigInt(b.batch_id),
        root: b.root,
        cid: b.cid,
        entryCount: b.entry_count,
      });
      if (resolved === undefined) continue;
      if ('leaves' in resolved) loadBatchEntries(db, b.batch_id, resolved.entries, resolved.leaves);
      else loadBatchEntries(db, b.batch_id, resolved);
    }
  };

  let running: Promise<void> | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;
  return {
    db,
    sync,
    cursor,
    start() {
      if (running) return;
      stopping = false;
      running = (async () => {
        while (!stopping) {
          try {
            await sync();
          } catch (error) {
            options.onError?.(error);
          }
          if (stopping) break;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, options.pollIntervalMs ?? 1000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      })();
    },
    async stop() {
      stopping = true;
      wake?.();
      await running;
      running = undefined;
    },
  };
}

/** Refuse an index built for another chain or deployment: its rows would be wrong here. */
function checkOwnership(db: DatabaseSync, deployment: AegleDeployment): void {
  const identity = JSON.stringify({
    schema: INDEX_SCHEMA_VERSION,
    chainId: deployment.chainId,
    contracts: deployment.contracts,
  });
  const stored = getMeta(db, 'identity');
  if (stored === undefined) {
    setMeta(db, 'identity', identity);
    return;
  }
  if (stored !== identity) {
    throw new IndexerError(
      'the index database belongs to another chain, deployment or schema version',
      {
        hint: 'delete the index file (it is rebuilt from the chain) or point at the right deployment',
      },
    );
  }
}
