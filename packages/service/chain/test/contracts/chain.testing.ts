// Test support for the contract behaviour tests: one real anvil per test file, funded throwaway
// accounts, fresh deployments, and revert assertions that also record which custom errors a file
// has exercised (so a file can prove it covered every error of its contract).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Abi,
  type Chain,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PrivateKeyAccount,
  type PublicClient,
  parseEther,
  type TestClient,
  type TransactionReceipt,
  type Transport,
  BaseError as ViemBaseError,
  type WalletClient,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { type EmbeddedAnvil, startAnvil } from '../../src/anvil.ts';

export type Actor = {
  account: PrivateKeyAccount;
  address: Hex;
  wallet: WalletClient<Transport, Chain, PrivateKeyAccount>;
};

export type TestChain = {
  anvil: EmbeddedAnvil;
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  testClient: TestClient<'anvil', Transport, Chain>;
  /** A new account (or the one of `privateKey`), funded with 100 ETH unless `fund` is false. */
  actor(options?: { privateKey?: Hex; fund?: boolean }): Promise<Actor>;
  /** Timestamp of the latest block. */
  now(): Promise<bigint>;
  /** Mine the next block exactly at `timestamp` (strictly after the latest block). */
  mineAt(timestamp: bigint): Promise<void>;
  stop(): Promise<void>;
};

export async function startTestChain(options: { chainId?: number } = {}): Promise<TestChain> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aegle-contracts-'));
  const chainId = options.chainId ?? 31337;
  let anvil: EmbeddedAnvil;
  try {
    anvil = await startAnvil({ dataDir, chainId, stateIntervalSeconds: 3600 });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const chain = defineChain({
    id: chainId,
    name: 'aegle-test',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  });
  const transport = http(anvil.rpcUrl);
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: 50 });
  const testClient = createTestClient({ chain, transport, mode: 'anvil', cacheTime: 0 });
  const now = async () => (await publicClient.getBlock({ blockTag: 'latest' })).timestamp;
  return {
    anvil,
    chain,
    publicClient,
    testClient,
    now,
    async actor(options = {}) {
      const account = privateKeyToAccount(options.privateKey ?? generatePrivateKey());
      if (options.fund !== false) {
        await testClient.setBalance({ address: account.address, value: parseEther('100') });
      }
      const wallet = createWalletClient({
        chain,
        transport,
        account,
        cacheTime: 0,
        pollingInterval: 50,
      });
      return { account, address: account.address, wallet };
    },
    async mineAt(timestamp) {
      await testClient.setNextBlockTimestamp({ timestamp });
      await testClient.mine({ blocks: 1 });
    },
    async stop() {
      await anvil.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Call = {
  address: Hex;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
  value?: bigint;
};

/** Simulate (so a revert surfaces with its custom error), send, and wait for a successful receipt. */
export async function write(
  testChain: TestChain,
  actor: Actor,
  call: Call,
): Promise<TransactionReceipt> {
  const { request } = await testChain.publicClient.simulateContract({
    // biome-ignore lint/suspicious/noExplicitAny: one helper for every contract's ABI
    ...(call as any),
    account: actor.account,
  });
  const hash = await actor.wallet.writeContract(request);
  const receipt = await testChain.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success', `${call.functionName} was mined but reverted`);
  return receipt;
}

/** Send without simulating, with a fixed gas limit, so a revert is mined (used to show on-chain reverts). */
export async function writeUnchecked(
  testChain: TestChain,
  actor: Actor,
  call: Call,
): Promise<TransactionReceipt> {
  // biome-ignore lint/suspicious/noExplicitAny: one helper for every contract's ABI
  const hash = await actor.wallet.writeContract({ ...(call as any), gas: 3_000_000n });
  return testChain.publicClient.waitForTransactionReceipt({ hash });
}

/** Custom errors a test file has seen a contract revert with, by name. */
export const seenErrors = new Set<string>();

/** The decoded custom error of a contract revert anywhere in a viem error chain. */
export function revertOf(error: unknown): { name: string; args: readonly unknown[] } | undefined {
  if (!(error instanceof ViemBaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError) || !reverted.data) return undefined;
  return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
}

/**
 * Assert that `call`, sent by `actor`, reverts with custom error `errorName` (and, if given, these
 * arguments), by simulating it against the latest block.
 */
export async function expectRevert(
  testChain: TestChain,
  actor: Actor | undefined,
  call: Call,
  errorName: string,
  args?: readonly unknown[],
): Promise<void> {
  let caught: unknown;
  try {
    await testChain.publicClient.simulateContract({
      // biome-ignore lint/suspicious/noExplicitAny: one helper for every contract's ABI
      ...(call as any),
      ...(actor ? { account: actor.account } : {}),
    });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught, `${call.functionName} did not revert (expected ${errorName})`);
  const revert = revertOf(caught);
  assert.equal(
    revert?.name,
    errorName,
    `${call.functionName} reverted otherwise: ${(caught as Error).message.split('\n')[0]}`,
  );
  if (args) assert.deepEqual(normalise(revert?.args ?? []), normalise(args));
  seenErrors.add(errorName);
}

/** Addresses compare case-insensitively. */
function normalise(values: readonly unknown[]): unknown[] {
  return values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v));
}

/**
 * Assert that every custom error in `abi` was seen by `expectRevert` in this file, except the
 * listed unreachable ones (each with the reason it cannot happen through this contract).
 */
export function assertEveryErrorExercised(
  abi: Abi,
  unreachable: Record<string, string> = {},
): void {
  const declared = abi.filter((item) => item.type === 'error').map((item) => item.name);
  const missing = declared.filter((name) => !seenErrors.has(name) && !(name in unreachable));
  assert.deepEqual(missing, [], `custom errors without a revert test: ${missing.join(', ')}`);
  for (const name of Object.keys(unreachable))
    assert.ok(declared.includes(name), `${name} is not in the ABI`);
}

/** The decoded logs of a receipt for one contract, as { eventName, args }. */
export { parseEventLogs } from 'viem';
