// ABI encoding (abi.encode) of the few fixed-shape tuples that are hashed once per record, on the
// client and on the node: an anchor entry's EIP-712 struct and its Records.leafOf leaf. viem's
// encodeAbiParameters resolves and validates its parameter list on every call, about 20 µs of a
// record's 30 µs struct hash; these write the same 32-byte words straight into one buffer, and
// refuse what viem refuses (a wrong length, a non-hex digit, a number out of range). Tests compare
// their output with encodeAbiParameters on random and edge-case values.
import { keccak_256 } from '@noble/hashes/sha3.js';
import { type Hex, InvalidAddressError, InvalidHexValueError, isAddress } from 'viem';

const WORD = 32;

/** A hex digit's value by char code; -1 for anything else. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}

/**
 * Writes the bytes of `0x…` hex into `out` at `offset` (no Buffer: this runs in browsers too).
 * Throws viem's InvalidHexValueError for anything but `0x` and an even count of hex digits.
 */
function writeHex(out: Uint8Array, offset: number, value: Hex): number {
  if (typeof value !== 'string' || value.length % 2 !== 0 || !value.startsWith('0x')) {
    throw new InvalidHexValueError(value);
  }
  const length = (value.length - 2) / 2;
  for (let i = 0; i < length; i++) {
    const high = NIBBLE[value.charCodeAt(2 + 2 * i)] ?? -1;
    const low = NIBBLE[value.charCodeAt(3 + 2 * i)] ?? -1;
    if (high < 0 || low < 0) throw new InvalidHexValueError(value);
    out[offset + i] = (high << 4) | low;
  }
  return length;
}

/** Writes ABI words into a fixed buffer: each call fills the next 32-byte word. */
export class AbiWords {
  readonly bytes: Uint8Array;
  #at = 0;

  constructor(words: number) {
    this.bytes = new Uint8Array(words * WORD);
  }

  /** A `bytes32` value: exactly 32 bytes of hex. */
  bytes32(value: Hex): this {
    this.#hex(value, WORD, 0);
    return this;
  }

  /**
   * An `address`: 20 bytes of hex, right-aligned in its word. A mixed-case one must carry its
   * EIP-55 checksum, as viem requires (isAddress caches what it has checked).
   */
  address(value: Hex): this {
    if (!isAddress(value)) throw new InvalidAddressError({ address: value });
    this.#hex(value, 20, WORD - 20);
    return this;
  }

  /** A `uintN` (N ≤ 256, a multiple of 8): a non-negative bigint below 2^N, big-endian. */
  uint(value: bigint, bits: number): this {
    if (typeof value !== 'bigint' || value < 0n || value >= 1n << BigInt(bits)) {
      throw new RangeError(`uint${bits} value ${String(value)} is out of range`);
    }
    let rest = value;
    for (let i = this.#at + WORD - 1; rest > 0n; i--) {
      this.bytes[i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
    this.#at += WORD;
    return this;
  }

  /** A `bytes` value in tail position: its offset goes in the head word, `tail` writes the rest. */
  dynamicOffset(offset: number): this {
    return this.uint(BigInt(offset), 256);
  }

  /** keccak256 of everything written. */
  keccak(): Uint8Array {
    return keccak_256(this.bytes);
  }

  #hex(value: Hex, length: number, pad: number): void {
    if (typeof value !== 'string' || value.length !== 2 + 2 * length) {
      throw new InvalidHexValueError(value);
    }
    writeHex(this.bytes, this.#at + pad, value);
    this.#at += WORD;
  }
}

/**
 * `abi.encode(static…, bytes tail)` for a tuple whose last member is its only dynamic one:
 * `head` writes the `staticWords` static words; then come the tail's offset (in the head), its
 * length, and its bytes zero-padded to a word.
 */
export function encodeWithBytesTail(
  staticWords: number,
  head: (words: AbiWords) => void,
  tail: Hex,
): Uint8Array {
  if (typeof tail !== 'string' || tail.length % 2 !== 0) throw new InvalidHexValueError(tail);
  const tailLength = (tail.length - 2) / 2;
  const headWords = staticWords + 1;
  const words = new AbiWords(headWords + 1 + Math.ceil(tailLength / WORD));
  head(words);
  words.dynamicOffset(headWords * WORD);
  words.uint(BigInt(tailLength), 256);
  writeHex(words.bytes, (headWords + 1) * WORD, tail);
  return words.bytes;
}
