import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '../bytes.ts';
import { addressFromPrivateKey } from './address-from-key.ts';
import { recoverSigner } from './recover-signer.ts';

// EIP-712's own example (the "Mail" message, signed with keccak256("cow")), from the EIP text.
const MAIL_DIGEST = hexToBytes('be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2');
const MAIL_R = '4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d';
const MAIL_S = '07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562';
const COW = '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826';

const signature = (r: string, s: string, v: number) =>
  hexToBytes(`${r}${s}${v.toString(16).padStart(2, '0')}`);

test('recovers the signer of the EIP-712 example', () => {
  assert.equal(recoverSigner(MAIL_DIGEST, signature(MAIL_R, MAIL_S, 28)), COW);
  // The other recovery id is another key, not the signer.
  assert.notEqual(recoverSigner(MAIL_DIGEST, signature(MAIL_R, MAIL_S, 27)), COW);
});

test('refuses what OpenZeppelin ECDSA refuses: the high-s twin, v other than 27/28, bad lengths', () => {
  const n = secp256k1.Point.CURVE().n;
  const highS = (n - BigInt(`0x${MAIL_S}`)).toString(16).padStart(64, '0');
  // Mathematically the same signer (s ↦ n − s with the recovery id flipped), but malleated.
  assert.equal(recoverSigner(MAIL_DIGEST, signature(MAIL_R, highS, 27)), undefined);
  assert.equal(recoverSigner(MAIL_DIGEST, signature(MAIL_R, MAIL_S, 1)), undefined);
  assert.equal(recoverSigner(MAIL_DIGEST, signature(MAIL_R, MAIL_S, 29)), undefined);
  assert.equal(
    recoverSigner(MAIL_DIGEST, signature(MAIL_R, MAIL_S, 28).subarray(0, 64)),
    undefined,
  );
  assert.equal(recoverSigner(MAIL_DIGEST.subarray(1), signature(MAIL_R, MAIL_S, 28)), undefined);
  assert.equal(recoverSigner(MAIL_DIGEST, signature('00'.repeat(32), MAIL_S, 28)), undefined);
  assert.equal(recoverSigner(MAIL_DIGEST, signature(MAIL_R, '00'.repeat(32), 28)), undefined);
});

test('a signature over one digest does not recover its signer for another', () => {
  for (let i = 0; i < 20; i++) {
    const key = secp256k1.utils.randomSecretKey();
    const digest = crypto.getRandomValues(new Uint8Array(32));
    const sig = secp256k1.sign(digest, key, { prehash: false, format: 'recovered' });
    // noble's recovered format is v ‖ r ‖ s with v 0/1; Ethereum's is r ‖ s ‖ (27 + v).
    const eth = new Uint8Array(65);
    eth.set(sig.subarray(1), 0);
    eth[64] = 27 + (sig[0] as number);
    assert.equal(recoverSigner(digest, eth), addressFromPrivateKey(key));
    digest[0] = (digest[0] as number) ^ 1;
    assert.notEqual(recoverSigner(digest, eth), addressFromPrivateKey(key));
  }
});
