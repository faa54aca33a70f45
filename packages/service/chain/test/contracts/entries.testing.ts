// Anchor entries for the tests: signed by a real key over the Records EIP-712 domain, and batched
// into OpenZeppelin StandardMerkleTrees exactly as a node would.
import {
  type AnchorEntry,
  anchorEntryLeafEncoding,
  anchorEntryLeafValues,
  anchorEntryTypes,
  bytes32Label,
  recordsDomain,
} from '@aegle/contracts';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { type Hex, zeroHash } from 'viem';
import type { Actor, TestChain } from './chain.testing.ts';
import { randomBytes32 } from './deploy.testing.ts';

export type EntryFields = Partial<Omit<AnchorEntry, 'signature' | 'creator'>> & { patient: Hex };

/** Fill the unspecified fields with fresh values and sign as `signer` (the creator by default). */
export async function signEntry(
  testChain: TestChain,
  records: Hex,
  creator: Actor,
  fields: EntryFields,
  options: { signer?: Actor; chainId?: number } = {},
): Promise<AnchorEntry> {
  const unsigned = {
    recordId: fields.recordId ?? randomBytes32(),
    patient: fields.patient,
    creator: creator.address,
    contentRoot: fields.contentRoot ?? randomBytes32(),
    metadataHash: fields.metadataHash ?? randomBytes32(),
    category: fields.category ?? bytes32Label('Observation'),
    supersedes: fields.supersedes ?? zeroHash,
    nonce: fields.nonce ?? 0n,
    signedAt: fields.signedAt ?? (await testChain.now()),
  };
  const signature = await (options.signer ?? creator).account.signTypedData({
    domain: recordsDomain(options.chainId ?? testChain.chain.id, records),
    types: anchorEntryTypes,
    primaryType: 'AnchorEntry',
    message: unsigned,
  });
  return { ...unsigned, signature };
}

export type EntryTree = StandardMerkleTree<ReturnType<typeof anchorEntryLeafValues>>;

/** The batch tree of `entries` (leaves sorted, as StandardMerkleTree does by default). */
export function entryTree(entries: readonly AnchorEntry[]): EntryTree {
  return StandardMerkleTree.of(entries.map(anchorEntryLeafValues), [...anchorEntryLeafEncoding]);
}

/** The inclusion proof of `entries[index]`. */
export function proofAt(tree: EntryTree, index: number): Hex[] {
  return tree.getProof(index) as Hex[];
}
