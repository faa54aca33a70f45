// The access matrix of issue 5, through the API of a node bound to a REAL anvil (startNode,
// embedded mode): permissions come from the chain index, grants are relayed through the
// forwarder, and the audit entry of a grantee's read verifies against AuditLog's on-chain root.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyAuditInclusion } from '@aegle/chain';
import { accountsAbi, bytes32Label, consentsAbi, Role } from '@aegle/contracts';
import type { Hex } from 'viem';
import {
  certify,
  FAST_OUTBOX,
  grant,
  register,
  relayAndWait,
  revoke,
  signForward,
  startChainNode,
  waitIndexed,
} from './chain-harness.ts';
import { waitUntil } from './helpers.ts';
import {
  api,
  commitBody,
  newAccount,
  prepareRecord,
  signIn,
  streamUpload,
  uploadRecord,
} from './node-harness.ts';

const treatment = bytes32Label('treatment');
const guardianPurpose = bytes32Label('guardian');
const slug = async (response: Response) => {
  const body = (await response.json()) as { type: string; reason?: string };
  return [response.status, body.type.replace('https://aegle.dev/problems/', ''), body.reason];
};

test('the access matrix against a real chain: patient, grantee, revocation, expiry, category, guardian, writers, signatures, sessions', async (t) => {
  let skewMs = 0;
  const running = await startChainNode(t, {
    node: { now: () => Date.now() + skewMs, outbox: FAST_OUTBOX },
  });
  const { url, chain } = running;
  const contracts = chain.deployment.contracts;
  const domain = { chainId: chain.deployment.chainId, records: contracts.records };
  const [alice, bob, kim, lee, gus] = [
    newAccount(),
    newAccount(),
    newAccount(),
    newAccount(),
    newAccount(),
  ];
  const tokens = new Map<string, string>();
  for (const who of [alice, bob, kim, lee, gus]) tokens.set(who.address, await signIn(url, who));
  const token = (who: { address: string }) => tokens.get(who.address) as string;
  const as = (who: { address: string }) => api(url, token(who));
  await register(running, token(alice), alice, Role.Patient);
  await register(running, token(bob), bob, Role.Patient);
  await register(running, token(gus), gus, Role.Patient);
  await register(running, token(kim), kim, Role.Provider);
  await register(running, token(lee), lee, Role.Provider);
  await certify(running, kim.address);

  // A certified provider writes for alice; an uncertified one is refused before any byte.
  const record = await prepareRecord(kim, alice.address, { category: 'Observation', domain });
  assert.equal((await uploadRecord(as(kim), record, [])).status, 201);
  const byLee = await prepareRecord(lee, alice.address, { domain });
  assert.deepEqual(await slug(await streamUpload(as(lee), byLee)), [
    403,
    'writer-not-allowed',
    'not-certified',
  ]);
  const content = `/records/${record.recordId}/content`;

  // The patient reads; a provider without a grant does not.
  assert.equal((await as(alice)(content)).status, 200);
  assert.deepEqual(await slug(await as(lee)(content)), [403, 'not-granted', 'no-grant']);

  // With a record grant: yes, audited with its purpose; the audit entry verifies on chain.
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  const granted = await grant(running, token(alice), alice, {
    patient: alice.address,
    grantee: lee.address,
    scope: 'record',
    target: record.recordId,
    purpose: treatment,
    expiresAt,
  });
  assert.equal(granted.state, 'confirmed');
  const read = await as(lee)(content);
  assert.equal(read.status, 200);
  assert.deepEqual(new Uint8Array(await read.arrayBuffer()), new Uint8Array(record.ciphertext));
  type AuditPage = {
    entries: Array<{
      recordId: Hex;
      patient: Hex;
      reader: Hex;
      purpose: Hex;
      releasedAt: number;
      commit: { state: string; proof?: Hex[]; receipt?: { commitId: number } };
    }>;
  };
  let audit: AuditPage['entries'][number] | undefined;
  await waitUntil(async () => {
    const page = (await (await as(alice)(`/audit?patient=${alice.address}`)).json()) as AuditPage;
    audit = page.entries.find((e) => e.reader === lee.address.toLowerCase());
    return audit?.commit.state === 'confirmed';
  }, 30_000);
  assert.ok(audit?.commit.proof && audit.commit.receipt);
  assert.equal(audit.purpose, treatment);
  assert.equal(audit.recordId, record.recordId);
  assert.equal(
    await verifyAuditInclusion({
      rpcUrl: chain.rpcUrl,
      auditLogAddress: contracts.auditLog,
      entry: {
        recordId: audit.recordId,
        patient: audit.patient,
        reader: audit.reader,
        purpose: audit.purpose,
        releasedAt: BigInt(audit.releasedAt),
      },
      proof: audit.commit.proof,
      commitId: audit.commit.receipt.commitId,
    }),
    true,
  );
  // The record's anchor verifies too (batch committed by this node).
  await waitUntil(async () => {
    const proof = (await (await as(alice)(`/records/${record.recordId}/proof`)).json()) as {
      anchor: { state: string };
    };
    return proof.anchor.state === 'confirmed';
  }, 30_000);

  // After revocation: 403.
  const revoked = await revoke(running, token(alice), alice, {
    patient: alice.address,
    grantee: lee.address,
    scope: 'record',
    target: record.recordId,
  });
  assert.equal(revoked.state, 'confirmed');
  assert.deepEqual(await slug(await as(lee)(content)), [403, 'not-granted', 'grant-revoked']);

  // A grant for category A does not open a record in category B.
  await grant(running, token(alice), alice, {
    patient: alice.address,
    grantee: lee.address,
    scope: 'category',
    target: bytes32Label('Imaging'),
    purpose: treatment,
    expiresAt,
  });
  assert.equal((await as(lee)(content)).status, 403);

  // A guardian acts for the patient who named them, and for no one else.
  const named = await relayAndWait(
    running,
    token(alice),
    '/guardians',
    await signForward(chain, alice, {
      to: contracts.accounts,
      abi: accountsAbi,
      functionName: 'setGuardian',
      args: [gus.address],
    }),
  );
  assert.equal(named.state, 'confirmed');
  assert.equal((await as(gus)(`/records?patient=${alice.address}`)).status, 200);
  // The guardian reads alice's record without a grant (to re-wrap its key for grantees), and
  // the read is audited under the purpose "guardian", journaled before release.
  const byGus = await as(gus)(content);
  assert.equal(byGus.status, 200);
  assert.deepEqual(new Uint8Array(await byGus.arrayBuffer()), new Uint8Array(record.ciphertext));
  const gusMeta = await as(gus)(`/records/${record.recordId}`);
  assert.equal(gusMeta.status, 200);
  assert.equal(((await gusMeta.json()) as { purpose: Hex }).purpose, guardianPurpose);
  const auditOf = async (reader: string) => {
    const page = (await (await as(alice)(`/audit?patient=${alice.address}`)).json()) as AuditPage;
    return page.entries.filter((e) => e.reader === reader.toLowerCase());
  };
  const gusReads = await auditOf(gus.address);
  assert.equal(gusReads.length, 2);
  for (const entry of gusReads) {
    assert.equal(entry.purpose, guardianPurpose);
    assert.equal(entry.recordId, record.recordId);
  }
  // A guardian of alice is nobody's guardian for bob's record.
  const bobsRecord = await prepareRecord(kim, bob.address, { category: 'Observation', domain });
  assert.equal((await uploadRecord(as(kim), bobsRecord, [])).status, 201);
  assert.deepEqual(await slug(await as(gus)(`/records/${bobsRecord.recordId}/content`)), [
    403,
    'not-granted',
    'no-grant',
  ]);
  assert.equal((await as(gus)(`/records/${bobsRecord.recordId}`)).status, 403);
  assert.equal((await as(gus)(`/records/${record.recordId}/keys`)).status, 200);
  assert.deepEqual((await slug(await as(gus)(`/records?patient=${bob.address}`))).slice(0, 2), [
    403,
    'forbidden',
  ]);
  const byGuardian = await grant(running, token(gus), gus, {
    patient: alice.address,
    grantee: kim.address,
    scope: 'record',
    target: record.recordId,
    purpose: treatment,
    expiresAt,
  });
  assert.equal(byGuardian.state, 'confirmed');
  const forBob = await signForward(chain, gus, {
    to: contracts.consents,
    abi: consentsAbi,
    functionName: 'grant',
    args: [bob.address, kim.address, 0, record.recordId, treatment, BigInt(expiresAt)],
  });
  const refusedForBob = await as(gus)('/consents/grants', {
    method: 'POST',
    json: { request: forBob },
  });
  assert.deepEqual((await slug(refusedForBob)).slice(0, 2), [403, 'forbidden']);
  // The guardian's wrap-for list: its own address, and live category grantees (Imaging: lee).
  // Per category, several at once: Imaging has lee's grant, Condition none.
  const imaging = bytes32Label('Imaging');
  const condition = bytes32Label('Condition');
  const recipients = (await (
    await as(kim)(
      `/consents/recipients?patient=${alice.address}&category=${imaging}&category=${condition}`,
    )
  ).json()) as { byCategory: Record<string, string[]> };
  assert.deepEqual(
    [...(recipients.byCategory[imaging.toLowerCase()] ?? [])].sort(),
    [gus.address, lee.address].map((a) => a.toLowerCase()).sort(),
  );
  assert.deepEqual(recipients.byCategory[condition.toLowerCase()], [gus.address.toLowerCase()]);
  // Once alice removes her guardian, gus reads nothing of hers.
  const removed = await relayAndWait(
    running,
    token(alice),
    '/guardians',
    await signForward(chain, alice, {
      to: contracts.accounts,
      abi: accountsAbi,
      functionName: 'setGuardian',
      args: ['0x0000000000000000000000000000000000000000'],
    }),
  );
  assert.equal(removed.state, 'confirmed');
  assert.deepEqual(await slug(await as(gus)(content)), [403, 'not-granted', 'no-grant']);
  assert.equal((await as(gus)(`/records/${record.recordId}`)).status, 403);
  assert.equal((await auditOf(gus.address)).length, 2, 'a refused read is not a release');

  // Signatures: forged, replayed, other chain.
  const forgedRecord = await prepareRecord(kim, alice.address, { domain });
  const upload = (await (await streamUpload(as(kim), forgedRecord)).json()) as { uploadId: string };
  const forged = {
    ...forgedRecord,
    entry: {
      ...forgedRecord.entry,
      signature: (await prepareRecord(lee, alice.address, { domain })).entry.signature,
    },
  };
  assert.deepEqual(
    (
      await slug(
        await as(kim)('/records', {
          method: 'POST',
          json: commitBody(upload.uploadId, forged, [
            { recipient: alice.address, wrappedKey: 'AA==' },
            { recipient: kim.address, wrappedKey: 'AA==' },
          ]),
        }),
      )
    ).slice(0, 2),
    [401, 'invalid-signature'],
  );
  const otherChainRecord = await prepareRecord(kim, alice.address, {
    domain: { ...domain, chainId: 1 },
  });
  assert.deepEqual((await slug(await uploadRecord(as(kim), otherChainRecord, []))).slice(0, 2), [
    401,
    'invalid-signature',
  ]);
  const otherChainGrant = await signForward(
    chain,
    alice,
    {
      to: contracts.consents,
      abi: consentsAbi,
      functionName: 'grant',
      args: [alice.address, kim.address, 1, bytes32Label('Lab'), treatment, BigInt(expiresAt)],
    },
    { chainId: 1 },
  );
  assert.deepEqual(
    (
      await slug(
        await as(alice)('/consents/grants', { method: 'POST', json: { request: otherChainGrant } }),
      )
    ).slice(0, 2),
    [401, 'invalid-signature'],
  );
  // A replayed record entry (same record id) is refused.
  assert.deepEqual((await slug(await uploadRecord(as(kim), record, []))).slice(0, 2), [
    409,
    'record-exists',
  ]);
  // A replayed forward request is the same intent, and never a second transaction.
  const lab = await signForward(chain, alice, {
    to: contracts.consents,
    abi: consentsAbi,
    functionName: 'grant',
    args: [alice.address, kim.address, 1, bytes32Label('Lab'), treatment, BigInt(expiresAt)],
  });
  const first = await relayAndWait(running, token(alice), '/consents/grants', lab);
  assert.equal(first.state, 'confirmed');
  const again = await as(alice)('/consents/grants', { method: 'POST', json: { request: lab } });
  assert.equal(again.status, 200);
  assert.equal(((await again.json()) as { id: number }).id, first.id);
  const underNewKey = await relayAndWait(running, token(alice), '/consents/grants', lab, 'retry-1');
  assert.notEqual(underNewKey.id, first.id);
  assert.equal(underNewKey.state, 'confirmed');
  assert.equal(underNewKey.txHash, first.txHash, 'the same transaction, not a second one');
  // A request signed with a nonce already used by another request is refused by the chain.
  const stale = await signForward(
    chain,
    alice,
    {
      to: contracts.consents,
      abi: consentsAbi,
      functionName: 'grant',
      args: [alice.address, kim.address, 1, bytes32Label('Vitals'), treatment, BigInt(expiresAt)],
    },
    { nonce: 0n },
  );
  const staleIntent = await relayAndWait(running, token(alice), '/consents/grants', stale);
  assert.equal(staleIntent.state, 'failed');
  assert.equal(staleIntent.error, 'nonce-used');
  // A call the contract refuses fails with the contract's own error (simulated as the signer).
  const selfGrant = await signForward(chain, alice, {
    to: contracts.consents,
    abi: consentsAbi,
    functionName: 'grant',
    args: [alice.address, alice.address, 1, bytes32Label('Lab'), treatment, BigInt(expiresAt)],
  });
  const refusedByContract = await relayAndWait(
    running,
    token(alice),
    '/consents/grants',
    selfGrant,
  );
  assert.equal(refusedByContract.state, 'failed');
  assert.equal(refusedByContract.error, 'InvalidGrantee');

  // After expiry (chain time moved past it): 403 grant-expired.
  const soon = Number((await chain.publicClient.getBlock()).timestamp) + 120;
  await grant(running, token(alice), alice, {
    patient: alice.address,
    grantee: lee.address,
    scope: 'category',
    target: bytes32Label('Observation'),
    purpose: treatment,
    expiresAt: soon,
  });
  assert.equal((await as(lee)(content)).status, 200);
  await chain.publicClient.request({ method: 'evm_increaseTime' as never, params: [600] as never });
  await chain.publicClient.request({ method: 'evm_mine' as never, params: [] as never });
  await waitIndexed(running, Number(await chain.publicClient.getBlockNumber()));
  assert.deepEqual(await slug(await as(lee)(content)), [403, 'not-granted', 'grant-expired']);

  // An expired session: the node's clock past the session's lifetime.
  skewMs = 16 * 60_000;
  assert.deepEqual((await slug(await as(alice)(content))).slice(0, 2), [401, 'session-expired']);
});

test('a grant that ends by the clock (no new block) stops opening the record then', async (t) => {
  const running = await startChainNode(t);
  const { url, chain } = running;
  const domain = { chainId: chain.deployment.chainId, records: chain.deployment.contracts.records };
  const [alice, lee] = [newAccount(), newAccount()];
  const aliceToken = await signIn(url, alice);
  const leeToken = await signIn(url, lee);
  await register(running, aliceToken, alice, Role.Patient);
  await register(running, leeToken, lee, Role.Provider);
  const record = await prepareRecord(alice, alice.address, { domain });
  assert.equal((await uploadRecord(api(url, aliceToken), record, [])).status, 201);
  const head = Number((await chain.publicClient.getBlock()).timestamp);
  const expiresAt = Math.max(head, Math.floor(Date.now() / 1000)) + 6;
  const granted = await grant(running, aliceToken, alice, {
    patient: alice.address,
    grantee: lee.address,
    scope: 'record',
    target: record.recordId,
    purpose: treatment,
    expiresAt,
  });
  assert.equal(granted.state, 'confirmed');
  const content = `/records/${record.recordId}/content`;
  assert.equal((await api(url, leeToken)(content)).status, 200); // decision now cached
  await waitUntil(() => Date.now() / 1000 >= expiresAt + 0.2, 10_000);
  assert.deepEqual(await slug(await api(url, leeToken)(content)), [
    403,
    'not-granted',
    'grant-expired',
  ]);
});
