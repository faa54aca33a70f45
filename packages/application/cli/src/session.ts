import { readFile } from 'node:fs/promises';
import type { Account, Address } from '@aegle/crypto';
import {
  type AegleClient,
  type ClientDeployment,
  createAegleClient,
  createHttpTransport,
  type HttpTransport,
  NodeUnreachableError,
  type StoredIdentity,
  UnknownIdentityError,
  unlockIdentity,
} from '@aegle/sdk';
import { getAddress, isAddress } from 'viem';
import type { CliContext } from './context.ts';
import { NoChainError, UsageError } from './errors.ts';
import { nodeStreamingFetch } from './node-fetch.ts';
import { readNodeFile } from './node-file.ts';
import { readPassphrase } from './passphrase.ts';

export type NodeTarget = { url: string; rpcUrl: string; deployment: ClientDeployment };

type InfoWithChain = {
  rpcUrl?: string;
  deployment?: ClientDeployment;
  chainId?: number;
  contracts?: Partial<ClientDeployment['contracts']>;
};

/**
 * The node URL (--node, AEGLE_NODE, the node this AEGLE_HOME started, else the default port),
 * and the chain a client reads directly: AEGLE_RPC_URL and AEGLE_DEPLOYMENT (a deployment.json)
 * override what the local node file or the node's /info says.
 */
export async function resolveNode(ctx: CliContext): Promise<NodeTarget> {
  const file = await readNodeFile(ctx.home);
  const explicit = ctx.options.node || ctx.io.env.AEGLE_NODE;
  const url = (explicit || file?.url || ctx.nodeUrl).replace(/\/+$/, '');
  const local = file && file.url.replace(/\/+$/, '') === url ? file : undefined;
  let rpcUrl = ctx.io.env.AEGLE_RPC_URL || local?.rpcUrl;
  let deployment: ClientDeployment | undefined = ctx.io.env.AEGLE_DEPLOYMENT
    ? (JSON.parse(await readFile(ctx.io.env.AEGLE_DEPLOYMENT, 'utf8')) as ClientDeployment)
    : local?.deployment;
  if (!rpcUrl || !deployment) {
    const info = (await createHttpTransport({ baseUrl: url }).info()) as InfoWithChain;
    rpcUrl ??= info.rpcUrl;
    deployment ??= info.deployment ?? fromInfo(info);
  }
  if (!rpcUrl || !deployment) throw new NoChainError(url);
  return { url, rpcUrl, deployment };
}

function fromInfo(info: InfoWithChain): ClientDeployment | undefined {
  const c = info.contracts;
  if (!info.chainId || !c?.forwarder || !c.accounts || !c.records || !c.consents) return undefined;
  if (!c.certification || !c.auditLog) return undefined;
  return {
    chainId: info.chainId,
    contracts: {
      forwarder: c.forwarder,
      accounts: c.accounts,
      records: c.records,
      consents: c.consents,
      certification: c.certification,
      auditLog: c.auditLog,
    },
  };
}

/** `--as NAME`, required for anything that signs. */
export function actingName(ctx: CliContext): string {
  const name = ctx.options.as || ctx.io.env.AEGLE_AS;
  if (!name)
    throw new UsageError(
      'this command acts as an identity',
      'pass --as NAME (see aegle account list)',
    );
  return name;
}

/** A local identity's address (public: no passphrase), or a 0x address as given. */
export async function addressOf(ctx: CliContext, nameOrAddress: string): Promise<Address> {
  if (isAddress(nameOrAddress)) return getAddress(nameOrAddress);
  const identity = await ctx.keyStore.get(nameOrAddress);
  if (!identity) throw new UnknownIdentityError(nameOrAddress);
  return getAddress(identity.keystore.address);
}

/** Local names by address, to print `lee` rather than an address. */
export async function namesByAddress(ctx: CliContext): Promise<(a: string) => string> {
  const map = new Map<string, string>();
  for (const identity of await ctx.keyStore.list()) {
    map.set(identity.keystore.address.toLowerCase(), identity.name);
  }
  return (a) => map.get(a.toLowerCase()) ?? a;
}

export type Session = {
  client: AegleClient;
  identity: StoredIdentity;
  account: Account;
  node: NodeTarget;
  /** The patient this command acts for: --on-behalf-of NAME, else the identity itself. */
  patient: Address;
  transport: HttpTransport;
};

/** Unlocks `--as NAME`, finds the node and chain, and signs in (SIWE). */
export async function openSession(ctx: CliContext, o: { signIn?: boolean } = {}): Promise<Session> {
  const name = actingName(ctx);
  if (!(await ctx.keyStore.get(name))) throw new UnknownIdentityError(name);
  const node = await resolveNode(ctx);
  const passphrase = await readPassphrase(ctx, `passphrase for ${name}`);
  const { identity, account } = await unlockIdentity(ctx.keyStore, name, passphrase);
  const transport = createHttpTransport({ baseUrl: node.url, fetch: nodeStreamingFetch });
  const client = createAegleClient({
    account,
    transport,
    deployment: node.deployment,
    rpcUrl: node.rpcUrl,
  });
  if (o.signIn !== false) await client.signIn();
  const patient = ctx.options.onBehalfOf
    ? await addressOf(ctx, ctx.options.onBehalfOf)
    : client.address;
  return { client, identity, account, node, patient, transport };
}

export { NodeUnreachableError };
