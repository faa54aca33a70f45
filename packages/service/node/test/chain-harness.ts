// Whole-stack helpers: a node started with startNode against a REAL anvil, and the chain calls a
// test needs (registering accounts, certifying providers, grants) made the way clients make them:
// signed forward requests relayed by the node, or the authority's own transactions.
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { type AegleChain, sendContractTransaction } from '@aegle/chain';
import {
  accountsAbi,
  aegleForwarderAbi,
  bytes32Label,
  certificationAbi,
  consentsAbi,
  Role,
  Scope,
} from '@aegle/contracts';
import { type Abi, bytesToHex, encodeFunctionData, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { type RunningNode, type StartNodeOptions, startNode } from '../src/start-node.ts';
import { tempDir, waitUntil } from './helpers.ts';
import { api, DOMAIN, signForwardRequest } from './node-harness.ts';

export const FAST_OUTBOX = {
  baseBackoffMs: 50,
  maxBackoffMs: 500,
  confirmPollMs: 20,
  idleMs: 50,
  batchWindowMs: 50,
  minBatchIntervalMs: 20,
};

export async function startChainNode(
  t: TestContext,
  options: Partial<StartNodeOptions> = {},
): Promise<RunningNode & { dataDir: string }> {
  const dataDir = options.dataDir ?? (await tempDir(t, 'aegle-chain-node-'));
  const running = await startNode({
    indexPollMs: 100,
    domain: DOMAIN,
    ...options,
    dataDir,
    node: {
      storage: { replicationFactor: 1 },
      outbox: FAST_OUTBOX,
      ...options.node,
      http: { rateLimit: false, closeGraceMs: 100, ...options.node?.http },
    },
  });
  t.after(() => running.close());
  return { ...running, dataDir };
}

/** Signs a call for AegleForwarder.execute (EIP-712 ForwardRequest) with the signer's next nonce. */
export async function signForward(
  chain: Pick<AegleChain, 'publicClient' | 'deployment'>,
  signer: PrivateKeyAccount,
  call: { to: Hex; abi: Abi; functionName: string; args: readonly unknown[] },
  options: { nonce?: bigint; deadline?: number; chainId?: number } = {},
) {
  const { publicClient, deployment } = chain;
  const nonce =
    options.nonce ??
    (await publicClient.readContract({
      address: deployment.contracts.forwarder,
      abi: aegleForwarderAbi,
      functionName: 'nonces',
      args: [signer.address],
    }));
  const data = encodeFunctionData({
    abi: call.abi,
    functionName: call.functionName,
    args: call.args,
  } as Parameters<typeof encodeFunctionData>[0]);
  return signForwardRequest(signer, {
    to: call.to,
    data,
    nonce,
    gas: 500_000n,
    deadline: options.deadline ?? Math.floor(Date.now() / 1000) + 3600,
    chainId: options.chainId ?? deployment.chainId,
    forwarder: deployment.contracts.forwarder,
  });
}

type Intent = {
  id: number;
  state: string;
  error?: string;
  txHash?: Hex;
  receipt?: { blockNumber?: number };
};

/** Relays a signed request through the node and waits until it is confirmed and indexed. */
export async function relayAndWait(
  running: RunningNode,
  token: string,
  route: string,
  request: unknown,
  idempotencyKey?: string,
): Promise<Intent> {
  const call = api(running.url, token);
  const response = await call(route, {
    method: 'POST',
    json: { request },
    ...(idempotencyKey && { headers: { 'idempotency-key': idempotencyKey } }),
  });
  if (response.status !== 202 && response.status !== 200) {
    throw new Error(`${route} refused: ${response.status} ${await response.text()}`);
  }
  const { id } = (await response.json()) as { id: number };
  let intent: Intent | undefined;
  await waitUntil(async () => {
    intent = (await (await call(`/intents/${id}`)).json()) as Intent;
    return intent.state === 'confirmed' || intent.state === 'failed';
  }, 30_000);
  if (!intent) throw new Error('no intent');
  if (intent.state === 'confirmed') await waitIndexed(running, intent.receipt?.blockNumber ?? 0);
  return intent;
}

/** Waits until the node's chain index has reached `block`. */
export async function waitIndexed(running: RunningNode, block: number): Promise<void> {
  await waitUntil(async () => {
    const health = (await (await fetch(`${running.url}/health`)).json()) as {
      chain: { indexed?: number };
    };
    return (health.chain.indexed ?? 0) >= block;
  }, 30_000);
}

export async function register(
  running: RunningNode,
  token: string,
  account: PrivateKeyAccount,
  role: number = Role.Patient,
): Promise<void> {
  const request = await signForward(running.chain, account, {
    to: running.chain.deployment.contracts.accounts,
    abi: accountsAbi,
    functionName: 'register',
    args: [role, bytesToHex(randomBytes(32))],
  });
  const intent = await relayAndWait(running, token, '/accounts', request);
  if (intent.state !== 'confirmed') throw new Error(`register failed: ${intent.error}`);
}

/** The authority (the operator, in embedded mode) certifies a registered provider. */
export async function certify(running: RunningNode, provider: Hex): Promise<void> {
  const receipt = await sendContractTransaction(running.chain, {
    address: running.chain.deployment.contracts.certification,
    abi: certificationAbi,
    functionName: 'certify',
    args: [provider, bytes32Label('licence'), BigInt(Math.floor(Date.now() / 1000) + 30 * 86400)],
  });
  await waitIndexed(running, Number(receipt.blockNumber));
}

export async function grant(
  running: RunningNode,
  token: string,
  signer: PrivateKeyAccount,
  args: {
    patient: Hex;
    grantee: Hex;
    scope: 'record' | 'category';
    target: Hex;
    purpose: Hex;
    expiresAt: number;
  },
): Promise<Intent> {
  const request = await signForward(running.chain, signer, {
    to: running.chain.deployment.contracts.consents,
    abi: consentsAbi,
    functionName: 'grant',
    args: [
      args.patient,
      args.grantee,
      args.scope === 'record' ? Scope.Record : Scope.Category,
      args.target,
      args.purpose,
      BigInt(args.expiresAt),
    ],
  });
  return relayAndWait(running, token, '/consents/grants', request);
}

export async function revoke(
  running: RunningNode,
  token: string,
  signer: PrivateKeyAccount,
  args: { patient: Hex; grantee: Hex; scope: 'record' | 'category'; target: Hex },
): Promise<Intent> {
  const request = await signForward(running.chain, signer, {
    to: running.chain.deployment.contracts.consents,
    abi: consentsAbi,
    functionName: 'revoke',
    args: [
      args.patient,
      args.grantee,
      args.scope === 'record' ? Scope.Record : Scope.Category,
      args.target,
    ],
  });
  return relayAndWait(running, token, '/consents/revocations', request);
}
