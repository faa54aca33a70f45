import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { type Hex, keccak256, toHex } from 'viem';
import { rootFromProof, standardLeaf } from './merkle-proof.ts';

const types = ['bytes32', 'address', 'uint64'];

test('leaves and proofs match OpenZeppelin StandardMerkleTree (independent implementation)', () => {
  const values = Array.from({ length: 7 }, (_, i) => [
    keccak256(toHex(`record ${i}`)),
    `0x${(i + 1).toString(16).padStart(40, '0')}`,
    BigInt(1_700_000_000 + i),
  ]);
  const tree = StandardMerkleTree.of(values, types);
  for (const [i, v] of tree.entries()) {
    const leaf = standardLeaf(types, v);
    assert.equal(leaf, tree.leafHash(v));
    assert.equal(rootFromProof(leaf, tree.getProof(i) as Hex[]), tree.root);
  }
  // A proof for another leaf does not lead to the root.
  const wrong = standardLeaf(types, values[0] as unknown[]);
  assert.notEqual(rootFromProof(wrong, tree.getProof(1) as Hex[]), tree.root);
});
