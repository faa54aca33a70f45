// The SDK's signatures against a real Records contract on anvil: the digest it signs is the
// contract's entryDigest, the signer it recovers is the creator, and the contract's own checks
// (the direct path) accept a record the SDK prepared.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type AnchorEntry,
  accountsAbi,
  aegleForwarderAbi,
  bytes32Label,
  consentsAbi,
  Role,
  recordsAbi,
} from '@aegle/contracts';
import { createAccount } from '@aegle/crypto';
import { bytesToHex, type Hex, parseEventLogs } from 'viem';
import {
  type Actor,
  startTestChain,
  type TestChain,
  write,
} from '../../../../service/chain/test/contracts/chain.testing.ts';
import {
  deployForTests,
  type TestDeployment,
} from '../../../../service/chain/test/contracts/deploy.testing.ts';
import { prepareRecord } from '../records/prepare-record.ts';
import { resolveWriteRecipients } from '../records/write-recipients.ts';
import { createChainDirectory } from '../transport/chain-directory.ts';
import { encodeGrant, encodeRegister, encodeRevoke } from './consent-calls.ts';
import {
  anchorEntryDigest,
  batchedEntryNonce,
  recoverAnchorEntrySigner,
  signAnchorEntries,
  signAnchorEntry,
} from './sign-anchor-entry.ts';
import { type ForwardRequestInput, signForwardRequest } from './sign-forward-request.ts';

let t: TestChain;
let d: TestDeployment;
const patient = createAccount();
const provider = createAccount();
let patientActor: Actor;

before(async () => {
  t = await startTestChain();
  d = await deployForTests(t);
  patientActor = await t.actor({ privateKey: bytesToHex(patient.signingPrivateKey) });
  await write(t, patientActor, {
    address: d.accounts,
    abi: accountsAbi,
    functionName: 'register',
    args: [Role.Patient, bytesToHex(patient.encryptionPublicKey)],
  });
  // Signing times must come after the registration.
  await t.testClient.increaseTime({ seconds: 10 });
  await t.testClient.mine({ blocks: 1 });
});
after(async () => {
  await t?.stop();
});

const entryDigestOnChain = (entry: AnchorEntry) =>
  t.publicClient.readContract({
    address: d.records,
    abi: recordsAbi,
    functionName: 'entryDigest',
    args: [entry],
  });

async function* once(bytes: Uint8Array) {
  yield bytes;
}

test('the digest the SDK signs is the contract’s entryDigest, and it recovers to the creator', async () => {
  const deployment = { chainId: t.chain.id, records: d.records };
  const unsigned = {
    recordId: bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
    patient: patient.address,
    creator: provider.address,
    contentRoot: bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
    metadataHash: bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
    category: `0x${Buffer.from('Observation').toString('hex').padEnd(64, '0')}` as Hex,
    supersedes: `0x${'00'.repeat(32)}` as Hex,
    nonce: batchedEntryNonce(),
    signedAt: await t.now(),
  };
  const entry = await signAnchorEntry(unsigned, provider, deployment);
  assert.equal(await entryDigestOnChain(entry), anchorEntryDigest(unsigned, deployment));
  assert.equal(await recoverAnchorEntrySigner(entry, deployment), provider.address);
  // Another chain id or another contract is another digest: the signature does not carry over.
  const elsewhere = { chainId: t.chain.id + 1, records: d.records };
  assert.notEqual(await recoverAnchorEntrySigner(entry, elsewhere), provider.address);
  assert.notEqual(anchorEntryDigest(unsigned, elsewhere), anchorEntryDigest(unsigned, deployment));
  // The malleated twin (high s, v flipped) recovers the same key mathematically, but the
  // contract rejects it, and so does the SDK.
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const highS = (n - BigInt(`0x${entry.signature.slice(66, 130)}`)).toString(16).padStart(64, '0');
  const v = entry.signature.slice(130) === '1b' ? '1c' : '1b';
  const twin = { ...entry, signature: `${entry.signature.slice(0, 66)}${highS}${v}` as Hex };
  assert.notEqual(await recoverAnchorEntrySigner(twin, deployment), provider.address);
  // A key that is not the creator's is refused before signing.
  await assert.rejects(signAnchorEntry(unsigned, patient, deployment), TypeError);
});

test('a record the SDK prepares anchors on the direct path, where the contract checks it', async () => {
  const deployment = { chainId: t.chain.id, records: d.records };
  const signedAt = await t.now();
  const prepared = await prepareRecord({
    plaintext: once(new TextEncoder().encode('{"resourceType":"Observation"}')),
    patient,
    creator: patient,
    category: 'Observation',
    metadata: { resourceType: 'Observation' },
    deployment,
    signedAt: () => signedAt,
  });
  for await (const _ of prepared.ciphertext) {
  }
  const { entry, contentRoot } = await prepared.sealed;
  assert.equal(entry.contentRoot, contentRoot);
  assert.equal(await entryDigestOnChain(entry), anchorEntryDigest(entry, deployment));
  // The random nonce key has sequence 0, which is what the direct path expects for a fresh key.
  const receipt = await write(t, patientActor, {
    address: d.records,
    abi: recordsAbi,
    functionName: 'anchor',
    args: [entry],
  });
  const [log] = parseEventLogs({
    abi: recordsAbi,
    logs: receipt.logs,
    eventName: 'RecordAnchored',
  });
  assert.ok(log);
  assert.equal(log.args.recordId, prepared.recordId);
  assert.equal(log.args.contentRoot, contentRoot);
  assert.equal(log.args.creator, patient.address);
});

test('entries signed at once: one signature for the batch, each recovers to the creator, and the contract anchors them', async () => {
  const deployment = { chainId: t.chain.id, records: d.records };
  const signedAt = await t.now();
  const unsigned = Array.from({ length: 5 }, () => ({
    recordId: bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
    patient: patient.address,
    creator: patient.address,
    contentRoot: bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
    metadataHash: bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
    category: bytes32Label('Observation'),
    supersedes: `0x${'00'.repeat(32)}` as Hex,
    nonce: batchedEntryNonce(),
    signedAt,
  }));
  const entries = await signAnchorEntries(unsigned, patient, deployment);
  assert.deepEqual(
    entries.map(({ signature: _, ...e }) => e),
    unsigned,
  );
  // One root signature (bytes 4–69 of each batch signature), shared by all.
  assert.equal(new Set(entries.map((e) => e.signature.slice(10, 140))).size, 1);
  for (const entry of entries) {
    assert.equal(await recoverAnchorEntrySigner(entry, deployment), patient.address);
  }
  // An entry altered after signing, or carrying another entry's proof, recovers to someone else.
  const [first, second] = entries as [AnchorEntry, AnchorEntry];
  const altered = { ...first, contentRoot: second.contentRoot };
  assert.notEqual(await recoverAnchorEntrySigner(altered, deployment), patient.address);
  const swapped = { ...first, signature: second.signature };
  assert.notEqual(await recoverAnchorEntrySigner(swapped, deployment), patient.address);
  // The contract's own check (the direct path) takes them.
  for (const entry of entries.slice(0, 2)) {
    await write(t, patientActor, {
      address: d.records,
      abi: recordsAbi,
      functionName: 'anchor',
      args: [entry],
    });
  }
  // One entry alone gets its own signature; a key that is not the creator's is refused.
  const [alone] = await signAnchorEntries(unsigned.slice(0, 1), patient, deployment);
  assert.equal(alone?.signature.length, 2 + 130);
  await assert.rejects(signAnchorEntries(unsigned, provider, deployment), TypeError);
});

test('registration and grants the SDK signs are relayed through the forwarder; keys come from the chain', async () => {
  const relayer = await t.actor();
  const directory = createChainDirectory({
    client: t.publicClient,
    accounts: d.accounts,
    forwarder: d.forwarder,
  });
  const forwarder = { chainId: t.chain.id, address: d.forwarder };
  // The relayer pays; the contract sees the signer. Execute takes the request without its nonce.
  async function relay(signer: typeof patient, call: Pick<ForwardRequestInput, 'to' | 'data'>) {
    const signed = await signForwardRequest(
      {
        ...call,
        nonce: await directory.forwarderNonce(signer.address),
        deadline: Number(await t.now()) + 3600,
        gas: 1_000_000n,
      },
      signer,
      forwarder,
    );
    const { nonce: _, ...request } = signed;
    await write(t, relayer, {
      address: d.forwarder,
      abi: aegleForwarderAbi,
      functionName: 'execute',
      args: [{ ...request, value: BigInt(request.value), gas: BigInt(request.gas) }],
    });
  }
  const reader = createAccount();
  await assert.rejects(directory.encryptionKeyOf(reader.address), {
    name: 'MissingEncryptionKeyError',
  });
  await relay(reader, {
    to: d.accounts,
    data: encodeRegister(Role.Provider, reader.encryptionPublicKey),
  });
  assert.deepEqual(await directory.encryptionKeyOf(reader.address), reader.encryptionPublicKey);
  assert.equal(await directory.forwarderNonce(reader.address), 1n);

  const category = bytes32Label('Observation');
  const recordId = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
  const canRead = () =>
    t.publicClient.readContract({
      address: d.consents,
      abi: consentsAbi,
      functionName: 'canRead',
      args: [reader.address, patient.address, recordId, category],
    });
  assert.deepEqual(await canRead(), [false, `0x${'00'.repeat(32)}`]);
  await relay(patient, {
    to: d.consents,
    data: encodeGrant({
      patient: patient.address,
      grantee: reader.address,
      target: { category: 'Observation' },
      purpose: 'treatment',
      expiresAt: (await t.now()) + 30n * 86_400n,
    }),
  });
  assert.deepEqual(await canRead(), [true, bytes32Label('treatment')]);

  // A writer wraps for the grantees the node names, with the keys the chain holds.
  // Twice, in two cases: once after checksumming. A category the node names nobody for has none.
  const holders = await resolveWriteRecipients(
    {
      writeRecipients: async ({ categories }) =>
        Object.fromEntries(
          categories.map((c) => [
            c,
            c === bytes32Label('Observation').toLowerCase()
              ? [reader.address, reader.address.toLowerCase() as Hex]
              : [],
          ]),
        ),
    },
    directory,
    { patient: patient.address, categories: ['Observation', bytes32Label('Condition')] },
  );
  assert.deepEqual(holders.get('Observation'), [
    { address: reader.address, encryptionPublicKey: reader.encryptionPublicKey },
  ]);
  assert.deepEqual(holders.get(bytes32Label('Condition')), []);

  await relay(patient, {
    to: d.consents,
    data: encodeRevoke({
      patient: patient.address,
      grantee: reader.address,
      target: { category: 'Observation' },
    }),
  });
  assert.deepEqual(await canRead(), [false, `0x${'00'.repeat(32)}`]);
});
