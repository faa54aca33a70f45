// Deploys a fresh set of Aegle contracts for one test file, and small builders for their inputs.
import {
  accountsAbi,
  accountsBytecode,
  aegleForwarderAbi,
  aegleForwarderBytecode,
  auditLogAbi,
  auditLogBytecode,
  certificationAbi,
  certificationBytecode,
  consentsAbi,
  consentsBytecode,
  medTokenAbi,
  medTokenBytecode,
  naiveAnchorAbi,
  naiveAnchorBytecode,
  recordsAbi,
  recordsBytecode,
} from '@aegle/contracts';
import type { Abi, Hex } from 'viem';
import { bytesToHex, getAddress } from 'viem';
import type { Actor, TestChain } from './chain.testing.ts';

export type TestDeployment = {
  /** Deployer, first authority and default admin of Certification, MedToken treasury. */
  authority: Actor;
  forwarder: Hex;
  accounts: Hex;
  certification: Hex;
  records: Hex;
  consents: Hex;
  auditLog: Hex;
  medToken: Hex;
  naiveAnchor: Hex;
};

export const TOKEN_SUPPLY = 1_000_000n * 10n ** 18n;

async function deploy(
  testChain: TestChain,
  actor: Actor,
  abi: Abi,
  bytecode: Hex,
  args: readonly unknown[],
): Promise<Hex> {
  // biome-ignore lint/suspicious/noExplicitAny: one helper for every contract's ABI
  const hash = await actor.wallet.deployContract({ abi, bytecode, args } as any);
  const receipt = await testChain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new Error(`deployment failed in tx ${hash}`);
  }
  return getAddress(receipt.contractAddress);
}

/**
 * Deploy every contract, wired as the node deploys them, from a new authority account (or the
 * account of `authorityKey`: the same key on two fresh chains yields the same addresses).
 */
export async function deployForTests(
  testChain: TestChain,
  options: { authorityKey?: Hex } = {},
): Promise<TestDeployment> {
  const authority = await testChain.actor(
    options.authorityKey ? { privateKey: options.authorityKey } : {},
  );
  const forwarder = await deploy(
    testChain,
    authority,
    aegleForwarderAbi,
    aegleForwarderBytecode,
    [],
  );
  const accounts = await deploy(testChain, authority, accountsAbi, accountsBytecode, [forwarder]);
  const certification = await deploy(
    testChain,
    authority,
    certificationAbi,
    certificationBytecode,
    [forwarder, accounts, authority.address],
  );
  const records = await deploy(testChain, authority, recordsAbi, recordsBytecode, [
    forwarder,
    accounts,
    certification,
  ]);
  const consents = await deploy(testChain, authority, consentsAbi, consentsBytecode, [
    forwarder,
    accounts,
  ]);
  const auditLog = await deploy(testChain, authority, auditLogAbi, auditLogBytecode, [
    forwarder,
    certification,
  ]);
  const medToken = await deploy(testChain, authority, medTokenAbi, medTokenBytecode, [
    authority.address,
    TOKEN_SUPPLY,
  ]);
  const naiveAnchor = await deploy(testChain, authority, naiveAnchorAbi, naiveAnchorBytecode, []);
  return {
    authority,
    forwarder,
    accounts,
    certification,
    records,
    consents,
    auditLog,
    medToken,
    naiveAnchor,
  };
}

/** 32 random bytes as hex (record ids, content roots, credential hashes). */
export function randomBytes32(): Hex {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** A plausible X25519 public key (32 bytes). */
export function encryptionKey(): Hex {
  return randomBytes32();
}
