import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesToHex, encodeAbiParameters, getAddress, type Hex, keccak256 } from 'viem';
import { AbiWords, encodeWithBytesTail } from './abi-words.ts';
import { anchorEntryLeafEncoding, anchorEntryLeafValues } from './anchor-entry.ts';
import { anchorEntryLeaf } from './anchor-entry-digest.ts';
import { randomEntry, randomHex } from './random-entry.testing.ts';

const hex = randomHex;

test('static words equal viem’s encodeAbiParameters, mixed-case hex and range edges included', () => {
  const cases: [Hex, Hex, bigint, bigint][] = [
    [hex(32), hex(20), 0n, 0n],
    [`0x${'Ab'.repeat(32)}`, getAddress(hex(20)), 2n ** 256n - 1n, 2n ** 64n - 1n],
    ...Array.from({ length: 20 }, (): [Hex, Hex, bigint, bigint] => [
      hex(32),
      hex(20),
      BigInt(hex(1 + Math.floor(Math.random() * 32))),
      BigInt(hex(1 + Math.floor(Math.random() * 8))),
    ]),
  ];
  for (const [b32, address, u256, u64] of cases) {
    const ours = new AbiWords(4).bytes32(b32).address(address).uint(u256, 256).uint(u64, 64);
    const viem = encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'address' }, { type: 'uint256' }, { type: 'uint64' }],
      [b32, address, u256, u64],
    );
    // viem copies bytes32 hex through as spelled: the same bytes, compared in one case.
    assert.equal(bytesToHex(ours.bytes), viem.toLowerCase());
    assert.equal(bytesToHex(ours.keccak()), keccak256(viem));
  }
});

test('a bytes tail is encoded as abi.encode encodes it, for every length around a word', () => {
  for (const length of [0, 1, 31, 32, 33, 64, 65, 69 + 5 * 32]) {
    const tail = hex(length);
    const word = hex(32);
    const ours = encodeWithBytesTail(2, (w) => w.bytes32(word).uint(7n, 64), tail);
    const viem = encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint64' }, { type: 'bytes' }],
      [word, 7n, tail],
    );
    assert.equal(bytesToHex(ours), viem, `tail of ${length} bytes`);
  }
});

test('an anchored entry’s leaf is abi.encode of its fields and signature, hashed twice', () => {
  for (let i = 0; i < 20; i++) {
    const entry = { ...randomEntry(), signature: hex(i % 2 ? 65 : 69 + 32 * i) };
    const encoded = encodeAbiParameters(
      anchorEntryLeafEncoding.map((type) => ({ type })),
      anchorEntryLeafValues(entry),
    );
    assert.equal(anchorEntryLeaf(entry), keccak256(keccak256(encoded)));
  }
});

test('what viem refuses is refused: wrong lengths, non-hex digits, out-of-range numbers', () => {
  const words = () => new AbiWords(1);
  for (const bad of [hex(31), hex(33), `0x${'g'.repeat(64)}`, `${'a'.repeat(66)}`, '0x']) {
    assert.throws(() => words().bytes32(bad as Hex), { name: 'InvalidHexValueError' }, bad);
  }
  for (const bad of [hex(32), `0x${'z'.repeat(40)}`, `0x${'fF'.repeat(20)}`]) {
    // Too long, not hex, mixed case without its checksum.
    assert.throws(() => words().address(bad as Hex), { name: 'InvalidAddressError' }, bad);
  }
  assert.throws(() => words().uint(-1n, 256), RangeError);
  assert.throws(() => words().uint(2n ** 64n, 64), RangeError);
  assert.throws(() => words().uint(1 as unknown as bigint, 64), RangeError);
  assert.throws(() => encodeWithBytesTail(0, () => {}, '0xabc' as Hex), {
    name: 'InvalidHexValueError',
  });
  assert.throws(() => encodeWithBytesTail(0, () => {}, '0xzz' as Hex), {
    name: 'InvalidHexValueError',
  });
});
