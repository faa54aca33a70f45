// OpenZeppelin's Merkle trees, computed over bytes. Records.sol and AuditLog.sol verify batches
// with MerkleProof (commutative keccak256 of sorted pairs), and the nodes build batches as
// @openzeppelin/merkle-tree's SimpleMerkleTree lays them out. That library converts every node to
// hex and back and re-validates it; this builds the same tree directly, which tests check node
// for node against it.
import { keccak_256 } from '@noble/hashes/sha3.js';

/** keccak256 of the sorted pair: OpenZeppelin's Hashes.commutativeKeccak256 (standardNodeHash). */
export function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const [first, second] = compareBytes(a, b) <= 0 ? [a, b] : [b, a];
  const pair = new Uint8Array(first.length + second.length);
  pair.set(first);
  pair.set(second, first.length);
  return keccak_256(pair);
}

/** Byte order, as @openzeppelin/merkle-tree's `compare` orders leaves. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/**
 * SimpleMerkleTree.of(leaves) (sorted leaves, the default), as its dump lays it out: `nodes` is
 * the array form of a complete binary tree, root first (node i's children are 2i + 1 and 2i + 2),
 * leaves last in descending sorted position; leaf i of the input sits at `treeIndex[i]`.
 */
export function standardMerkleTree(leaves: readonly Uint8Array[]): {
  nodes: Uint8Array[];
  treeIndex: number[];
} {
  if (leaves.length === 0) throw new TypeError('a Merkle tree needs at least one leaf');
  for (const leaf of leaves) {
    if (leaf.length !== 32) throw new TypeError('Merkle tree leaves are 32 bytes');
  }
  // Array.prototype.sort is stable, as the library's sort of its leaves is.
  const sorted = leaves.map((hash, index) => ({ hash, index }));
  sorted.sort((x, y) => compareBytes(x.hash, y.hash));
  const nodes: Uint8Array[] = new Array(2 * leaves.length - 1);
  const treeIndex: number[] = new Array(leaves.length);
  for (const [position, { hash, index }] of sorted.entries()) {
    nodes[nodes.length - 1 - position] = hash;
    treeIndex[index] = nodes.length - 1 - position;
  }
  for (let i = nodes.length - 1 - leaves.length; i >= 0; i--) {
    nodes[i] = hashPair(nodes[2 * i + 1] as Uint8Array, nodes[2 * i + 2] as Uint8Array);
  }
  return { nodes, treeIndex };
}
