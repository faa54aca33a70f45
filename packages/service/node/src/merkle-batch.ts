import { anchorEntryLeafEncoding, auditEntryLeafEncoding } from '@aegle/contracts';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
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
  if (kind === 'anchor') {
    const e = payload as AnchorPayload;
    return {
      encoding: anchorEntryLeafEncoding,
      values: [
        e.recordId,
        e.patient,
        e.creator,
        e.contentRoot,
        e.metadataHash,
        e.category,
        e.supersedes,
        e.nonce,
        e.signedAt,
        e.signature,
      ],
    };
  }
  if (kind === 'audit') {
    const e = payload as AuditPayload;
    return {
      encoding: auditEntryLeafEncoding,
      values: [e.recordId, e.patient, e.reader, e.purpose, String(e.releasedAt)],
    };
  }
  throw new Error(`intents of kind ${kind} are not batched into Merkle roots`);
}

export type MerkleBatch = {
  root: Hex;
  entryCount: number;
  tree: unknown;
  /** The entry list as stored in content-addressed storage: any node can rebuild every proof from it. */
  listBytes: Uint8Array;
};

/** Builds the batch's tree; leaves keep the given order (leaf index i is payloads[i]). */
export function buildMerkleBatch(kind: IntentKind, payloads: readonly unknown[]): MerkleBatch {
  if (payloads.length === 0) throw new Error('an empty batch has no root');
  const leaves = payloads.map((payload) => leafOf(kind, payload));
  const encoding = [...(leaves[0]?.encoding ?? [])];
  const values = leaves.map((leaf) => leaf.values);
  const tree = StandardMerkleTree.of(values, encoding);
  const list = { format: 'aegle-batch-v1', kind, leafEncoding: encoding, values };
  return {
    root: tree.root as Hex,
    entryCount: values.length,
    tree: tree.dump(),
    listBytes: new TextEncoder().encode(JSON.stringify(list)),
  };
}

/** Loaded trees by root: loading hashes every leaf, and a batch never changes once built. */
const loadedTrees = new Map<string, StandardMerkleTree<LeafValues>>();
const LOADED_TREES_MAX = 32;

/** The inclusion proof of leaf `index` of a stored batch tree. */
export function proofFromTree(tree: unknown, index: number): { leaf: Hex; proof: Hex[] } {
  const data = tree as Parameters<typeof StandardMerkleTree.load<LeafValues>>[0];
  const root = data.tree[0] ?? '';
  let loaded = loadedTrees.get(root);
  if (!loaded) {
    loaded = StandardMerkleTree.load(data);
    if (loadedTrees.size >= LOADED_TREES_MAX)
      loadedTrees.delete(loadedTrees.keys().next().value as string);
    loadedTrees.set(root, loaded);
  }
  return {
    leaf: loaded.leafHash(loaded.at(index) as LeafValues) as Hex,
    proof: loaded.getProof(index) as Hex[],
  };
}
