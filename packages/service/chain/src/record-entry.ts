import {
  type Address,
  encodeAbiParameters,
  type Hex,
  keccak256,
  type LocalAccount,
  parseAbiParameters,
} from 'viem';

/** An anchor entry exactly as Records.sol's `Entry` struct (all bytes32 values as 0x-hex). */
export type RecordEntry = {
  recordId: Hex;
  patient: Address;
  creator: Address;
  /** The CID's multihash digest. */
  contentRoot: Hex;
  metadataHash: Hex;
  category: Hex;
  /** The record this one replaces, or bytes32(0). */
  supersedes: Hex;
  nonce: bigint;
  /** Unix seconds. */
  signedAt: bigint;
  signature: Hex;
};

export type UnsignedRecordEntry = Omit<RecordEntry, 'signature'>;

/** The StandardMerkleTree leaf encoding of an entry, in Records.leafOf's order. */
export const recordLeafEncoding = [
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

export type RecordLeafValue = [Hex, Address, Address, Hex, Hex, Hex, Hex, bigint, bigint, Hex];

export function recordLeafValue(e: RecordEntry): RecordLeafValue {
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

/** Records.leafOf: keccak256(bytes.concat(keccak256(abi.encode(entry fields...)))). */
export function recordLeaf(e: RecordEntry): Hex {
  const encoded = encodeAbiParameters(
    parseAbiParameters(
      'bytes32, address, address, bytes32, bytes32, bytes32, bytes32, uint256, uint64, bytes',
    ),
    recordLeafValue(e),
  );
  return keccak256(keccak256(encoded));
}

/** The EIP-712 domain of one Records deployment. */
export function recordsDomain(chainId: number, records: Address) {
  return { name: 'Aegle Records', version: '1', chainId, verifyingContract: records } as const;
}

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

/** The creator signs an entry (EIP-712, bound to the chain id and the Records contract). */
export async function signRecordEntry(
  creator: LocalAccount,
  domain: { chainId: number; records: Address },
  entry: UnsignedRecordEntry,
): Promise<RecordEntry> {
  const signature = await creator.signTypedData({
    domain: recordsDomain(domain.chainId, domain.records),
    types: anchorEntryTypes,
    primaryType: 'AnchorEntry',
    message: entry,
  });
  return { ...entry, signature };
}
