import {
  type AnchorEntry,
  anchorEntryLeaf,
  anchorEntryLeafEncoding,
  anchorEntryLeafValues,
  auditEntryLeafEncoding,
  auditEntryLeafValues,
  standardMerkleTree,
} from '@aegle/contracts';
import { bytesToHex, concatBytes, encodeAbiParameters, hexToBytes, keccak256 } from 'viem';
import type { Hex, IntentKind } from './ports.ts';

/** The JSON payload of an 'anchor' intent: a Records.Entry with its uints as decimal strings. */
export type AnchorPayload = {
  recordId: Hex;
  patient: Hex;
  creator: Hex;
  contentRoot: Hex;
  metadataHash: Hex;
  category: Hex;
  supersedes: Hex;
  nonce: string;
  signedAt: string;
  signature: Hex;
};

/** The JSON payload of an 'audit' intent: one release (AuditLog leaf fields, releasedAt in Unix seconds). */
export type AuditPayload = {
  recordId: Hex;
  patient: Hex;
  reader: Hex;
  purpose: Hex;
  releasedAt: number;
};

type LeafValues = (string | number)[];

/** The entry an anchor payload names, its uints as bigints again. */
export function anchorEntryOf(payload: AnchorPayload): AnchorEntry {
  return { ...payload, nonce: BigInt(payload.nonce), signedAt: BigInt(payload.signedAt) };
}

const decimal = (value: string | bigint): string =>
  typeof value === 'bigint' ? value.toString() : value;

/**
 * THE leaf encoding of each batched kind, in one place: the values and ABI types whose
 * StandardMerkleTree leaf (keccak256(keccak256(abi.encode(values)))) the contracts recompute —
 * Records.leafOf for anchors, AuditLog.verifyEntry for audit entries. The encodings come from
 * @aegle/contracts, so a change to a contract's leaf shows up here.
 */
export function leafOf(
  kind: IntentKind,
  payload: unknown,
): { encoding: readonly string[]; values: LeafValues } {
  // The field order is the contracts' (anchorEntryLeafValues / auditEntryLeafValues); uints go
  // into the tree as decimal strings so trees stay JSON-serialisable for the worker and the store.
  if (kind === 'anchor') {
    const values = anchorEntryLeafValues(anchorEntryOf(payload as AnchorPayload));
    return { encoding: anchorEntryLeafEncoding, values: values.map(decimal) };
  }
  if (kind === 'audit') {
    const e = payload as AuditPayload;
    const values = auditEntryLeafValues({ ...e, releasedAt: BigInt(e.releasedAt) });
    return { encoding: auditEntryLeafEncoding, values: values.map(decimal) };
  }
  throw new Error(`intents of kind ${kind} are not batched into Merkle roots`);
}

/** OpenZeppelin's standard leaf: keccak256(keccak256(abi.encode(values))). */
function standardLeaf(encoding: readonly string[], values: LeafValues): Hex {
  const params = encoding.map((type) => ({ type }));
  const typed = values.map((v, i) => ((encoding[i] as string).startsWith('uint') ? BigInt(v) : v));
  return keccak256(keccak256(encodeAbiParameters(params, typed)));
}

export type MerkleBatch = {
  root: Hex;
  entryCount: number;
  /** Every node of the tree (StandardMerkleTree layout: root first, leaves last), 32 bytes each. */
  hashes: Uint8Array;
  /** Where entry i's leaf sits in `hashes` (the tree sorts its leaves). */
  treeIndex: number[];
  /** The entry list as stored in content-addressed storage: any node can rebuild every proof from it. */
  listBytes: Uint8Array;
};

/** Builds the batch's tree; entry i is payloads[i] (its leaf position is `treeIndex[i]`). */
export function buildMerkleBatch(kind: IntentKind, payloads: readonly unknown[]): MerkleBatch {
  if (payloads.length === 0) throw new Error('an empty batch has no root');
  const leaves = payloads.map((payload) => leafOf(kind, payload));
  const encoding = [...(leaves[0]?.encoding ?? [])];
  const values = leaves.map((leaf) => leaf.values);
  // StandardMerkleTree.of(values, encoding) builds this same tree, but re-encodes and re-checks
  // every leaf with a slow ABI coder, and hashes its nodes through hex. Here an anchor's leaf is
  // anchorEntryLeaf (Records.leafOf, encoded word by word: a third of the cost of viem's coder),
  // an audit entry's viem's coder, and the tree @aegle/contracts' standardMerkleTree (the same
  // layout).
  const leafHashes = payloads.map((payload, i) =>
    kind === 'anchor'
      ? anchorEntryLeaf(anchorEntryOf(payload as AnchorPayload))
      : standardLeaf(encoding, values[i] as LeafValues),
  );
  const { nodes, treeIndex } = standardMerkleTree(leafHashes.map((leaf) => hexToBytes(leaf)));
  const hashes = concatBytes(nodes);
  const list = { format: 'aegle-batch-v1', kind, leafEncoding: encoding, values };
  return {
    root: bytesToHex(nodes[0] as Uint8Array),
    entryCount: values.length,
    hashes,
    treeIndex,
    listBytes: new TextEncoder().encode(JSON.stringify(list)),
  };
}

/**
 * The inclusion proof of the leaf at `treeIndex`: its siblings up to the root, as OpenZeppelin's
 * MerkleProof.verify (and StandardMerkleTree.verify) expect them.
 */
export function proofFromHashes(
  hashes: Uint8Array,
  treeIndex: number,
): { leaf: Hex; proof: Hex[] } {
  const leaf = treeNodeAt(hashes, treeIndex);
  const proof: Hex[] = [];
  for (let i = treeIndex; i > 0; i = Math.floor((i - 1) / 2)) {
    proof.push(treeNodeAt(hashes, i % 2 === 1 ? i + 1 : i - 1));
  }
  return { leaf, proof };
}

/** The node at `index` of a tree stored as its hashes (32 bytes each, in tree order). */
export function treeNodeAt(hashes: Uint8Array, index: number): Hex {
  if (!Number.isInteger(index) || index < 0 || index >= hashes.length / 32)
    throw new Error('no such leaf');
  return `0x${Buffer.from(hashes.buffer, hashes.byteOffset + index * 32, 32).toString('hex')}` as Hex;
}
