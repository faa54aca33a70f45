// Deploys a fresh set of Aegle contracts for one test file, and small builders for their inputs.
import { naiveAnchorAbi, naiveAnchorBytecode } from '@aegle/contracts';
import type { Hex } from 'viem';
import { bytesToHex, getAddress } from 'viem';
import { deployAegle } from '../../src/deploy-aegle.ts';
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

/**
 * Deploy every contract exactly as the node does (deployAegle), from a new authority account (or
 * the account of `authorityKey`: the same key on two fresh chains yields the same addresses), plus
 * the NaiveAnchor baseline. No account is given the node role: tests grant it where they need it.
 */
export async function deployForTests(
  testChain: TestChain,
  options: { authorityKey?: Hex } = {},
): Promise<TestDeployment> {
  const authority = await testChain.actor(
    options.authorityKey ? { privateKey: options.authorityKey } : {},
  );
  const { contracts } = await deployAegle(
    {
      publicClient: testChain.publicClient,
      walletClient: authority.wallet,
      chain: testChain.chain,
    },
    { tokenSupply: TOKEN_SUPPLY, nodes: [] },
  );
  const hash = await authority.wallet.deployContract({
    abi: naiveAnchorAbi,
    bytecode: naiveAnchorBytecode,
  });
  const receipt = await testChain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new Error(`NaiveAnchor deployment failed in tx ${hash}`);
  }
  return { authority, ...contracts, naiveAnchor: getAddress(receipt.contractAddress) };
}

/** 32 random bytes as hex (record ids, content roots, credential hashes). */
export function randomBytes32(): Hex {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** A plausible X25519 public key (32 bytes). */
export function encryptionKey(): Hex {
  return randomBytes32();
}
