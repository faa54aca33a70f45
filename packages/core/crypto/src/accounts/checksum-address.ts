import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, utf8ToBytes } from '../bytes.ts';
import { InvalidAddressError } from '../errors.ts';
import type { Address } from './account.ts';

const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{40}$/;

/**
 * Returns the EIP-55 checksummed form of an address: a hex letter is upper case when the
 * matching nibble of keccak256(lowercase hex) is 8 or more.
 *
 * Throws `InvalidAddressError` if the input is not 0x + 40 hex digits, or if it is mixed case
 * with a wrong checksum (all-lower and all-upper inputs carry no checksum and are accepted).
 */
export function toChecksumAddress(address: string): Address {
  if (!ADDRESS_PATTERN.test(address))
    throw new InvalidAddressError('not 0x followed by 40 hex digits');
  const checksummed = checksum(address.slice(2).toLowerCase());
  const body = address.slice(2);
  const hasChecksum = body !== body.toLowerCase() && body !== body.toUpperCase();
  if (hasChecksum && checksummed !== address)
    throw new InvalidAddressError('EIP-55 checksum mismatch');
  return checksummed;
}

/** True if `address` is 0x + 40 hex digits in exactly its EIP-55 checksummed case. */
export function isChecksumAddress(address: string): address is Address {
  return ADDRESS_PATTERN.test(address) && checksum(address.slice(2).toLowerCase()) === address;
}

function checksum(lowerHex: string): Address {
  const hash = bytesToHex(keccak_256(utf8ToBytes(lowerHex)));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const char = lowerHex[i] as string;
    out += Number.parseInt(hash[i] as string, 16) >= 8 ? char.toUpperCase() : char;
  }
  return out as Address;
}
