import { anchorEntryLeafEncoding, anchorEntryLeafValues } from '@aegle/contracts';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import type { Hex } from 'viem';
import { BatchMismatchError } from './errors.ts';
import { type RecordEntry, recordLeaf } from './record-entry.ts';

type RecordLeafValue = ReturnType<typeof anchorEntryLeafValues>;

export type RecordBatch = {
  /** The Merkle root to pass to Records.commitBatch. */
  root: Hex;
  entries: RecordEntry[];
  /** The proof of entries[i] is proofs[i]. */
  proofs: Hex[][];
  leaves: Hex[];
  /** OpenZeppelin's tree dump: store it beside the entry list to rebuild proofs without recomputing. */
  tree: StandardMerkleTree<RecordLeafValue>;
};

/**
 * Build a batch as Records.sol expects it: a StandardMerkleTree (sorted leaves) of the entries in
 * leafOf's encoding, with the proof of every entry. Any node holding the entry list rebuilds the
 * same root, whatever the order of the list.
 */
export function buildRecordBatch(entries: readonly RecordEntry[]): RecordBatch {
  if (entries.length === 0) {
    throw new BatchMismatchError('a batch needs at least one entry', {
      hint: 'commit only when entries are pending',
    });
  }
  const tree = StandardMerkleTree.of(entries.map(anchorEntryLeafValues), [
    ...anchorEntryLeafEncoding,
  ]);
  const proofs: Hex[][] = [];
  for (const [i] of tree.entries()) proofs[i] = tree.getProof(i) as Hex[];
  return {
    root: tree.root as Hex,
    entries: [...entries],
    proofs,
    leaves: entries.map(recordLeaf),
    tree,
  };
}

/** Verify one entry against a root, off chain. */
export function verifyRecordProof(root: Hex, entry: RecordEntry, proof: readonly Hex[]): boolean {
  return StandardMerkleTree.verify(
    root,
    [...anchorEntryLeafEncoding],
    anchorEntryLeafValues(entry),
    [...proof],
  );
}
