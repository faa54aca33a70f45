// Entries signed at once: a creator signs the root of a Merkle tree of its entries (EIP-712
// `AnchorEntryBatch(bytes32 entriesRoot)`, Records domain), and each entry carries a batch
// signature: BATCH_SIGNATURE_MAGIC ‖ the root's 65-byte signature ‖ the entry's proof. Records.sol
// accepts it wherever it accepts an entry's own signature (`_signatureValid`); these functions
// compute the same leaf, digest and root off chain, and build the tree a client signs. Proofs fold
// as OpenZeppelin's MerkleProof.processProof folds them: keccak256 of each sorted pair.
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, concat, type Hex, hexToBytes, keccak256, size, slice, toBytes } from 'viem';
import type { AnchorEntry, UnsignedAnchorEntry } from './anchor-entry.ts';
import {
  anchorEntryDigest,
  anchorEntryStructHashBytes,
  recordsTypedDataDigest,
} from './anchor-entry-digest.ts';
import { hashPair } from './standard-merkle-tree.ts';

/** EIP-712 type of a tree of entries signed at once (Records.ENTRY_BATCH_TYPEHASH). */
export const entryBatchTypes = {
  AnchorEntryBatch: [{ name: 'entriesRoot', type: 'bytes32' }],
} as const;

/** First four bytes of a batch signature (Records.BATCH_SIGNATURE_MAGIC). */
export const BATCH_SIGNATURE_MAGIC: Hex = slice(
  keccak256(toBytes('Aegle AnchorEntryBatch signature')),
  0,
  4,
);

const ROOT_SIGNATURE_BYTES = 65;
const HEADER_BYTES = 4 + ROOT_SIGNATURE_BYTES;
/** Records.MAX_BATCH_PROOF_DEPTH: a longer proof is not a batch signature. */
export const MAX_BATCH_PROOF_DEPTH = 32;

/**
 * An entry's leaf in a tree of entries signed at once (Records.entryBatchLeaf): its struct hash,
 * hashed twice, as OpenZeppelin's StandardMerkleTree hashes leaves, so that no inner node of a
 * tree can pass for a leaf.
 */
export function entryBatchLeaf(entry: UnsignedAnchorEntry): Hex {
  return bytesToHex(entryBatchLeafBytes(entry));
}

function entryBatchLeafBytes(entry: UnsignedAnchorEntry): Uint8Array {
  return keccak_256(keccak_256(anchorEntryStructHashBytes(entry)));
}

/** `AnchorEntryBatch`'s EIP-712 type hash, computed once (Records.ENTRY_BATCH_TYPEHASH). */
const ENTRY_BATCH_TYPEHASH = keccak256(toBytes('AnchorEntryBatch(bytes32 entriesRoot)'));

/**
 * The EIP-712 digest a creator signs for a tree of entries (Records.entryBatchDigest): the struct
 * hash is keccak256(ENTRY_BATCH_TYPEHASH ‖ entriesRoot), as viem's hashStruct computes it (a test
 * compares them), without re-deriving the type on every call: a node checks one per entry.
 */
export function entryBatchDigest(entriesRoot: Hex, chainId: number, records: Hex): Hex {
  return recordsTypedDataDigest(
    keccak256(concat([ENTRY_BATCH_TYPEHASH, entriesRoot])),
    chainId,
    records,
  );
}

/**
 * The root a proof leads to from an entry's leaf: OpenZeppelin's MerkleProof.processProof, each
 * step the keccak256 of the sorted pair (Hashes.commutativeKeccak256). Folded over bytes with
 * noble's keccak: @openzeppelin/merkle-tree's own processProof converts to hex and back at
 * every step, and cost a node about 0.25 ms per entry.
 */
export function entryBatchRoot(entry: UnsignedAnchorEntry, proof: readonly Hex[]): Hex {
  let node = entryBatchLeafBytes(entry);
  for (const step of proof) node = hashPair(node, hexToBytes(step));
  return bytesToHex(node);
}

/**
 * The tree of entries signed at once: its root, and each entry's proof (in input order), such
 * that `entryBatchRoot(entries[i], proofs[i])` is the root. Levels are built pairwise; a node
 * without a sibling moves up as it is (its entries' proofs skip that level), which MerkleProof
 * folds the same way. Any tree of commutative pairs verifies on chain; this one is built over
 * bytes, where @openzeppelin/merkle-tree's SimpleMerkleTree re-encodes every leaf and re-verifies
 * every proof it returns (about a third of a client's signing cost per entry).
 */
export function entryBatchTree(entries: readonly UnsignedAnchorEntry[]): {
  root: Hex;
  proofs: Hex[][];
} {
  if (entries.length === 0) throw new TypeError('a tree of entries needs at least one entry');
  let level = entries.map(entryBatchLeafBytes);
  const proofs: Uint8Array[][] = entries.map(() => []);
  const positions = entries.map((_, i) => i);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right ? hashPair(level[i] as Uint8Array, right) : (level[i] as Uint8Array));
    }
    for (const [k, position] of positions.entries()) {
      const sibling = level[position ^ 1];
      if (sibling) proofs[k]?.push(sibling);
      positions[k] = position >> 1;
    }
    level = next;
  }
  return {
    root: bytesToHex(level[0] as Uint8Array),
    proofs: proofs.map((proof) => proof.map((node) => bytesToHex(node))),
  };
}

/** An entry's batch signature: the magic, the root's signature, the entry's proof. */
export function encodeEntryBatchSignature(rootSignature: Hex, proof: readonly Hex[]): Hex {
  if (size(rootSignature) !== ROOT_SIGNATURE_BYTES) {
    throw new TypeError('a batch root signature is 65 bytes (r ‖ s ‖ v)');
  }
  if (proof.length > MAX_BATCH_PROOF_DEPTH) {
    throw new TypeError(`a batch signature's proof has at most ${MAX_BATCH_PROOF_DEPTH} levels`);
  }
  return concat([BATCH_SIGNATURE_MAGIC, rootSignature, ...proof]);
}

/**
 * The parts of a batch signature, or undefined for an entry's own signature (anything without
 * the magic and the right length), exactly as Records._signatureValid tells them apart.
 */
export function parseEntryBatchSignature(
  signature: Hex,
): { rootSignature: Hex; proof: Hex[] } | undefined {
  const length = size(signature);
  if (length < HEADER_BYTES || length > HEADER_BYTES + 32 * MAX_BATCH_PROOF_DEPTH) return undefined;
  if ((length - HEADER_BYTES) % 32 !== 0) return undefined;
  if (slice(signature, 0, 4).toLowerCase() !== BATCH_SIGNATURE_MAGIC.toLowerCase())
    return undefined;
  const proof: Hex[] = [];
  for (let at = HEADER_BYTES; at < length; at += 32) proof.push(slice(signature, at, at + 32));
  return { rootSignature: slice(signature, 4, HEADER_BYTES), proof };
}

/**
 * What an entry's signature is a signature of, as Records._signatureValid reads it: the entry's
 * own EIP-712 digest, or, for a batch signature, the digest of the root its proof leads to, with
 * the root's signature. The SDK recovers its signer from this and the node checks it, so both
 * judge an entry as the contract does. `batch`: the signature recurs in every entry of a batch.
 */
export function signedDigestOf(
  entry: AnchorEntry,
  chainId: number,
  records: Hex,
): { digest: Hex; signature: Hex; batch: boolean } {
  const batch = parseEntryBatchSignature(entry.signature);
  if (batch === undefined) {
    return {
      digest: anchorEntryDigest(entry, chainId, records),
      signature: entry.signature,
      batch: false,
    };
  }
  const root = entryBatchRoot(entry, batch.proof);
  return {
    digest: entryBatchDigest(root, chainId, records),
    signature: batch.rootSignature,
    batch: true,
  };
}

/**
 * `signedDigestOf` for many entries at once, each tree computed once: entries that carry the same
 * root signature, in the order they were signed (as a batched write sends them), are rebuilt
 * with entryBatchTree, and each entry whose proof is the rebuilt tree's proof for it shares the
 * tree's root digest, exactly what folding its proof would give. Any other entry (own signature,
 * part of a tree, another order) is judged alone by signedDigestOf. A node checking a batch of
 * n entries computes n leaves and n − 1 pairs instead of n leaves and n·log n pairs.
 */
export function signedDigestsOf(
  entries: readonly AnchorEntry[],
  chainId: number,
  records: Hex,
): { digest: Hex; signature: Hex; batch: boolean }[] {
  const out: ({ digest: Hex; signature: Hex; batch: boolean } | undefined)[] = entries.map(
    () => undefined,
  );
  const trees = new Map<
    string,
    { rootSignature: Hex; members: { index: number; proof: Hex[] }[] }
  >();
  for (const [index, entry] of entries.entries()) {
    const batch = parseEntryBatchSignature(entry.signature);
    if (batch === undefined) continue;
    const key = batch.rootSignature.toLowerCase();
    const tree = trees.get(key) ?? { rootSignature: batch.rootSignature, members: [] };
    tree.members.push({ index, proof: batch.proof });
    trees.set(key, tree);
  }
  for (const { rootSignature, members } of trees.values()) {
    const rebuilt = entryBatchTree(members.map(({ index }) => entries[index] as AnchorEntry));
    const digest = entryBatchDigest(rebuilt.root, chainId, records);
    for (const [k, { index, proof }] of members.entries()) {
      const expected = rebuilt.proofs[k] as Hex[];
      const same =
        proof.length === expected.length &&
        proof.every((node, level) => node.toLowerCase() === expected[level]?.toLowerCase());
      if (same) out[index] = { digest, signature: rootSignature, batch: true };
    }
  }
  return entries.map((entry, index) => out[index] ?? signedDigestOf(entry, chainId, records));
}
