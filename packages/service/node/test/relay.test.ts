import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountsAbi, bytes32Label, consentsAbi, Scope } from '@aegle/contracts';
import { encodeFunctionData, type Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { waitUntil } from './helpers.ts';
import {
  api,
  CHAIN_ID,
  newAccount,
  signForwardRequest,
  signIn,
  startNode,
  TARGETS,
} from './node-harness.ts';

function forward(
  signer: PrivateKeyAccount,
  to: Hex,
  data: Hex,
  overrides: { deadline?: number; chainId?: number; nonce?: bigint } = {},
) {
  return signForwardRequest(signer, {
    to,
    data,
    nonce: overrides.nonce ?? 0n,
    gas: 300_000n,
    deadline: overrides.deadline ?? Math.floor(Date.now() / 1000) + 600,
    chainId: overrides.chainId ?? CHAIN_ID,
    forwarder: TARGETS.forwarder,
  });
}

const grantData = (patient: Hex, grantee: Hex) =>
  encodeFunctionData({
    abi: consentsAbi,
    functionName: 'grant',
    args: [
      patient,
      grantee,
      Scope.Record,
      `0x${'11'.repeat(32)}`,
      bytes32Label('treatment'),
      BigInt(Math.floor(Date.now() / 1000) + 86400),
    ],
  });

test('a signed grant is journaled, acknowledged 202, idempotent on replay, and confirmed through the outbox', async (t) => {
  const { url } = await startNode(t);
  const alice = newAccount();
  const lee = newAccount();
  const asAlice = api(url, await signIn(url, alice));
  const request = await forward(alice, TARGETS.consents, grantData(alice.address, lee.address));
  const accepted = await asAlice('/consents/grants', { method: 'POST', json: { request } });
  assert.equal(accepted.status, 202);
  const intent = (await accepted.json()) as { id: number; state: string; kind: string };
  assert.equal(intent.kind, 'grant');
  const again = await asAlice('/consents/grants', { method: 'POST', json: { request } });
  assert.equal(again.status, 200);
  assert.equal(((await again.json()) as { id: number }).id, intent.id);
  await waitUntil(
    async () =>
      ((await (await asAlice(`/intents/${intent.id}`)).json()) as { state: string }).state ===
      'confirmed',
  );
  const done = (await (await asAlice(`/intents/${intent.id}`)).json()) as { txHash: string };
  assert.match(done.txHash, /^0x[0-9a-f]{64}$/);
  // Someone else cannot see it.
  const asLee = api(url, await signIn(url, lee));
  assert.equal((await asLee(`/intents/${intent.id}`)).status, 404);
});

test('signed requests are refused: forged, other chain, expired, for another account, wrong call, guardian of someone else', async (t) => {
  const { url, grants } = await startNode(t);
  const alice = newAccount();
  const bob = newAccount();
  const carol = newAccount();
  const lee = newAccount();
  grants.setGuardian(alice.address, bob.address);
  const asAlice = api(url, await signIn(url, alice));
  const asBob = api(url, await signIn(url, bob));
  const asCarol = api(url, await signIn(url, carol));
  const post = async (call: ReturnType<typeof api>, path: string, request: unknown) => {
    const response = await call(path, { method: 'POST', json: { request } });
    const body = (await response.json()) as { type?: string };
    return [response.status, body.type?.replace('https://aegle.dev/problems/', '')] as const;
  };

  const forged = {
    ...(await forward(alice, TARGETS.consents, grantData(alice.address, lee.address))),
    from: alice.address,
  };
  forged.signature = (
    await forward(carol, TARGETS.consents, grantData(alice.address, lee.address))
  ).signature;
  assert.deepEqual(await post(asAlice, '/consents/grants', forged), [401, 'invalid-signature']);
  // The malleated twin of Alice's own signature recovers her, but the forwarder (OpenZeppelin
  // ECDSA) rejects high s: relayed, it would only fail on chain.
  const honest = await forward(alice, TARGETS.consents, grantData(alice.address, lee.address));
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const highS = (n - BigInt(`0x${honest.signature.slice(66, 130)}`)).toString(16).padStart(64, '0');
  const twin = {
    ...honest,
    signature: `${honest.signature.slice(0, 66)}${highS}${honest.signature.slice(130) === '1b' ? '1c' : '1b'}`,
  };
  assert.deepEqual(await post(asAlice, '/consents/grants', twin), [401, 'invalid-signature']);
  const otherChain = await forward(alice, TARGETS.consents, grantData(alice.address, lee.address), {
    chainId: 1,
  });
  assert.deepEqual(await post(asAlice, '/consents/grants', otherChain), [401, 'invalid-signature']);
  const expired = await forward(alice, TARGETS.consents, grantData(alice.address, lee.address), {
    deadline: Math.floor(Date.now() / 1000) - 5,
  });
  assert.deepEqual(await post(asAlice, '/consents/grants', expired), [400, 'invalid-request']);
  const notMine = await forward(alice, TARGETS.consents, grantData(alice.address, lee.address));
  assert.deepEqual(await post(asCarol, '/consents/grants', notMine), [403, 'forbidden']);
  const wrongCall = await forward(
    alice,
    TARGETS.consents,
    encodeFunctionData({ abi: accountsAbi, functionName: 'setGuardian', args: [bob.address] }),
  );
  assert.deepEqual(await post(asAlice, '/consents/grants', wrongCall), [400, 'invalid-request']);
  const wrongTarget = await forward(alice, TARGETS.accounts, grantData(alice.address, lee.address));
  assert.deepEqual(await post(asAlice, '/consents/grants', wrongTarget), [400, 'invalid-request']);

  // A guardian grants for the patient who named them; for someone else, 403.
  const byGuardian = await forward(bob, TARGETS.consents, grantData(alice.address, lee.address));
  assert.deepEqual(await post(asBob, '/consents/grants', byGuardian), [202, undefined]);
  const forStranger = await forward(bob, TARGETS.consents, grantData(carol.address, lee.address));
  assert.deepEqual(await post(asBob, '/consents/grants', forStranger), [403, 'forbidden']);
  // The patient names a guardian; revocations go the same way.
  const naming = await forward(
    alice,
    TARGETS.accounts,
    encodeFunctionData({ abi: accountsAbi, functionName: 'setGuardian', args: [bob.address] }),
    { nonce: 1n },
  );
  assert.deepEqual(await post(asAlice, '/guardians', naming), [202, undefined]);
  const revoke = await forward(
    alice,
    TARGETS.consents,
    encodeFunctionData({
      abi: consentsAbi,
      functionName: 'revoke',
      args: [alice.address, lee.address, Scope.Record, `0x${'11'.repeat(32)}`],
    }),
    { nonce: 2n },
  );
  assert.deepEqual(await post(asAlice, '/consents/revocations', revoke), [202, undefined]);
});
