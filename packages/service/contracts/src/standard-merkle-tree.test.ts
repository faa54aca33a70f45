import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimpleMerkleTree } from '@openzeppelin/merkle-tree';
import { bytesToHex } from 'viem';
import { standardMerkleTree } from './standard-merkle-tree.ts';

const leaf = () => crypto.getRandomValues(new Uint8Array(32));

test("standardMerkleTree is SimpleMerkleTree.of's tree node for node, with the same leaf positions (1 to 40 leaves, repeats included)", () => {
  for (let count = 1; count <= 40; count++) {
    const leaves = Array.from({ length: count }, leaf);
    // A repeated leaf (the same entry twice): stable order decides positions, as in the library.
    if (count > 3) leaves[3] = (leaves[1] as Uint8Array<ArrayBuffer>).slice();
    const expected = SimpleMerkleTree.of(leaves).dump();
    const { nodes, treeIndex } = standardMerkleTree(leaves);
    assert.deepEqual(
      nodes.map((node) => bytesToHex(node)),
      expected.tree,
      `${count} leaves`,
    );
    assert.deepEqual(
      treeIndex,
      expected.values.map((v) => v.treeIndex),
      `${count} leaves`,
    );
  }
});

test('standardMerkleTree refuses no leaves and leaves that are not 32 bytes', () => {
  assert.throws(() => standardMerkleTree([]), TypeError);
  assert.throws(() => standardMerkleTree([new Uint8Array(31)]), TypeError);
});
