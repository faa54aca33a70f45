// No plaintext at rest: records whose content and metadata carry a unique marker are encrypted by
// the client (@aegle/crypto), uploaded, granted and read; then the whole data directory (anvil's
// state, the chain index, node.sqlite and its -wal, the blockstore, logs) is searched for the
// marker, the session tokens and the data key. None is there.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { bytes32Label, Role } from '@aegle/contracts';
import {
  createAccount,
  decodeWrappedDataKey,
  decryptStream,
  encodeWrappedDataKey,
  encryptStream,
  generateDataKey,
  unwrapDataKey,
  wrapDataKey,
} from '@aegle/crypto';
import { bytesToHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { certify, grant, register, startChainNode } from './chain-harness.ts';
import { api, newAccount, prepareRecord, signIn, uploadRecord } from './node-harness.ts';

async function encrypt(plaintext: Uint8Array, dek: Uint8Array): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of encryptStream(
    (async function* () {
      yield plaintext;
    })(),
    dek,
  ))
    parts.push(part);
  return Buffer.concat(parts);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test('after records with a unique marker are written and read, no file of the data directory holds the marker, a token or a data key', async (t) => {
  const running = await startChainNode(t);
  const { url, chain, dataDir } = running;
  const domain = { chainId: chain.deployment.chainId, records: chain.deployment.contracts.records };
  const patient = createAccount();
  const alice = privateKeyToAccount(bytesToHex(patient.signingPrivateKey));
  const kim = newAccount();
  const aliceToken = await signIn(url, alice);
  const kimToken = await signIn(url, kim);
  await register(running, aliceToken, alice, Role.Patient);
  await register(running, kimToken, kim, Role.Provider);
  await certify(running, kim.address);

  const marker = `AEGLE-MARKER-${randomBytes(12).toString('hex')}`;
  const deks: Uint8Array[] = [];
  const recordIds: string[] = [];
  for (const [creator, token] of [
    [alice, aliceToken],
    [kim, kimToken],
  ] as const) {
    const dek = generateDataKey();
    deks.push(dek);
    const plaintext = new TextEncoder().encode(
      JSON.stringify({ resourceType: 'Observation', note: marker.repeat(50) }),
    );
    const ciphertext = await encrypt(plaintext, dek);
    const metadata = await encrypt(new TextEncoder().encode(`{"title":"${marker}"}`), dek);
    const record = await prepareRecord(creator, alice.address, { ciphertext, metadata, domain });
    const wrapped = encodeWrappedDataKey(
      await wrapDataKey(dek, patient.encryptionPublicKey, record.recordId),
    );
    const response = await uploadRecord(api(url, token), record, [
      {
        recipient: alice.address,
        wrappedKey: Buffer.from(wrapped.slice(2), 'hex').toString('base64'),
      },
    ]);
    assert.equal(response.status, 201);
    recordIds.push(record.recordId);
  }
  // Reads by the patient and, under a grant, by the provider (audited).
  await grant(running, aliceToken, alice, {
    patient: alice.address,
    grantee: kim.address,
    scope: 'category',
    target: bytes32Label('Observation'),
    purpose: bytes32Label('treatment'),
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  });
  for (const id of recordIds) {
    // The patient gets back her wrapped key and the ciphertext, and only she can open them.
    const response = await api(url, aliceToken)(`/records/${id}/content`);
    assert.equal(response.status, 200);
    const header = response.headers.get('aegle-wrapped-key') ?? '';
    const dek = await unwrapDataKey(
      decodeWrappedDataKey(`0x${Buffer.from(header, 'base64').toString('hex')}`),
      patient.encryptionPrivateKey,
      id,
    );
    const ciphertext = new Uint8Array(await response.arrayBuffer());
    const parts: Uint8Array[] = [];
    for await (const part of decryptStream(
      (async function* () {
        yield ciphertext;
      })(),
      dek,
    ))
      parts.push(part);
    assert.ok(Buffer.concat(parts).toString().includes(marker));
    assert.equal((await api(url, kimToken)(`/records/${id}/content`)).status, 200);
  }
  await running.close(); // anvil dumps its state; every file is final

  const needles = [
    Buffer.from(marker),
    Buffer.from(aliceToken),
    Buffer.from(kimToken),
    ...deks.flatMap((dek) => [
      Buffer.from(dek),
      Buffer.from(bytesToHex(dek).slice(2)),
      Buffer.from(Buffer.from(dek).toString('base64')),
    ]),
  ];
  const files = await filesUnder(dataDir);
  const names = files.map((f) => path.relative(dataDir, f));
  // The search covers every store: chain state, index, node database and WAL, blocks, logs.
  for (const expected of [
    'chain/anvil-state.json',
    'chain/index.sqlite',
    'node.sqlite',
    'logs/node.log',
  ]) {
    assert.ok(names.includes(expected), `searched ${expected}`);
  }
  // Blocks: small ones (these records, batch lists) are rows of the replicas' tables.
  assert.ok(
    names.some((n) => /^store\/blocks-[a-z0-9-]+\/small-blocks\.sqlite$/.test(n)),
    'searched blocks',
  );
  let sawRecordId = false;
  for (const file of files) {
    const bytes = await readFile(file);
    for (const needle of needles) {
      assert.equal(bytes.indexOf(needle), -1, `${path.relative(dataDir, file)} holds a secret`);
    }
    if (bytes.indexOf(Buffer.from((recordIds[0] as string).slice(2))) !== -1) sawRecordId = true;
  }
  assert.ok(sawRecordId, 'the search does find what is stored (a record id)');
});
