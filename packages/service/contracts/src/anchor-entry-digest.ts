import { concat, encodeAbiParameters, type Hex, hashDomain, keccak256, toBytes } from 'viem';
import { anchorEntryTypes, recordsDomain, type UnsignedAnchorEntry } from './anchor-entry.ts';

/** The Records domain's fields, in EIP-712's order (what viem derives from the domain object). */
const types = {
  EIP712Domain: [
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
  ],
} as const;

/** Domain separators by deployment: the same few for a process's whole life. */
const separators = new Map<string, Hex>();

/** The Records deployment's EIP-712 domain separator (Records' `_domainSeparatorV4()`). */
function recordsDomainSeparator(chainId: number, records: Hex): Hex {
  const key = `${chainId}:${records.toLowerCase()}`;
  let separator = separators.get(key);
  if (separator === undefined) {
    const domain = recordsDomain(chainId, records);
    separator = hashDomain({ domain: { ...domain, chainId: BigInt(domain.chainId) }, types });
    separators.set(key, separator);
  }
  return separator;
}

/**
 * EIP-712's keccak256(0x1901 ‖ domainSeparator ‖ structHash) in a Records deployment's domain:
 * what Records' `_hashTypedDataV4` returns, with the separator computed once per deployment, as
 * OpenZeppelin's EIP712 caches it (viem's hashTypedData recomputes it, and revalidates the
 * message, on every call).
 */
export function recordsTypedDataDigest(structHash: Hex, chainId: number, records: Hex): Hex {
  return keccak256(concat(['0x1901', recordsDomainSeparator(chainId, records), structHash]));
}

/**
 * The EIP-712 digest a creator signs for an anchor entry: what `Records.entryDigest` returns on
 * chain, and what viem's `hashTypedData` gives for the Records domain. Computing it this way
 * instead was half of the hashing cost of each record of an import (on the client and the node).
 */
export function anchorEntryDigest(entry: UnsignedAnchorEntry, chainId: number, records: Hex): Hex {
  return recordsTypedDataDigest(anchorEntryStructHash(entry), chainId, records);
}

/**
 * `AnchorEntry`'s EIP-712 type hash, computed once as Records.ENTRY_TYPEHASH is: the keccak256 of
 * its encodeType, which for a struct without nested structs is `Name(type name,…)`. viem's
 * hashStruct recomputes it, and re-derives the field types, on every call.
 */
const ENTRY_TYPEHASH = keccak256(
  toBytes(
    `AnchorEntry(${anchorEntryTypes.AnchorEntry.map((f) => `${f.type} ${f.name}`).join(',')})`,
  ),
);
const ENTRY_STRUCT_PARAMS = [
  { type: 'bytes32' },
  ...anchorEntryTypes.AnchorEntry.map((f) => ({ type: f.type })),
] as const;

/**
 * An entry's EIP-712 struct hash (what `anchorEntryDigest` puts after the domain separator):
 * keccak256(abi.encode(ENTRY_TYPEHASH, fields…)), as Records._entryStructHash computes it, and as
 * viem's hashStruct does (a test compares them), with the type hash computed once.
 */
export function anchorEntryStructHash(entry: UnsignedAnchorEntry): Hex {
  return keccak256(
    encodeAbiParameters(ENTRY_STRUCT_PARAMS, [
      ENTRY_TYPEHASH,
      entry.recordId,
      entry.patient,
      entry.creator,
      entry.contentRoot,
      entry.metadataHash,
      entry.category,
      entry.supersedes,
      entry.nonce,
      entry.signedAt,
    ]),
  );
}
