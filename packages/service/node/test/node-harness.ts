import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import {
  anchorEntryTypes,
  bytes32Label,
  forwarderDomain,
  forwardRequestTypes,
  recordsDomain,
} from '@aegle/contracts';
import { buildUnixfsDag, OBJECT_CHUNK_SIZE } from '@aegle/storage';
import { bytesToHex, type Hex } from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { type AegleNode, createNode, type NodeOptions } from '../src/create-node.ts';
import type { AnchorPayload } from '../src/merkle-batch.ts';
import { FaultInjectingRelay } from './fault-injecting-relay.ts';
import { GrantTable } from './grant-table.ts';

export const CHAIN_ID = 31337;
export const DOMAIN = 'node.aegle.test';
/** Contract addresses the node checks signatures against (no chain here: the EIP-712 domain only). */
export const TARGETS = {
  chainId: CHAIN_ID,
  records: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  forwarder: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  consents: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  accounts: '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
} as const;

export class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export type Harness = {
  node: AegleNode;
  url: string;
  grants: GrantTable;
  relay: FaultInjectingRelay;
  log: LogCapture;
  dataDir: string;
};

export async function startNode(
  t: TestContext,
  overrides: Partial<NodeOptions> & {
    dataDir?: string;
    grants?: GrantTable;
    relay?: FaultInjectingRelay;
  } = {},
): Promise<Harness> {
  const ownDir = overrides.dataDir === undefined;
  const dataDir = overrides.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'aegle-node-')));
  const grants = overrides.grants ?? new GrantTable();
  const relay = overrides.relay ?? new FaultInjectingRelay();
  const log = new LogCapture();
  const node = await createNode({
    dataDir,
    permissions: grants,
    relay,
    signIn: { domain: DOMAIN, chainId: CHAIN_ID },
    targets: TARGETS,
    storage: { replicationFactor: 1 },
    outbox: {
      baseBackoffMs: 5,
      maxBackoffMs: 50,
      confirmPollMs: 5,
      idleMs: 20,
      batchWindowMs: 20,
      minBatchIntervalMs: 10,
    },
    ...overrides,
    http: { log: { stream: log, level: 'debug' }, closeGraceMs: 100, ...overrides.http },
  });
  // One hook, in this order: the node (and its outbox worker) stops before its directory goes.
  t.after(async () => {
    await node.close();
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  });
  return { node, url: node.url, grants, relay, log, dataDir };
}

export function newAccount(): PrivateKeyAccount {
  return privateKeyToAccount(generatePrivateKey());
}

export async function siweMessage(
  url: string,
  account: PrivateKeyAccount,
  overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {},
): Promise<string> {
  const { nonce } = (await (await fetch(`${url}/auth/nonce`, { method: 'POST' })).json()) as {
    nonce: string;
  };
  return createSiweMessage({
    address: account.address,
    chainId: CHAIN_ID,
    domain: DOMAIN,
    nonce,
    uri: `https://${DOMAIN}/`,
    version: '1',
    issuedAt: new Date(),
    ...overrides,
  });
}

export async function signIn(url: string, account: PrivateKeyAccount): Promise<string> {
  const message = await siweMessage(url, account);
  const signature = await account.signMessage({ message });
  const response = await fetch(`${url}/auth/siwe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, signature }),
  });
  if (response.status !== 201)
    throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export function api(url: string, token: string) {
  return (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    if (init.json !== undefined) headers.set('content-type', 'application/json');
    return fetch(`${url}${path}`, {
      ...init,
      headers,
      ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
    });
  };
}

/** The content root (CID multihash digest) the node's ObjectStore will compute for `bytes`. */
export async function contentRootOf(
  bytes: Uint8Array,
  chunkSize = OBJECT_CHUNK_SIZE,
): Promise<Hex> {
  const dag = buildUnixfsDag([bytes], { chunkSize });
  let step = await dag.next();
  while (!step.done) step = await dag.next();
  return bytesToHex(step.value.cid.multihash.digest);
}

export type PreparedRecord = {
  recordId: Hex;
  patient: Hex;
  category: Hex;
  ciphertext: Uint8Array;
  /** Stand-in for the client-encrypted metadata envelope; entry.metadataHash is its sha2-256. */
  metadata: Uint8Array;
  entry: AnchorPayload;
};

/** Random "ciphertext" and an anchor entry for it, signed by `creator` (EIP-712, Records domain). */
export async function prepareRecord(
  creator: PrivateKeyAccount,
  patient: Hex,
  options: {
    category?: string;
    ciphertext?: Uint8Array;
    signedAt?: number;
    /** The Records contract and chain the entry is signed for (default: TARGETS). */
    domain?: { chainId: number; records: Hex };
    metadata?: Uint8Array;
  } = {},
): Promise<PreparedRecord> {
  const ciphertext = options.ciphertext ?? randomBytes(3000);
  const metadata = options.metadata ?? randomBytes(64);
  const recordId = bytesToHex(randomBytes(32));
  const category = bytes32Label(options.category ?? 'Observation');
  const message = {
    recordId,
    patient,
    creator: creator.address,
    contentRoot: await contentRootOf(ciphertext),
    metadataHash: bytesToHex(createHash('sha256').update(metadata).digest()),
    category,
    supersedes: `0x${'0'.repeat(64)}` as Hex,
    nonce: BigInt(`0x${randomBytes(8).toString('hex')}`),
    signedAt: BigInt(options.signedAt ?? Math.floor(Date.now() / 1000)),
  };
  const signature = await creator.signTypedData({
    domain: recordsDomain(
      options.domain?.chainId ?? CHAIN_ID,
      options.domain?.records ?? TARGETS.records,
    ),
    types: anchorEntryTypes,
    primaryType: 'AnchorEntry',
    message,
  });
  const entry: AnchorPayload = {
    ...message,
    nonce: message.nonce.toString(),
    signedAt: message.signedAt.toString(),
    signature,
  };
  return { recordId, patient, category, ciphertext, metadata, entry };
}

/** Streams the ciphertext (POST /uploads); returns the response. */
export function streamUpload(
  call: ReturnType<typeof api>,
  record: PreparedRecord,
  query: { size?: number; category?: Hex } = {},
): Promise<Response> {
  const params = new URLSearchParams({
    patient: record.patient,
    size: String(query.size ?? record.ciphertext.length),
    ...(query.category && { category: query.category }),
  });
  return call(`/uploads?${params}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: record.ciphertext,
  });
}

/** The commit body of POST /records for an upload. */
export function commitBody(
  uploadId: string,
  record: PreparedRecord,
  wrappedKeys: Array<{ recipient: Hex; wrappedKey: string }>,
) {
  return {
    uploadId,
    entry: record.entry,
    wrappedKeys,
    metadata: Buffer.from(record.metadata).toString('base64'),
  };
}

/**
 * Both steps of an upload: stream, then commit. The patient's and the creator's keys are added
 * (as 'AA==') when the caller did not list them, since the node requires both. Returns the last
 * response (the stream's if it was refused).
 */
export async function uploadRecord(
  call: ReturnType<typeof api>,
  record: PreparedRecord,
  wrappedKeys: Array<{ recipient: Hex; wrappedKey: string }>,
): Promise<Response> {
  const streamed = await streamUpload(call, record);
  if (streamed.status !== 201) return streamed;
  const { uploadId } = (await streamed.json()) as { uploadId: string };
  const keys = [...wrappedKeys];
  for (const who of [record.patient, record.entry.creator]) {
    if (!keys.some((k) => k.recipient.toLowerCase() === who.toLowerCase())) {
      keys.push({ recipient: who, wrappedKey: 'AA==' });
    }
  }
  return call('/records', { method: 'POST', json: commitBody(uploadId, record, keys) });
}

/**
 * A node with the cast of the record tests: the patient alice, kim (a certified provider) and
 * lee (not certified), each signed in (`asAlice`, …); `as` signs in anyone else.
 */
export async function startNodeWithPeople(t: TestContext) {
  const harness = await startNode(t);
  const alice = newAccount();
  const kim = newAccount();
  const lee = newAccount();
  harness.grants.certified.add(kim.address.toLowerCase());
  const as = async (account: PrivateKeyAccount) =>
    api(harness.url, await signIn(harness.url, account));
  return {
    ...harness,
    alice,
    kim,
    lee,
    asAlice: await as(alice),
    asKim: await as(kim),
    asLee: await as(lee),
    as,
  };
}

/**
 * A forward request signed by `signer` (EIP-712, the forwarder's domain), in the wire form the
 * relay route takes (bigints as decimal strings).
 */
export async function signForwardRequest(
  signer: PrivateKeyAccount,
  request: {
    to: Hex;
    data: Hex;
    nonce: bigint;
    gas: bigint;
    deadline: number;
    chainId: number;
    forwarder: Hex;
  },
) {
  const message = {
    from: signer.address,
    to: request.to,
    value: 0n,
    gas: request.gas,
    nonce: request.nonce,
    deadline: request.deadline,
    data: request.data,
  };
  const signature = await signer.signTypedData({
    domain: forwarderDomain(request.chainId, request.forwarder),
    types: forwardRequestTypes,
    primaryType: 'ForwardRequest',
    message,
  });
  return {
    ...message,
    value: '0',
    gas: message.gas.toString(),
    nonce: message.nonce.toString(),
    signature,
  };
}
