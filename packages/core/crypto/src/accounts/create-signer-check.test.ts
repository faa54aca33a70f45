import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { addressFromPrivateKey } from './address-from-key.ts';
import { createSignerCheck } from './create-signer-check.ts';
import { recoverSigner } from './recover-signer.ts';

/** An Ethereum signature (r ‖ s ‖ 27 + recovery) of `digest` by `key`. */
function ethSign(digest: Uint8Array, key: Uint8Array): Uint8Array {
  const sig = secp256k1.sign(digest, key, { prehash: false, format: 'recovered' });
  const eth = new Uint8Array(65);
  eth.set(sig.subarray(1), 0);
  eth[64] = 27 + (sig[0] as number);
  return eth;
}

const randomDigest = () => crypto.getRandomValues(new Uint8Array(32));
const N = secp256k1.Point.CURVE().n;

/** The same signature with s ↦ n − s and v flipped: the malleated twin ecrecover also accepts. */
function highSTwin(signature: Uint8Array): Uint8Array {
  let s = 0n;
  for (const byte of signature.subarray(32, 64)) s = (s << 8n) | BigInt(byte);
  const twin = signature.slice();
  let t = N - s;
  for (let i = 63; i >= 32; i--) {
    twin[i] = Number(t & 0xffn);
    t >>= 8n;
  }
  twin[64] = (twin[64] as number) === 27 ? 28 : 27;
  return twin;
}

/** Variations of a signature that must each be judged as recoverSigner judges them. */
function variations(digest: Uint8Array, signature: Uint8Array) {
  const flipV = signature.slice();
  flipV[64] = (flipV[64] as number) === 27 ? 28 : 27;
  const otherDigest = digest.slice();
  otherDigest[31] = (otherDigest[31] as number) ^ 1;
  const flipR = signature.slice();
  flipR[5] = (flipR[5] as number) ^ 0x40;
  const flipS = signature.slice();
  flipS[40] = (flipS[40] as number) ^ 0x01;
  return [
    { digest, signature },
    { digest, signature: flipV },
    { digest: otherDigest, signature },
    { digest, signature: flipR },
    { digest, signature: flipS },
    { digest, signature: highSTwin(signature) },
    { digest, signature: signature.subarray(0, 64) },
  ];
}

for (const tablesAfter of [1_000_000, 2]) {
  const mode = tablesAfter === 2 ? 'with tables' : 'without tables';
  test(`agrees with recoverSigner on signatures and their alterations, known signers ${mode}`, () => {
    const check = createSignerCheck({ tablesAfter });
    const keys = [0, 1, 2].map(() => secp256k1.utils.randomSecretKey());
    const addresses = keys.map((k) => addressFromPrivateKey(k));
    for (let round = 0; round < 8; round++) {
      for (const [i, key] of keys.entries()) {
        const digest = randomDigest();
        const signature = ethSign(digest, key);
        for (const v of variations(digest, signature)) {
          const recovered = recoverSigner(v.digest, v.signature);
          for (const address of addresses) {
            assert.equal(
              check(v.digest, v.signature, address),
              recovered === address,
              `round ${round}, signer ${i}, claimed ${addresses.indexOf(address)}`,
            );
          }
        }
        // The genuine signature is accepted for its signer, and only for them.
        assert.equal(check(digest, signature, addresses[i] as (typeof addresses)[number]), true);
      }
    }
  });
}

test('a first signature claimed by someone else teaches nothing, and later ones still check', () => {
  const check = createSignerCheck({ tablesAfter: 2 });
  const alice = secp256k1.utils.randomSecretKey();
  const mallory = secp256k1.utils.randomSecretKey();
  const aliceAddress = addressFromPrivateKey(alice);
  const digest = randomDigest();
  // Mallory's signature, presented as Alice's before Alice was ever seen: refused, not cached.
  assert.equal(check(digest, ethSign(digest, mallory), aliceAddress), false);
  assert.equal(check(digest, ethSign(digest, alice), aliceAddress), true);
  for (let i = 0; i < 4; i++) {
    const d = randomDigest();
    assert.equal(check(d, ethSign(d, mallory), aliceAddress), false);
    assert.equal(check(d, ethSign(d, alice), aliceAddress), true);
  }
});

test('signers forgotten past capacity and tables dropped past maxTables are checked again the slow way', () => {
  const check = createSignerCheck({ capacity: 2, tablesAfter: 2, maxTables: 1 });
  const keys = [0, 1, 2, 3].map(() => secp256k1.utils.randomSecretKey());
  for (let round = 0; round < 4; round++) {
    for (const key of keys) {
      const address = addressFromPrivateKey(key);
      const digest = randomDigest();
      const signature = ethSign(digest, key);
      assert.equal(check(digest, signature, address), true);
      assert.equal(check(digest, highSTwin(signature), address), false);
      const other = addressFromPrivateKey(
        keys[(keys.indexOf(key) + 1) % keys.length] as Uint8Array,
      );
      assert.equal(check(digest, signature, other), false);
    }
  }
});

test('checks with checksummed and lower-case addresses alike', () => {
  const check = createSignerCheck({ tablesAfter: 1 });
  const key = secp256k1.utils.randomSecretKey();
  const address = addressFromPrivateKey(key);
  for (let i = 0; i < 3; i++) {
    const digest = randomDigest();
    const signature = ethSign(digest, key);
    assert.equal(check(digest, signature, address), true);
    assert.equal(check(digest, signature, address.toLowerCase() as typeof address), true);
  }
});

test('signers taking turns past maxTables rebuild tables once per tablesAfter checks, not on every check', () => {
  let builds = 0;
  const check = createSignerCheck({ tablesAfter: 4, maxTables: 1, onTables: () => builds++ });
  const keys = [0, 1].map(() => secp256k1.utils.randomSecretKey());
  const rounds = 20;
  for (let round = 0; round < rounds; round++) {
    for (const key of keys) {
      const digest = randomDigest();
      assert.equal(check(digest, ethSign(digest, key), addressFromPrivateKey(key)), true);
    }
  }
  // 40 checks: at most one build per signer per 4 of its checks (10), never one per check.
  assert.ok(builds > 0, 'tables were built');
  assert.ok(builds <= (rounds * keys.length) / 4, `${builds} table builds`);
});
