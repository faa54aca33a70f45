import { standardMerkleTree } from '@aegle/contracts';
import { SimpleMerkleTree } from '@openzeppelin/merkle-tree';
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { BatchMismatchError } from './errors.ts';
import { type RecordEntry, recordLeaf } from './record-entry.ts';

export type RecordBatch = {
  /** The Merkle root to pass to Records.commitBatch. */
  root: Hex;
  entries: RecordEntry[];
  /** The proof of entries[i] is proofs[i]. */
  proofs: Hex[][];
  leaves: Hex[];
  /** OpenZeppelin's tree over the leaves: its dump rebuilds proofs without recomputing. */
  tree: SimpleMerkleTree;
};

/**
 * Build a batch as Records.sol expects it: OpenZeppelin's standard tree (sorted leaves, sorted
 * pairs) of the entries' leaves in leafOf's encoding, with the proof of every entry. Any node
 * holding the entry list rebuilds the same root, whatever the order of the list. The leaves are
 * hashed here (recordLeaf) and given to SimpleMerkleTree: the same tree as
 * StandardMerkleTree.of(values), without its per-leaf re-encoding and re-validation, which cost
 * most of a millisecond per entry.
 */
export function buildRecordBatch(entries: readonly RecordEntry[]): RecordBatch {
  const leaves = leavesOf(entries);
  const tree = SimpleMerkleTree.of(leaves);
  const proofs = leaves.map((_, i) => tree.getProof(i) as Hex[]);
  return { root: tree.root as Hex, entries: [...entries], proofs, leaves, tree };
}

/**
 * The root and leaves of a batch, without the proofs: what an indexer needs to check an entry
 * list against the root committed on chain.
 */
export function recordBatchRoot(entries: readonly RecordEntry[]): { root: Hex; leaves: Hex[] } {
  // SimpleMerkleTree.of(leaves).root, without its hex round trips at every node.
  return recordBatchRootOfLeaves(leavesOf(entries));
}

/**
 * The root of a batch whose leaves are known already (a node's own batch: its Merkle thread
 * hashed them from the entries it stored): the tree only, without hashing each entry again.
 */
export function recordBatchRootOfLeaves(leaves: readonly Hex[]): { root: Hex; leaves: Hex[] } {
  assertNotEmpty(leaves);
  const { nodes } = standardMerkleTree(leaves.map((leaf) => hexToBytes(leaf)));
  return { root: bytesToHex(nodes[0] as Uint8Array), leaves: [...leaves] };
}

function leavesOf(entries: readonly RecordEntry[]): Hex[] {
  assertNotEmpty(entries);
  return entries.map(recordLeaf);
}

function assertNotEmpty(batch: readonly unknown[]): void {
  if (batch.length === 0) {
    throw new BatchMismatchError('a batch needs at least one entry', {
      hint: 'commit only when entries are pending',
    });
  }
}

/** Verify one entry against a root, off chain. */
export function verifyRecordProof(root: Hex, entry: RecordEntry, proof: readonly Hex[]): boolean {
  return SimpleMerkleTree.verify(root, recordLeaf(entry), [...proof]);
}
