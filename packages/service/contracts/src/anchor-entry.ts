// What a record creator signs (EIP-712) and how an anchor entry becomes a Merkle leaf. Plain data,
// usable with viem's signTypedData and @openzeppelin/merkle-tree's StandardMerkleTree.

type Hex = `0x${string}`;

/** `Records.Entry`: one anchor entry, with the creator's signature. */
export type AnchorEntry = {
  /** Unique record id (nonzero). */
  recordId: Hex;
  patient: Hex;
  /** The signer: the patient, its guardian, or a certified provider or institution. */
  creator: Hex;
  /** The digest of the record's root CID (the multihash digest, 32 bytes). */
  contentRoot: Hex;
  metadataHash: Hex;
  /** The category as a bytes32 label, e.g. `bytes32Label('Observation')`. */
  category: Hex;
  /** The record id this one replaces, or 32 zero bytes. */
  supersedes: Hex;
  /**
   * OpenZeppelin keyed nonce: key << 64 | sequence. The direct path consumes it (sequence must be
   * `Records.nonces(creator, key)`); the batched path only signs it. Use key 0 (or one key per
   * device) for direct anchors, and a fresh random key per batched entry, so that a batched entry
   * someone submits directly cannot use up the creator's direct-path sequence.
   */
  nonce: bigint;
  /** Unix seconds; the entry must be anchored within `MAX_SIGNATURE_AGE` (1 day) after it. */
  signedAt: bigint;
  signature: Hex;
};

/** An anchor entry before (or without) its creator's signature: what the creator signs. */
export type UnsignedAnchorEntry = Omit<AnchorEntry, 'signature'>;

/** EIP-712 domain name and version of the Records contract (chain id and address complete it). */
export const recordsDomainName = 'Aegle Records';
export const recordsDomainVersion = '1';

/** The EIP-712 domain of a Records deployment. */
export function recordsDomain(
  chainId: number,
  verifyingContract: Hex,
): { name: string; version: string; chainId: number; verifyingContract: Hex } {
  return { name: recordsDomainName, version: recordsDomainVersion, chainId, verifyingContract };
}

/**
 * EIP-712 types of the signed message (primary type `AnchorEntry`):
 * `AnchorEntry(bytes32 recordId,address patient,address creator,bytes32 contentRoot,bytes32 metadataHash,bytes32 category,bytes32 supersedes,uint256 nonce,uint64 signedAt)`.
 */
export const anchorEntryTypes = {
  AnchorEntry: [
    { name: 'recordId', type: 'bytes32' },
    { name: 'patient', type: 'address' },
    { name: 'creator', type: 'address' },
    { name: 'contentRoot', type: 'bytes32' },
    { name: 'metadataHash', type: 'bytes32' },
    { name: 'category', type: 'bytes32' },
    { name: 'supersedes', type: 'bytes32' },
    { name: 'nonce', type: 'uint256' },
    { name: 'signedAt', type: 'uint64' },
  ],
} as const;

/**
 * Leaf encoding for `StandardMerkleTree.of(entries.map(anchorEntryLeafValues), anchorEntryLeafEncoding)`:
 * leaf = keccak256(keccak256(abi.encode(...))) over these fields in this order, signature included,
 * exactly as `Records.leafOf` computes it.
 */
export const anchorEntryLeafEncoding = [
  'bytes32',
  'address',
  'address',
  'bytes32',
  'bytes32',
  'bytes32',
  'bytes32',
  'uint256',
  'uint64',
  'bytes',
] as const;

/** The values of an entry in `anchorEntryLeafEncoding` order. */
export function anchorEntryLeafValues(
  e: AnchorEntry,
): [Hex, Hex, Hex, Hex, Hex, Hex, Hex, bigint, bigint, Hex] {
  return [
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
  ];
}
