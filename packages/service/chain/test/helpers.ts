// Shared set-up for the chain tests: temp dirs, funded actors, and a scenario that writes one of
// everything (accounts, certificate, anchors, grants, guardian, audit root).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  accountsAbi,
  auditLogAbi,
  certificationAbi,
  consentsAbi,
  recordsAbi,
} from '@aegle/contracts';
import {
  type Abi,
  type Address,
  type Chain,
  createWalletClient,
  type Hex,
  http,
  numberToHex,
  type PrivateKeyAccount,
  type PublicClient,
  stringToHex,
  type Transport,
  type WalletClient,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { AegleChain } from '../src/chain.ts';
import { buildRecordBatch } from '../src/record-batch.ts';
import { type RecordEntry, signRecordEntry } from '../src/record-entry.ts';

export function makeTempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `aegle-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const b32 = (text: string): Hex => stringToHex(text, { size: 32 });

export async function rpc<T = unknown>(
  client: Pick<PublicClient, 'request'>,
  method: string,
  params: unknown[] = [],
): Promise<T> {
  // biome-ignore lint/suspicious/noExplicitAny: anvil/evm test methods outside viem's schema
  return (await client.request({ method: method as any, params: params as any })) as T;
}

export type Actor = {
  account: PrivateKeyAccount;
  address: Address;
  wallet: WalletClient<Transport, Chain, PrivateKeyAccount>;
};

export async function newActor(
  chain: Pick<AegleChain, 'publicClient' | 'chain' | 'rpcUrl'>,
): Promise<Actor> {
  const account = privateKeyToAccount(generatePrivateKey());
  await rpc(chain.publicClient, 'anvil_setBalance', [account.address, numberToHex(10n ** 21n)]);
  const wallet = createWalletClient({
    chain: chain.chain,
    transport: http(chain.rpcUrl),
    account,
    cacheTime: 0,
  });
  return { account, address: account.address, wallet };
}

/** Send a transaction from `actor` and wait for it; throws if it reverts. */
export async function send(
  chain: Pick<AegleChain, 'publicClient'>,
  actor: Pick<Actor, 'wallet'>,
  address: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[],
): Promise<bigint> {
  // biome-ignore lint/suspicious/noExplicitAny: test helper over many ABIs
  const hash = await actor.wallet.writeContract({ address, abi, functionName, args } as any);
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${functionName} reverted`);
  return receipt.blockNumber;
}

export const Role = {
  Patient: 1,
  Provider: 2,
  Institution: 3,
  Researcher: 4,
  Authority: 5,
} as const;
export const Scope = { Record: 0, Category: 1 } as const;

export async function register(chain: AegleChain, actor: Actor, role: number): Promise<void> {
  await send(chain, actor, chain.deployment.contracts.accounts, accountsAbi, 'register', [
    role,
    `0x${'ab'.repeat(32)}`,
  ]);
}

export async function latestTimestamp(chain: Pick<AegleChain, 'publicClient'>): Promise<bigint> {
  return (await chain.publicClient.getBlock({ blockTag: 'latest' })).timestamp;
}

let entryCounter = 0;
export async function makeEntry(
  chain: AegleChain,
  creator: Actor,
  patient: Address,
  category: Hex,
  options: { nonce?: bigint; recordId?: Hex; signedAt?: bigint } = {},
): Promise<RecordEntry> {
  entryCounter += 1;
  return signRecordEntry(
    creator.account,
    { chainId: chain.chain.id, records: chain.deployment.contracts.records },
    {
      recordId: options.recordId ?? b32(`record-${entryCounter}-${Math.random()}`),
      patient,
      creator: creator.address,
      contentRoot: b32(`content-${entryCounter}`),
      metadataHash: b32(`meta-${entryCounter}`),
      category,
      supersedes: `0x${'00'.repeat(32)}`,
      nonce: options.nonce ?? 0n,
      signedAt: options.signedAt ?? (await latestTimestamp(chain)),
    },
  );
}

/** Write one of every kind of state, as the embedded-restart test needs to read back. */
export async function writeScenario(chain: AegleChain) {
  const { contracts } = chain.deployment;
  const operator = { wallet: chain.walletClient as Actor['wallet'] };
  const patient = await newActor(chain);
  const provider = await newActor(chain);
  const guardian = await newActor(chain);
  const researcher = await newActor(chain);
  await register(chain, patient, Role.Patient);
  await register(chain, provider, Role.Provider);
  await register(chain, guardian, Role.Patient);
  await register(chain, researcher, Role.Researcher);
  const far = (await latestTimestamp(chain)) + 365n * 86400n;
  await send(chain, operator, contracts.certification, certificationAbi, 'certify', [
    provider.address,
    b32('licence-1'),
    far,
  ]);
  await send(chain, patient, contracts.accounts, accountsAbi, 'setGuardian', [guardian.address]);
  const direct = await makeEntry(chain, provider, patient.address, b32('Observation'));
  await send(chain, operator, contracts.records, recordsAbi, 'anchor', [direct]);
  const batchEntries = [
    await makeEntry(chain, patient, patient.address, b32('Condition')),
    await makeEntry(chain, provider, patient.address, b32('Observation')),
    await makeEntry(chain, provider, patient.address, b32('Procedure')),
  ];
  const batch = buildRecordBatch(batchEntries);
  await send(chain, operator, contracts.records, recordsAbi, 'commitBatch', [
    batch.root,
    batchEntries.length,
    '0x0155',
  ]);
  await send(chain, guardian, contracts.consents, consentsAbi, 'grant', [
    patient.address,
    researcher.address,
    Scope.Category,
    b32('Observation'),
    b32('research'),
    far,
  ]);
  const auditRoot = b32('audit-root-1');
  await send(chain, operator, contracts.auditLog, auditLogAbi, 'commit', [auditRoot, 7, '0x0155']);
  return { patient, provider, guardian, researcher, direct, batch, auditRoot, far };
}
