import { concat, type Hex, hashDomain, hashStruct, keccak256 } from 'viem';
import { anchorEntryTypes, recordsDomain, type UnsignedAnchorEntry } from './anchor-entry.ts';

/** The Records domain's fields, in EIP-712's order (what viem derives from the domain object). */
const types = {
  EIP712Domain: [
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
  ],
  ...anchorEntryTypes,
} as const;

/** Domain separators by deployment: the same few for a process's whole life. */
const separators = new Map<string, Hex>();

/** The Records deployment's EIP-712 domain separator (Records' `_domainSeparatorV4()`). */
export function recordsDomainSeparator(chainId: number, records: Hex): Hex {
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
 * The EIP-712 digest a creator signs for an anchor entry: what `Records.entryDigest` returns on
 * chain, and what viem's `hashTypedData` gives for the Records domain. It is EIP-712's
 * keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(entry)) from viem's own `hashDomain` and
 * `hashStruct`, with the domain separator computed once per deployment, as OpenZeppelin's
 * EIP712 caches it: hashTypedData recomputes it, and validates the whole message, on every call,
 * which was half of the hashing cost of each record of an import (on the client and the node).
 */
export function anchorEntryDigest(entry: UnsignedAnchorEntry, chainId: number, records: Hex): Hex {
  return keccak256(
    concat(['0x1901', recordsDomainSeparator(chainId, records), anchorEntryStructHash(entry)]),
  );
}

/** An entry's EIP-712 struct hash (what `anchorEntryDigest` puts after the domain separator). */
export function anchorEntryStructHash(entry: UnsignedAnchorEntry): Hex {
  return hashStruct({
    data: {
      recordId: entry.recordId,
      patient: entry.patient,
      creator: entry.creator,
      contentRoot: entry.contentRoot,
      metadataHash: entry.metadataHash,
      category: entry.category,
      supersedes: entry.supersedes,
      nonce: entry.nonce,
      signedAt: entry.signedAt,
    },
    primaryType: 'AnchorEntry',
    types,
  });
}
