import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { encodeAbiParameters, keccak256, parseAbiParameters } from 'viem';
import { anchorPayload, hexOf } from './anchor-payload.testing.ts';
import { type AuditPayload, buildMerkleBatch, leafOf, proofFromHashes } from './merkle-batch.ts';

const audit = (n: number): AuditPayload => ({
  recordId: hexOf(n + 1, 32),
  patient: hexOf(1, 20),
  reader: hexOf(2, 20),
  purpose: hexOf(3, 32),
  releasedAt: 1_700_000_000 + n,
});

test('leaves are what the contracts compute: keccak256(keccak256(abi.encode(fields)))', () => {
  // Independent of @openzeppelin/merkle-tree: viem's ABI encoder and keccak.
  const a = audit(4);
  const auditLeaf = keccak256(
    keccak256(
      encodeAbiParameters(parseAbiParameters('bytes32, address, address, bytes32, uint64'), [
        a.recordId,
        a.patient,
        a.reader,
        a.purpose,
        BigInt(a.releasedAt),
      ]),
    ),
  );
  const e = anchorPayload(9);
  const anchorLeaf = keccak256(
    keccak256(
      encodeAbiParameters(
        parseAbiParameters(
          'bytes32, address, address, bytes32, bytes32, bytes32, bytes32, uint256, uint64, bytes',
        ),
        [
          e.recordId,
          e.patient,
          e.creator,
          e.contentRoot,
          e.metadataHash,
          e.category,
          e.supersedes,
          BigInt(e.nonce),
          BigInt(e.signedAt),
          e.signature,
        ],
      ),
    ),
  );
  for (const [kind, payload, expected] of [
    ['audit', a, auditLeaf],
    ['anchor', e, anchorLeaf],
  ] as const) {
    const batch = buildMerkleBatch(kind, [payload]);
    assert.equal(batch.root, expected, `${kind}: a one-entry tree's root is its leaf`);
    const { encoding, values } = leafOf(kind, payload);
    assert.equal(StandardMerkleTree.of([values], [...encoding]).leafHash(values), expected);
  }
});

test('proofs from the stored node hashes are the library proofs, for every leaf of trees of many sizes, of both kinds', () => {
  const kinds = [
    ['audit', audit],
    ['anchor', anchorPayload],
  ] as const;
  for (const [kind, make] of kinds) {
    for (const size of [1, 2, 3, 5, 8, 13, 100]) {
      const payloads = Array.from({ length: size }, (_, i) => make(i));
      const batch = buildMerkleBatch(kind, payloads);
      assert.equal(batch.hashes.length, (2 * size - 1) * 32);
      const { encoding } = leafOf(kind, payloads[0]);
      const tree = StandardMerkleTree.of(
        payloads.map((p) => leafOf(kind, p).values),
        [...encoding],
      );
      assert.equal(batch.root, tree.root, `${kind} × ${size}`);
      payloads.forEach((payload, i) => {
        const { leaf, proof } = proofFromHashes(batch.hashes, batch.treeIndex[i] ?? -1);
        const values = leafOf(kind, payload).values;
        assert.equal(leaf, tree.leafHash(values));
        assert.deepEqual(proof, tree.getProof(values));
        assert.ok(StandardMerkleTree.verify(batch.root, [...encoding], values, proof));
      });
    }
  }
  assert.throws(() => proofFromHashes(buildMerkleBatch('audit', [audit(1)]).hashes, 1));
});
