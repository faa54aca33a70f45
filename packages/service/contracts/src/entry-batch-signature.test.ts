import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimpleMerkleTree } from '@openzeppelin/merkle-tree';
import { type Hex, hashTypedData, toHex } from 'viem';
import { recordsDomain, type UnsignedAnchorEntry } from './anchor-entry.ts';
import { anchorEntryDigest } from './anchor-entry-digest.ts';
import {
  BATCH_SIGNATURE_MAGIC,
  encodeEntryBatchSignature,
  entryBatchDigest,
  entryBatchLeaf,
  entryBatchRoot,
  entryBatchTree,
  entryBatchTypes,
  MAX_BATCH_PROOF_DEPTH,
  parseEntryBatchSignature,
  signedDigestOf,
  signedDigestsOf,
} from './entry-batch-signature.ts';

const random32 = (): Hex => toHex(crypto.getRandomValues(new Uint8Array(32)));
const entry = (): UnsignedAnchorEntry => ({
  recordId: random32(),
  patient: toHex(crypto.getRandomValues(new Uint8Array(20))),
  creator: toHex(crypto.getRandomValues(new Uint8Array(20))),
  contentRoot: random32(),
  metadataHash: random32(),
  category: random32(),
  supersedes: random32(),
  nonce: 5n << 64n,
  signedAt: 1_700_000_000n,
});

test("entryBatchTree: every entry's proof leads to its root, and another entry's does not (1 to 33 entries)", () => {
  for (const count of [1, 2, 3, 5, 7, 8, 13, 32, 33]) {
    const entries = Array.from({ length: count }, entry);
    const { root, proofs } = entryBatchTree(entries);
    assert.equal(proofs.length, count);
    for (const [i, e] of entries.entries()) {
      assert.equal(entryBatchRoot(e, proofs[i] as Hex[]), root, `${count}/${i}`);
      assert.ok((proofs[i] as Hex[]).length <= Math.ceil(Math.log2(count)));
    }
    if (count > 1) {
      assert.notEqual(entryBatchRoot(entries[0] as UnsignedAnchorEntry, proofs[1] as Hex[]), root);
    } else {
      assert.equal(root, entryBatchLeaf(entries[0] as UnsignedAnchorEntry));
    }
  }
  assert.throws(() => entryBatchTree([]), TypeError);
});

test("entryBatchRoot folds proofs as OpenZeppelin's MerkleProof does (SimpleMerkleTree's trees, 1 to 33 entries)", () => {
  for (const count of [1, 2, 3, 5, 8, 13, 32, 33]) {
    const entries = Array.from({ length: count }, entry);
    const tree = SimpleMerkleTree.of(entries.map(entryBatchLeaf));
    for (const [i, e] of entries.entries()) {
      assert.equal(entryBatchRoot(e, tree.getProof(i) as Hex[]), tree.root, `${count}/${i}`);
    }
    // Another entry's proof, or a changed field, leads elsewhere.
    if (count > 1) {
      const [a] = entries as [UnsignedAnchorEntry];
      assert.notEqual(entryBatchRoot(a, tree.getProof(1) as Hex[]), tree.root);
      assert.notEqual(entryBatchRoot({ ...a, signedAt: 1n }, tree.getProof(0) as Hex[]), tree.root);
    }
  }
});

test('a batch signature parses back to its parts; anything else is an entry signature', () => {
  const rootSignature = toHex(crypto.getRandomValues(new Uint8Array(65)));
  const proof = [random32(), random32(), random32()];
  const signature = encodeEntryBatchSignature(rootSignature, proof);
  assert.equal(signature.slice(0, 10), BATCH_SIGNATURE_MAGIC);
  assert.deepEqual(parseEntryBatchSignature(signature), { rootSignature, proof });
  assert.deepEqual(parseEntryBatchSignature(encodeEntryBatchSignature(rootSignature, [])), {
    rootSignature,
    proof: [],
  });
  for (const other of [
    rootSignature,
    signature.slice(0, -2) as Hex,
    `0x00000000${signature.slice(10)}` as Hex,
    '0x' as Hex,
  ]) {
    assert.equal(parseEntryBatchSignature(other), undefined, other.slice(0, 20));
  }
  assert.throws(() => encodeEntryBatchSignature(random32(), proof), TypeError);
  // At most MAX_BATCH_PROOF_DEPTH levels, as Records.sol reads them: a longer one is not a batch
  // signature (and then not a valid signature at all).
  const deepest = Array.from({ length: MAX_BATCH_PROOF_DEPTH }, random32);
  assert.equal(
    parseEntryBatchSignature(encodeEntryBatchSignature(rootSignature, deepest))?.proof.length,
    MAX_BATCH_PROOF_DEPTH,
  );
  assert.throws(
    () => encodeEntryBatchSignature(rootSignature, [...deepest, random32()]),
    TypeError,
  );
  const tooDeep =
    `${encodeEntryBatchSignature(rootSignature, deepest)}${random32().slice(2)}` as Hex;
  assert.equal(parseEntryBatchSignature(tooDeep), undefined);
});

test("entryBatchDigest is viem's hashTypedData of AnchorEntryBatch in the Records domain", () => {
  for (let i = 0; i < 10; i++) {
    const root = random32();
    const records = toHex(crypto.getRandomValues(new Uint8Array(20)));
    for (const chainId of [1, 31337]) {
      assert.equal(
        entryBatchDigest(root, chainId, records),
        hashTypedData({
          domain: recordsDomain(chainId, records),
          types: entryBatchTypes,
          primaryType: 'AnchorEntryBatch',
          message: { entriesRoot: root },
        }),
      );
    }
  }
});

test('signedDigestOf: an own signature signs the entry digest; a batch signature, its root digest', () => {
  const records = toHex(crypto.getRandomValues(new Uint8Array(20)));
  const entries = Array.from({ length: 3 }, entry);
  const own = toHex(crypto.getRandomValues(new Uint8Array(65)));
  assert.deepEqual(
    signedDigestOf({ ...(entries[0] as UnsignedAnchorEntry), signature: own }, 1, records),
    {
      digest: anchorEntryDigest(entries[0] as UnsignedAnchorEntry, 1, records),
      signature: own,
      batch: false,
    },
  );
  const { root, proofs } = entryBatchTree(entries);
  const rootSignature = toHex(crypto.getRandomValues(new Uint8Array(65)));
  for (const [i, e] of entries.entries()) {
    const signature = encodeEntryBatchSignature(rootSignature, proofs[i] as Hex[]);
    assert.deepEqual(signedDigestOf({ ...e, signature }, 1, records), {
      digest: entryBatchDigest(root, 1, records),
      signature: rootSignature,
      batch: true,
    });
  }
});

test('signedDigestsOf gives what signedDigestOf gives each entry: whole trees, parts, other orders, own signatures, forged proofs', () => {
  const records = toHex(crypto.getRandomValues(new Uint8Array(20)));
  const signedTree = (count: number) => {
    const entries = Array.from({ length: count }, entry);
    const { proofs } = entryBatchTree(entries);
    const rootSignature = toHex(crypto.getRandomValues(new Uint8Array(65)));
    return entries.map((e, i) => ({
      ...e,
      signature: encodeEntryBatchSignature(rootSignature, proofs[i] as Hex[]),
    }));
  };
  const a = signedTree(13);
  const b = signedTree(5);
  const c = signedTree(8);
  const own = { ...entry(), signature: toHex(crypto.getRandomValues(new Uint8Array(65))) };
  // A proof that leads nowhere (its first node changed): judged alone, to another root.
  const forged = { ...(c[2] as (typeof c)[number]) };
  forged.signature =
    `${forged.signature.slice(0, 2 + 2 * 69)}${'ab'.repeat(32)}${forged.signature.slice(2 + 2 * 101)}` as Hex;
  const cases = [
    a, // one whole tree, in order
    [...a, ...b, own], // two trees and an own signature
    [...a].reverse(), // a whole tree in another order: each entry folded alone
    a.slice(0, 6), // part of a tree
    [...c.slice(0, 2), forged, ...c.slice(3)], // a tree with one forged proof
  ];
  for (const [n, entries] of cases.entries()) {
    assert.deepEqual(
      signedDigestsOf(entries, 31337, records),
      entries.map((e) => signedDigestOf(e, 31337, records)),
      `case ${n}`,
    );
  }
  // The forged entry does not share its tree's digest; the others do.
  const judged = signedDigestsOf([...c.slice(0, 2), forged, ...c.slice(3)], 31337, records);
  assert.notEqual(judged[2]?.digest, judged[0]?.digest);
  assert.equal(judged[3]?.digest, judged[0]?.digest);
});
