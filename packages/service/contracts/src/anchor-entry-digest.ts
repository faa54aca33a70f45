import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, type Hex, hashDomain, hexToBytes, keccak256, toBytes } from 'viem';
import { AbiWords, encodeWithBytesTail } from './abi-words.ts';
import {
  type AnchorEntry,
  anchorEntryTypes,
  recordsDomain,
  type UnsignedAnchorEntry,
} from './anchor-entry.ts';

/** The Records domain's fields, in EIP-712's order (what viem derives from the domain object). */
const types = {
  EIP712Domain: [
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
  ],
} as const;

/**
 * `0x1901 ‖ domain separator` by Records deployment, the same few for a process's whole life:
 * the first 34 bytes of every digest in that domain.
 */
const digestPrefixes = new Map<string, Uint8Array>();

/** 0x1901 and the Records deployment's EIP-712 domain separator (`_domainSeparatorV4()`). */
function recordsDigestPrefix(chainId: number, records: Hex): Uint8Array {
  const key = `${chainId}:${records.toLowerCase()}`;
  let prefix = digestPrefixes.get(key);
  if (prefix === undefined) {
    const domain = recordsDomain(chainId, records);
    const separator = hashDomain({ domain: { ...domain, chainId: BigInt(domain.chainId) }, types });
    prefix = new Uint8Array(34);
    prefix.set([0x19, 0x01]);
    prefix.set(hexToBytes(separator), 2);
    digestPrefixes.set(key, prefix);
  }
  return prefix;
}

/**
 * EIP-712's keccak256(0x1901 ‖ domainSeparator ‖ structHash) in a Records deployment's domain:
 * what Records' `_hashTypedDataV4` returns, with the separator computed once per deployment, as
 * OpenZeppelin's EIP712 caches it (viem's hashTypedData recomputes it, and revalidates the
 * message, on every call).
 */
export function recordsTypedDataDigest(structHash: Hex, chainId: number, records: Hex): Hex {
  return bytesToHex(recordsTypedDataDigestBytes(hexToBytes(structHash), chainId, records));
}

/** `recordsTypedDataDigest` over bytes. */
export function recordsTypedDataDigestBytes(
  structHash: Uint8Array,
  chainId: number,
  records: Hex,
): Uint8Array {
  if (structHash.length !== 32) throw new TypeError('an EIP-712 struct hash is 32 bytes');
  const message = new Uint8Array(66);
  message.set(recordsDigestPrefix(chainId, records));
  message.set(structHash, 34);
  return keccak_256(message);
}

/**
 * The EIP-712 digest a creator signs for an anchor entry: what `Records.entryDigest` returns on
 * chain, and what viem's `hashTypedData` gives for the Records domain. Computing it this way
 * instead was half of the hashing cost of each record of an import (on the client and the node).
 */
export function anchorEntryDigest(entry: UnsignedAnchorEntry, chainId: number, records: Hex): Hex {
  return bytesToHex(
    recordsTypedDataDigestBytes(anchorEntryStructHashBytes(entry), chainId, records),
  );
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

/** The entry's fields as ABI words, in `AnchorEntry`'s order (the struct and the leaf share them). */
function writeEntryFields(words: AbiWords, entry: UnsignedAnchorEntry): AbiWords {
  return words
    .bytes32(entry.recordId)
    .address(entry.patient)
    .address(entry.creator)
    .bytes32(entry.contentRoot)
    .bytes32(entry.metadataHash)
    .bytes32(entry.category)
    .bytes32(entry.supersedes)
    .uint(entry.nonce, 256)
    .uint(entry.signedAt, 64);
}

/**
 * An entry's EIP-712 struct hash (what `anchorEntryDigest` puts after the domain separator):
 * keccak256(abi.encode(ENTRY_TYPEHASH, fields…)), as Records._entryStructHash computes it, and as
 * viem's hashStruct does (a test compares them), with the type hash computed once.
 */
export function anchorEntryStructHash(entry: UnsignedAnchorEntry): Hex {
  return bytesToHex(anchorEntryStructHashBytes(entry));
}

/** `anchorEntryStructHash` as bytes. */
export function anchorEntryStructHashBytes(entry: UnsignedAnchorEntry): Uint8Array {
  return writeEntryFields(new AbiWords(10).bytes32(ENTRY_TYPEHASH), entry).keccak();
}

/**
 * An anchored entry's leaf, as Records.leafOf computes it: keccak256(keccak256(abi.encode(fields…,
 * signature))), the leaf of OpenZeppelin's StandardMerkleTree over `anchorEntryLeafEncoding`.
 */
export function anchorEntryLeaf(entry: AnchorEntry): Hex {
  const encoded = encodeWithBytesTail(
    9,
    (words) => writeEntryFields(words, entry),
    entry.signature,
  );
  return bytesToHex(keccak_256(keccak_256(encoded)));
}
