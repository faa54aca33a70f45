import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  type AegleChain,
  type AegleDeployment,
  connectExternalChain,
  createIndexer,
  indexDatabasePath,
  loadOrCreateOperatorKey,
  openIndexDatabase,
  operatorKeyPath,
  startEmbeddedChain,
} from '@aegle/chain';
import { checkpointInBackground } from '@aegle/storage';
import { createChainHealth } from './chain/chain-health.ts';
import { createChainPermissions } from './chain/chain-permissions.ts';
import { createChainRelay } from './chain/chain-relay.ts';
import { reconcileOutbox } from './chain/reconcile-outbox.ts';
import { resolveBatchFromStore } from './chain/resolve-batch.ts';
import { type AegleNode, createNode, type NodeOptions } from './create-node.ts';
import { parseAllowedOrigins } from './http/allowed-origins.ts';
import { assertSignInDomain } from './sign-in.ts';

/** The port `aegle node start` listens on unless told otherwise. */
export const DEFAULT_NODE_PORT = 7700;

export type StartNodeOptions = {
  /** Holds everything: node.sqlite, store/, chain/ (anvil state, operator key, index), logs/. */
  dataDir: string;
  /** External mode: any EVM JSON-RPC endpoint. Omitted: embedded mode (anvil in `dataDir/chain`). */
  rpcUrl?: string;
  /**
   * External mode: the deployment record or its file path. The operator key is
   * `dataDir/chain/operator.key` (created if missing); it must be funded and hold NODE_ROLE.
   */
  deployment?: AegleDeployment | string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port); `aegle node start` passes 7700. */
  port?: number;
  /** The domain SIWE messages must name. Default "localhost". */
  domain?: string;
  /** Web origins whose pages may call the API from a browser (CORS); `*` for any. Default none. */
  allowedOrigins?: readonly string[];
  /** Log file (JSON lines, no tokens, keys or patient data). Default `dataDir/logs/node.log`; false: none. */
  logFile?: string | false;
  /** How often the chain index is polled, in ms. Default 250. */
  indexPollMs?: number;
  /** Passed through to createNode (outbox timings, storage, rate limits, …). */
  node?: Partial<Omit<NodeOptions, 'dataDir' | 'permissions' | 'relay' | 'chainHealth'>>;
};

export type RunningNode = {
  url: string;
  node: AegleNode;
  chain: AegleChain;
  close(): Promise<void>;
};

/**
 * Starts a whole node bound to the real chain: the chain (embedded anvil, or an external RPC),
 * its index (following events into `dataDir/chain/index.sqlite`, batch lists resolved from the
 * node's store), and createNode with the PermissionSource, ChainRelay and ChainHealth over them.
 * On start, outbox batches the chain no longer has (state lost in a crash) are reopened.
 * `close` stops the HTTP server, the outbox worker, the indexer, then the chain (anvil gets
 * SIGTERM and dumps its state).
 */
export async function startNode(options: StartNodeOptions): Promise<RunningNode> {
  // Checked before anything starts: a typo in the configuration should not cost a chain start.
  const allowedOrigins = options.allowedOrigins && parseAllowedOrigins(options.allowedOrigins);
  if (options.domain !== undefined) assertSignInDomain(options.domain);
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const logFile = options.logFile ?? path.join(dataDir, 'logs', 'node.log');
  let log: ReturnType<typeof createWriteStream> | undefined;
  if (logFile) {
    mkdirSync(path.dirname(logFile), { recursive: true });
    log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  }
  const writeLog = (level: number, msg: string, fields: Record<string, unknown> = {}) => {
    log?.write(`${JSON.stringify({ level, time: Date.now(), msg, ...fields })}\n`);
  };

  let crashed = false;
  let node: AegleNode | undefined;
  const onCrash = (error: Error & { exitCode?: unknown; signal?: unknown }) => {
    crashed = true;
    // The error's name and exit status only: its text could name paths, never secrets, but stay terse.
    const fields = { event: 'chain-crashed', error: error.name };
    if (node) node.app.log.error(fields, 'the embedded chain exited unexpectedly');
    else writeLog(50, 'the embedded chain exited unexpectedly', fields);
  };
  const chain = options.rpcUrl
    ? await connectExternalChain({
        rpcUrl: options.rpcUrl,
        account: loadOrCreateOperatorKey(operatorKeyPath(dataDir)),
        deployment: options.deployment,
        pollingIntervalMs: 100,
      })
    : await startEmbeddedChain({ dataDir, onCrash });

  const closers: Array<() => Promise<void> | void> = [() => chain.stop()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch {
        // keep closing the rest
      }
    }
  };
  try {
    const indexFile = indexDatabasePath(dataDir);
    const indexDb = openIndexDatabase(indexFile);
    closers.push(() => indexDb.close());
    // Loading a batch's entries commits a page per entry (random record ids): SQLite's own
    // autocheckpoints would run on the event loop every few batches, as node.sqlite's did.
    const indexCheckpoints = checkpointInBackground(indexDb, indexFile);
    closers.push(() => indexCheckpoints.release());
    const { deployment, publicClient } = chain;
    const contracts = deployment.contracts;
    // The store is opened by createNode; the indexer asks it for batch lists through this holder.
    let resolve: ReturnType<typeof resolveBatchFromStore> | undefined;
    const indexer = createIndexer({
      db: indexDb,
      publicClient,
      deployment,
      pollIntervalMs: options.indexPollMs ?? 250,
      resolveBatch: (batch) => (resolve ? resolve(batch) : Promise.resolve(undefined)),
      onError: (error) =>
        writeLog(40, 'chain index round failed', { error: (error as Error)?.name ?? 'Error' }),
    });
    // One round before serving, so permission checks start from the chain's current state.
    await indexer.sync().catch(() => {});
    indexer.start();
    closers.push(() => indexer.stop());

    node = await createNode({
      ...options.node,
      dataDir,
      permissions: createChainPermissions(indexDb),
      relay: createChainRelay({
        chain,
        // Read-your-writes: a confirmed intent is one this node's permissions already reflect.
        indexed: async (block) =>
          indexer.cursor() >= block ||
          (await indexer.sync().then(
            (round) => round.cursor >= block,
            () => false,
          )),
      }),
      chainHealth: createChainHealth({ publicClient, indexer, crashed: () => crashed }),
      signIn: {
        domain: options.domain ?? 'localhost',
        chainId: deployment.chainId,
        ...options.node?.signIn,
      },
      targets: {
        chainId: deployment.chainId,
        forwarder: contracts.forwarder,
        records: contracts.records,
        consents: contracts.consents,
        accounts: contracts.accounts,
      },
      http: {
        host: options.host ?? '127.0.0.1',
        port: options.port ?? 0,
        ...(log && { log: { stream: log, level: 'info' } }),
        ...(allowedOrigins && { allowedOrigins }),
        ...options.node?.http,
      },
      outbox: {
        onError: (error) =>
          writeLog(40, 'outbox attempt failed', { error: (error as Error)?.name ?? 'Error' }),
        ...options.node?.outbox,
      },
    });
    const running = node;
    closers.push(() => running.close());
    resolve = resolveBatchFromStore(running.context.store, running.context.outbox);

    // Batches confirmed on a chain that has since lost them go back to the outbox; checked at
    // start and every few seconds (the external chain may be restarted under a running node).
    const noteReopened = (n: number) => {
      if (n > 0)
        writeLog(40, 'batches the chain lost were reopened', { event: 'reopened', count: n });
      return n;
    };
    let reconciling: Promise<unknown> = reconcileOutbox(running.context.outbox, publicClient)
      .then(noteReopened)
      .catch(() => 0);
    await reconciling;
    running.worker.wake();
    const timer = setInterval(() => {
      reconciling = reconcileOutbox(running.context.outbox, publicClient)
        .then((n) => {
          if (noteReopened(n) > 0) running.worker.wake();
        })
        .catch(() => 0);
    }, 3000);
    timer.unref();
    closers.push(async () => {
      clearInterval(timer);
      await reconciling;
    });
    writeLog(30, 'node started', { mode: chain.mode, url: running.url });
  } catch (error) {
    await closeAll();
    log?.end();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    url: node.url,
    node,
    chain,
    close: () => {
      closing ??= (async () => {
        await closeAll();
        await new Promise<void>((done) => (log ? log.end(done) : done()));
      })();
      return closing;
    },
  };
}
