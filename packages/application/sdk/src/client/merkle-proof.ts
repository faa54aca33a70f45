import { concat, encodeAbiParameters, type Hex, keccak256 } from 'viem';

/**
 * OpenZeppelin StandardMerkleTree's leaf: keccak256(keccak256(abi.encode(values))). The double
 * hash keeps a leaf from ever being mistaken for an inner node.
 */
export function standardLeaf(types: readonly string[], values: readonly unknown[]): Hex {
  const encoded = encodeAbiParameters(
    types.map((type) => ({ type })),
    values as unknown[],
  );
  return keccak256(keccak256(encoded));
}

/** OpenZeppelin MerkleProof.processProof: sorted pairs, keccak256. */
export function rootFromProof(leaf: Hex, proof: readonly Hex[]): Hex {
  let node = leaf;
  for (const sibling of proof) {
    node =
      BigInt(node) < BigInt(sibling)
        ? keccak256(concat([node, sibling]))
        : keccak256(concat([sibling, node]));
  }
  return node;
}
