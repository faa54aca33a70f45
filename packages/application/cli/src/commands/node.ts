import { join, resolve } from 'node:path';
import { type ClientDeployment, NodeUnreachableError } from '@aegle/sdk';
import { type Command, type ParsedArgs, stringOption } from '../command.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { readNodeFile, removeNodeFile, writeNodeFile } from '../node-file.ts';
import { parseSize } from '../size.ts';

/** What `startNode` of @aegle/node gives back (typed here so the CLI states what it relies on). */
type StartedNode = {
  url: string;
  chain: { rpcUrl: string; mode: 'embedded' | 'external'; deployment: ClientDeployment };
  close(): Promise<void>;
};
type StartNode = (options: {
  dataDir: string;
  rpcUrl?: string;
  deployment?: unknown;
  host?: string;
  port?: number;
  allowedOrigins?: readonly string[];
  domain?: string;
  node?: { storage?: { defaultLimit?: number } };
}) => Promise<StartedNode>;

/** The node's data directory: --data-dir, else AEGLE_DATA_DIR, else `<AEGLE_HOME>/node`. */
export function dataDirOf(ctx: CliContext, value: string | undefined): string {
  return resolve(value || ctx.io.env.AEGLE_DATA_DIR || join(ctx.home, 'node'));
}

/** For operator commands on a node's files: as dataDirOf, but the running local node's first. */
export async function operatorDataDir(ctx: CliContext, value: string | undefined): Promise<string> {
  if (value || ctx.io.env.AEGLE_DATA_DIR) return dataDirOf(ctx, value);
  return (await readNodeFile(ctx.home))?.dataDir ?? dataDirOf(ctx, undefined);
}

/** --allow-origin values (repeatable), else AEGLE_ALLOW_ORIGINS (comma-separated); the node checks them. */
function allowedOriginsOf(ctx: CliContext, value: ParsedArgs['values'][string]): string[] {
  const given = Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
  const list = given.length > 0 ? given : (ctx.io.env.AEGLE_ALLOW_ORIGINS ?? '').split(',');
  return list.map((origin) => origin.trim()).filter((origin) => origin !== '');
}

export const nodeStart: Command = {
  path: 'node start',
  summary: 'run a node in the foreground (embedded chain unless --rpc-url); Ctrl-C stops it',
  usage:
    '[--data-dir D] [--rpc-url U --deployment FILE] [--port P] [--host H] [--default-quota 1GiB] [--allow-origin https://app.example …] [--domain node.example]',
  options: {
    'data-dir': { type: 'string' },
    'rpc-url': { type: 'string' },
    deployment: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'default-quota': { type: 'string' },
    // A web app on another origin that may call this node from browsers (CORS); repeatable.
    'allow-origin': { type: 'string', multiple: true },
    // The domain sign-in (EIP-4361) messages must name: the host users know this node by.
    domain: { type: 'string' },
  },
  async run(ctx, args) {
    const dataDir = dataDirOf(ctx, stringOption(args, 'data-dir'));
    const portText = stringOption(args, 'port') ?? ctx.io.env.AEGLE_PORT ?? '7700';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new UsageError(
        `--port ${portText} is not a port`,
        'use a number from 0 (any free port) to 65535',
      );
    }
    const rpcUrl = stringOption(args, 'rpc-url');
    const deploymentFile = stringOption(args, 'deployment');
    const mod = (await import('@aegle/node')) as unknown as { startNode?: StartNode };
    if (typeof mod.startNode !== 'function') {
      throw new UsageError(
        'this @aegle/node has no startNode',
        'update the repository (git pull) and retry',
      );
    }
    const quota = stringOption(args, 'default-quota');
    const allowedOrigins = allowedOriginsOf(ctx, args.values['allow-origin']);
    const domain = stringOption(args, 'domain') || ctx.io.env.AEGLE_DOMAIN;
    const started = await mod.startNode({
      dataDir,
      port,
      ...(allowedOrigins.length > 0 && { allowedOrigins }),
      ...(domain && { domain }),
      ...(quota && { node: { storage: { defaultLimit: parseSize(quota) } } }),
      ...(stringOption(args, 'host') && { host: stringOption(args, 'host') as string }),
      ...(rpcUrl && { rpcUrl }),
      // The node reads and checks the file itself.
      ...(deploymentFile && { deployment: resolve(deploymentFile) }),
    });
    const deployment = started.chain.deployment;
    await writeNodeFile(ctx.home, {
      url: started.url,
      rpcUrl: started.chain.rpcUrl,
      dataDir,
      pid: process.pid,
      mode: started.chain.mode,
      deployment: {
        chainId: deployment.chainId,
        ...(deployment.deployedAtBlock !== undefined && {
          deployedAtBlock: deployment.deployedAtBlock,
        }),
        contracts: deployment.contracts,
      },
    });
    ctx.print(
      { url: started.url, rpcUrl: started.chain.rpcUrl, dataDir, mode: started.chain.mode },
      `aegle node listening on ${started.url} (data ${dataDir}, ${started.chain.mode} chain at ${started.chain.rpcUrl}); Ctrl-C to stop`,
    );
    try {
      await (ctx.io.waitForStop ?? (() => new Promise<void>(() => {})))();
    } finally {
      await removeNodeFile(ctx.home, process.pid);
      await started.close();
      ctx.io.stderr.write('aegle node stopped\n');
    }
  },
};

export const nodeStatus: Command = {
  path: 'node status',
  summary: "the node's health: chain connection, index lag, outbox",
  usage: '',
  async run(ctx) {
    const file = await readNodeFile(ctx.home);
    const url = (ctx.options.node || ctx.io.env.AEGLE_NODE || file?.url || ctx.nodeUrl).replace(
      /\/+$/,
      '',
    );
    let health: {
      status: string;
      outbox?: { pending: number; submitted: number; failed: number };
      chain?: { connected: boolean; head?: number; indexed?: number; lagBlocks?: number };
    };
    try {
      const response = await fetch(new URL('/health', url));
      health = (await response.json()) as typeof health;
    } catch {
      throw new NodeUnreachableError(`GET ${url}/health failed`);
    }
    ctx.print({ url, ...health }, () => {
      const chain = health.chain;
      const outbox = health.outbox;
      return [
        `node      ${url}: ${health.status}`,
        chain
          ? `chain     ${chain.connected ? 'connected' : 'NOT connected'}, head ${chain.head ?? '?'}, indexed ${chain.indexed ?? '?'} (lag ${chain.lagBlocks ?? '?'} blocks)`
          : '',
        outbox
          ? `outbox    ${outbox.pending} pending, ${outbox.submitted} submitted, ${outbox.failed} failed`
          : '',
      ]
        .filter(Boolean)
        .join('\n');
    });
  },
};
