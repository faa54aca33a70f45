import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  checkpointInBackground,
  OBJECT_CHUNK_SIZE,
  ObjectStore,
  type ObjectStoreOptions,
  WalSync,
} from '@aegle/storage';
import type { FastifyInstance } from 'fastify';
import { AuditJournal } from './audit-journal.ts';
import { AuditJournalThread } from './audit-journal-thread.ts';
import { createNodeServer, type NodeServerOptions } from './http/create-node-server.ts';
import { MerkleThread } from './merkle-thread.ts';
import type { ChainTargets, NodeContext } from './node-context.ts';
import { openNodeDatabase } from './open-node-database.ts';
import { Outbox } from './outbox.ts';
import { OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.ts';
import type { ChainHealth, ChainRelay, PermissionSource } from './ports.ts';
import { RecordCatalog } from './record-catalog.ts';
import { Sessions } from './sessions.ts';
import { SignIn, type SignInOptions } from './sign-in.ts';
import { Uploads } from './uploads.ts';

export type NodeOptions = {
  /** Holds node.sqlite and the ObjectStore (store/). */
  dataDir: string;
  permissions: PermissionSource;
  relay: ChainRelay;
  chainHealth?: ChainHealth;
  signIn: SignInOptions & { sessionTtlMs?: number };
  /** Contract addresses: when given, signatures and call targets are checked before journaling. */
  targets?: ChainTargets;
  storage?: ObjectStoreOptions;
  /** Where to listen; default 127.0.0.1 on a free port. `listen: false` builds the app without listening. */
  http?: {
    host?: string;
    port?: number;
    listen?: boolean;
    /** On close, requests in flight get this long to finish before connections are cut. Default 5 s. */
    closeGraceMs?: number;
  } & Omit<NodeServerOptions, 'context'>;
  outbox?: Omit<OutboxWorkerOptions, 'outbox' | 'relay' | 'putBatchObject'>;
  /** The account that pays for batch entry lists in the store. Default 'node'. */
  nodeAccount?: string;
  /** Group commits of the audit journal in a worker thread (default), or on the main thread. */
  auditInThread?: boolean;
  /** How long a stored upload waits for its commit before it is deleted. Default 15 min. */
  uploadTtlMs?: number;
  /** How often expired uploads (and sessions) are swept. Default 60 s. */
  uploadSweepMs?: number;
  /** Largest record. Default 4 GiB. */
  maxRecordBytes?: number;
  now?: () => number;
};

export type AegleNode = {
  /** http://host:port, once listening. */
  url: string;
  app: FastifyInstance;
  context: NodeContext;
  worker: OutboxWorker;
  close(): Promise<void>;
};

/**
 * Opens a node in `dataDir`: the ObjectStore (recovering interrupted uploads), the node's SQLite
 * database, the outbox worker (resuming every intent not yet confirmed) and the HTTP server.
 * `close` stops accepting requests, lets those in flight finish, stops the worker, then closes
 * the stores.
 */
export async function createNode(options: NodeOptions): Promise<AegleNode> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  // The chunk size decides the CID: clients compute the content root they sign with the same one
  // (GET /info tells them), so it is fixed here rather than left to the store's default.
  const chunkSize = options.storage?.chunkSize ?? OBJECT_CHUNK_SIZE;
  const store = await ObjectStore.open(path.join(dataDir, 'store'), {
    ...options.storage,
    chunkSize,
  });
  const nodeAccount = options.nodeAccount ?? 'node';
  store.setLimit(nodeAccount, Number.MAX_SAFE_INTEGER);
  const dbFile = path.join(dataDir, 'node.sqlite');
  const db = openNodeDatabase(dbFile);
  // Its checkpoints on a worker thread, not inside a request's commit (see wal-checkpointer.ts).
  const checkpoints = checkpointInBackground(db, dbFile);
  const dbSync = new WalSync(dbFile);
  const closeDb = async () => {
    await dbSync.close();
    await checkpoints.release();
    db.close();
  };
  const now = options.now ?? Date.now;
  const outbox = new Outbox(db, { walSync: dbSync });
  const merkle = new MerkleThread();
  const worker = new OutboxWorker({
    buildBatch: (kind, payloads) => merkle.build(kind, payloads),
    ...options.outbox,
    outbox,
    relay: options.relay,
    // In memory already: putMany's path, which copies only the list's last partial leaf, instead
    // of put's streaming one (a pool of whole leaves and the hash worker, for a few kilobytes).
    putBatchObject: async (bytes) =>
      (await store.putMany([{ account: nodeAccount, bytes }]))[0]?.cid.toString() as string,
  });
  const sessions = new Sessions(db, { ttlMs: options.signIn.sessionTtlMs });
  const uploads = new Uploads(db);
  // Before serving: what a crash cut mid-stream, and what expired while the node was down.
  await uploads.recoverInterrupted(store);
  await uploads.sweepExpired(store, now());
  const audit =
    options.auditInThread === false
      ? new AuditJournal(db, outbox)
      : new AuditJournalThread(dbFile, db, outbox);
  // Audit entries are not worth a wake-up each: the worker's batch window collects them.
  const context: NodeContext = {
    db,
    dbSync,
    store,
    catalog: new RecordCatalog(db, outbox),
    outbox,
    audit,
    sessions,
    signIn: new SignIn(db, sessions, options.signIn),
    uploads,
    uploadTtlMs: options.uploadTtlMs ?? 15 * 60_000,
    permissions: options.permissions,
    ...(options.chainHealth && { chainHealth: options.chainHealth }),
    ...(options.targets && { targets: options.targets }),
    wakeOutbox: () => worker.wake(),
    maxRecordBytes: options.maxRecordBytes ?? 4 * 1024 ** 3,
    chunkSize,
    now,
  };
  const {
    host = '127.0.0.1',
    port = 0,
    listen = true,
    closeGraceMs = 5000,
    ...serverOptions
  } = options.http ?? {};
  let app: FastifyInstance;
  try {
    app = await createNodeServer({ ...serverOptions, context });
  } catch (error) {
    await closeDb();
    await store.close();
    throw error;
  }
  worker.start();
  const purge = setInterval(
    () => {
      sessions.purgeExpired(now());
      void uploads.sweepExpired(store, now()).catch(() => {});
    },
    Math.min(60_000, options.uploadSweepMs ?? 60_000),
  );
  purge.unref();
  let url = '';
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(purge);
      // Idle keep-alive connections close at once; a connection that never sent a request (a
      // client's spare socket) or a request still running is cut after the grace period.
      const cut = setTimeout(() => app.server.closeAllConnections(), closeGraceMs);
      await app.close();
      clearTimeout(cut);
      if (audit instanceof AuditJournalThread) await audit.close();
      await worker.stop();
      await merkle.close();
      await closeDb();
      await store.close();
    })();
    return closing;
  };
  if (listen) {
    try {
      url = await app.listen({ host, port });
    } catch (error) {
      await close();
      throw error;
    }
  }
  return {
    get url() {
      return url;
    },
    app,
    context,
    worker,
    close,
  };
}
