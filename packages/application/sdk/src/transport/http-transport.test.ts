import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Account, ciphertextLength, createAccount } from '@aegle/crypto';
import { ObjectStore } from '@aegle/storage';
import type { Hex } from 'viem';
import { IntegrityError } from '../records/errors.ts';
import { removeKeysOfGrantee, wrapKeysForGrantee } from '../records/grant-keys.ts';
import { openRecord } from '../records/open-record.ts';
import { type PrepareRecordOptions, prepareRecord } from '../records/prepare-record.ts';
import type { Progress } from '../records/progress.ts';
import { readRecord } from '../records/read-record.ts';
import { decryptMetadata } from '../records/record-metadata.ts';
import { uploadRecord } from '../records/upload-record.ts';
import { wrapForGrantee } from '../records/wrap-for-grantee.ts';
import { recoverAnchorEntrySigner } from '../signing/sign-anchor-entry.ts';
import {
  createHttpTransport,
  type HttpTransport,
  supportsRequestStreams,
} from './http-transport.ts';
import { type ProtocolServer, startProtocolServer } from './protocol-server.testing.ts';

const deployment = { chainId: 31337, records: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Hex };
const MB = 1024 * 1024;

let dir: string;
let store: ObjectStore;
let server: ProtocolServer;
const patient = createAccount();
const provider = createAccount();
const reader = createAccount();
const holder = (a: Account) => ({ address: a.address, encryptionPublicKey: a.encryptionPublicKey });

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aegle-sdk-http-'));
  store = await ObjectStore.open(dir, { defaultLimit: 200 * MB });
  server = await startProtocolServer(store);
});
after(async () => {
  await server?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

async function signedIn(account: Account): Promise<HttpTransport> {
  const transport = createHttpTransport({ baseUrl: server.url });
  await transport.signIn(account);
  return transport;
}

function recordOptions(
  plaintext: PrepareRecordOptions['plaintext'],
  extra: Partial<PrepareRecordOptions> = {},
) {
  return {
    plaintext,
    patient: holder(patient),
    creator: provider,
    category: 'Imaging',
    metadata: { contentType: 'application/dicom', fileName: 'scan.dcm' },
    deployment,
    ...extra,
  };
}

/** Opens a record through the transport, checked against its creator-signed entry. */
async function readThrough(transport: HttpTransport, account: Account, recordId: Hex) {
  const { entry } = await transport.proof(recordId);
  assert.equal(entry.recordId, recordId);
  assert.equal(await recoverAnchorEntrySigner(entry, deployment), entry.creator);
  const content = await transport.read(recordId);
  assert.ok(content.wrappedKey);
  const parts: Uint8Array[] = [];
  const opened = openRecord({
    ciphertext: content.ciphertext,
    wrappedKey: content.wrappedKey,
    account,
    recordId,
    expectedRoot: entry.contentRoot,
  });
  for await (const part of opened) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

test('sign-in with Ethereum gives a session; without one the node’s refusal is a SessionError', async () => {
  const anonymous = createHttpTransport({ baseUrl: server.url });
  await assert.rejects(anonymous.list({ patient: patient.address }), {
    name: 'SessionError',
    status: 401,
  });
  const session = await anonymous.signIn(patient);
  assert.equal(session.address, patient.address);
  assert.equal(anonymous.token, session.token);
  const page = await anonymous.list({ patient: patient.address });
  assert.ok(Array.isArray(page.items));
  const nowhere = createHttpTransport({ baseUrl: 'http://127.0.0.1:9' });
  await assert.rejects(nowhere.list({ patient: patient.address }), {
    name: 'NodeUnreachableError',
  });
});

test('upload, commit, list, read and open a record through HTTP; grant and revoke a reader', async () => {
  const kim = await signedIn(provider);
  const alice = await signedIn(patient);
  const lee = await signedIn(reader);
  const plaintext = new Uint8Array(randomBytes(2 * MB + 12_345));
  const prepared = await prepareRecord(recordOptions(plaintext));
  const { record, sealed } = await uploadRecord(kim, prepared);
  assert.deepEqual(server.seen.slice(-2), ['POST /uploads', 'POST /records']);
  assert.equal(record.recordId, prepared.recordId);
  assert.equal(record.cid, sealed.cid);
  assert.equal(record.size, ciphertextLength(plaintext.length));

  const { items } = await alice.list({ patient: patient.address });
  const listed = items.find((r) => r.recordId === prepared.recordId);
  assert.ok(listed?.metadata);
  assert.deepEqual(await readThrough(alice, patient, prepared.recordId), plaintext);

  // Lee has no key: the node refuses, typed.
  await assert.rejects(lee.read(prepared.recordId), { name: 'NotGrantedError', status: 403 });
  // Alice grants: unwrap her key, wrap it for Lee, store it.
  const mine = await alice.get(prepared.recordId);
  assert.ok(mine.wrappedKey);
  const forLee = await wrapForGrantee({
    recordId: prepared.recordId,
    wrappedKey: mine.wrappedKey,
    account: patient,
    grantee: holder(reader),
  });
  await alice.putWrappedKey(prepared.recordId, forLee);
  assert.deepEqual(await readThrough(lee, reader, prepared.recordId), plaintext);
  // Lee can read the private metadata too, and it is the signed one.
  const leeView = await lee.get(prepared.recordId);
  const { unwrapDataKey, decodeWrappedDataKey } = await import('@aegle/crypto');
  const dataKey = await unwrapDataKey(
    decodeWrappedDataKey(leeView.wrappedKey as string),
    reader.encryptionPrivateKey,
    prepared.recordId,
  );
  assert.deepEqual(
    await decryptMetadata(
      leeView.record.metadata as Uint8Array,
      dataKey,
      sealed.entry.metadataHash,
    ),
    { contentType: 'application/dicom', fileName: 'scan.dcm' },
  );
  // Revoke: the wrapped key goes, and so does the read.
  await alice.deleteWrappedKey(prepared.recordId, reader.address);
  await assert.rejects(lee.read(prepared.recordId), { name: 'NotGrantedError' });
  // Only the patient may hand out keys.
  await assert.rejects(lee.putWrappedKey(prepared.recordId, forLee), {
    name: 'NodeProblemError',
    status: 403,
  });
});

test('a node that reports another root than the client computed is caught before the commit', async () => {
  const kim = await signedIn(provider);
  const prepared = await prepareRecord(recordOptions(new Uint8Array(randomBytes(5000))));
  server.lieAboutNextRoot();
  const before = server.records.size;
  await assert.rejects(uploadRecord(kim, prepared), (error: unknown) => {
    assert.ok(error instanceof IntegrityError);
    assert.equal(error.reason, 'node-root-mismatch');
    return true;
  });
  assert.equal(server.records.size, before, 'nothing committed');
  assert.equal(server.seen.at(-1), 'POST /uploads');
});

test('an upload over quota is refused as QuotaExceededError', async () => {
  const kim = await signedIn(provider);
  const prepared = await prepareRecord(
    recordOptions(
      (async function* () {
        yield new Uint8Array(10);
      })(),
      { plaintextSize: 300 * MB },
    ),
  );
  await assert.rejects(uploadRecord(kim, prepared), { name: 'QuotaExceededError', status: 413 });
});

test('50 MB streams up and down without being held in memory, with progress', async () => {
  const size = 50 * MB;
  const chunk = 256 * 1024;
  const sent = createHash('sha256');
  async function* plaintext() {
    for (let done = 0; done < size; done += chunk) {
      const part = randomBytes(Math.min(chunk, size - done));
      sent.update(part);
      yield new Uint8Array(part.buffer, part.byteOffset, part.length);
    }
  }
  const kim = await signedIn(provider);
  const prepared = await prepareRecord(recordOptions(plaintext(), { plaintextSize: size }));
  const up: Progress[] = [];
  const { record, sealed } = await uploadRecord(kim, prepared, { onProgress: (p) => up.push(p) });
  const total = ciphertextLength(size);
  assert.equal(record.size, total);
  assert.deepEqual(up.at(-1), { bytesDone: total, totalBytes: total });
  assert.ok(up.length >= 50, 'progress reported as the stream went, not once at the end');

  const alice = await signedIn(patient);
  const down: Progress[] = [];
  const content = await alice.read(prepared.recordId, { onProgress: (p) => down.push(p) });
  assert.equal(content.size, total);
  const received = createHash('sha256');
  let bytes = 0;
  const opened = openRecord({
    ciphertext: content.ciphertext,
    wrappedKey: content.wrappedKey as string,
    account: patient,
    recordId: prepared.recordId,
    expectedRoot: sealed.entry.contentRoot,
  });
  let result = await opened.next();
  while (!result.done) {
    received.update(result.value);
    bytes += result.value.length;
    result = await opened.next();
  }
  assert.equal(result.value.verified, true);
  assert.equal(bytes, size);
  assert.equal(received.digest('hex'), sent.digest('hex'));
  assert.deepEqual(down.at(-1), { bytesDone: total, totalBytes: total });
});

test('without streaming uploads (older browsers) the body goes as a Blob, with the same result', async () => {
  assert.equal(supportsRequestStreams(), true, 'Node’s fetch streams request bodies');
  const kim = createHttpTransport({ baseUrl: server.url, uploadBody: 'blob' });
  await kim.signIn(provider);
  const plaintext = new Uint8Array(randomBytes(1_500_000));
  const prepared = await prepareRecord(recordOptions(plaintext));
  const progress: Progress[] = [];
  const { record } = await uploadRecord(kim, prepared, { onProgress: (p) => progress.push(p) });
  assert.equal(progress.at(-1)?.bytesDone, record.size);
  const alice = await signedIn(patient);
  assert.deepEqual(await readThrough(alice, patient, prepared.recordId), plaintext);
  await kim.signOut();
  assert.equal(kim.token, undefined);
  await assert.rejects(kim.list({ patient: patient.address }), { name: 'SessionError' });
});

test('a download locks its body at once: garbage collection before or during the read does not cut it short', async () => {
  // Node's fetch cancels the body of a Response that is garbage collected; the transport must
  // hold the Response until the last byte. Force collections between chunks to prove it.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const kim = await signedIn(provider);
  const plaintext = new Uint8Array(randomBytes(2 * MB));
  const prepared = await prepareRecord(recordOptions(plaintext));
  await uploadRecord(kim, prepared);
  const alice = await signedIn(patient);
  const content = await alice.read(prepared.recordId);
  // Work between getting the response and reading it (openRecord unwraps the key first).
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  let received = 0;
  for await (const part of content.ciphertext) {
    received += part.length;
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(received, content.size);
});

test('a category grant wraps every existing record of the category; revocation removes them all', async () => {
  const kim = await signedIn(provider);
  const alice = await signedIn(patient);
  const grantee = createAccount();
  const lee = await signedIn(grantee);
  const write = async (category: string, extra: Partial<PrepareRecordOptions> = {}) => {
    const plaintext = new Uint8Array(randomBytes(3000));
    const prepared = await prepareRecord(recordOptions(plaintext, { category, ...extra }));
    await uploadRecord(kim, prepared);
    return { id: prepared.recordId, plaintext };
  };
  const obs1 = await write('Vitals');
  const obs2 = await write('Vitals');
  const scan = await write('Radiology');
  const target = { category: 'Vitals' };
  const wrapped = await wrapKeysForGrantee({
    transport: alice,
    account: patient,
    patient: patient.address,
    grantee: holder(grantee),
    target,
  });
  assert.deepEqual(wrapped.sort(), [obs1.id, obs2.id].sort());
  for (const r of [obs1, obs2])
    assert.deepEqual(await readThrough(lee, grantee, r.id), r.plaintext);
  await assert.rejects(lee.read(scan.id), { name: 'NotGrantedError' });
  // Run again: nothing left to wrap.
  assert.deepEqual(
    await wrapKeysForGrantee({
      transport: alice,
      account: patient,
      patient: patient.address,
      grantee: holder(grantee),
      target,
    }),
    [],
  );
  // A record written later under the live grant: the writer wraps for the grantee itself.
  const later = await write('Vitals', { recipients: [holder(grantee)] });
  assert.deepEqual(await readThrough(lee, grantee, later.id), later.plaintext);

  const removed = await removeKeysOfGrantee({
    transport: alice,
    patient: patient.address,
    grantee: grantee.address,
    target,
  });
  assert.deepEqual(removed.sort(), [obs1.id, obs2.id, later.id].sort());
  for (const r of [obs1, obs2, later])
    await assert.rejects(lee.read(r.id), { name: 'NotGrantedError' });
  assert.deepEqual(
    await readThrough(alice, patient, later.id),
    later.plaintext,
    'the patient keeps access',
  );
});

test('readRecord checks the signed entry, then opens the content against its root', async () => {
  const kim = await signedIn(provider);
  const alice = await signedIn(patient);
  const plaintext = new Uint8Array(randomBytes(1_200_000));
  const prepared = await prepareRecord(recordOptions(plaintext));
  await uploadRecord(kim, prepared);
  const read = () =>
    readRecord({ transport: alice, recordId: prepared.recordId, account: patient, deployment });
  const parts: Uint8Array[] = [];
  const reader = read();
  let next = await reader.next();
  while (!next.done) {
    parts.push(next.value);
    next = await reader.next();
  }
  assert.deepEqual(new Uint8Array(Buffer.concat(parts)), plaintext);
  assert.equal(next.value.verified, true);
  assert.equal(next.value.entry.creator, provider.address);
  assert.deepEqual(next.value.anchor, { state: 'pending' });

  // A node that serves an entry with another root (so that other content would verify) is caught
  // by the creator's signature before any content is read.
  const stored = server.records.get(prepared.recordId);
  assert.ok(stored);
  const genuine = stored.entry.contentRoot as string;
  stored.entry.contentRoot = `0x${'ab'.repeat(32)}`;
  const seen = server.seen.length;
  await assert.rejects(
    (async () => {
      for await (const _ of read()) {
      }
    })(),
    { name: 'IntegrityError', reason: 'bad-entry' },
  );
  assert.deepEqual(server.seen.slice(seen), [`GET /records/${prepared.recordId}/proof`]);
  stored.entry.contentRoot = genuine;
  // An entry signed for another chain does not pass either.
  await assert.rejects(
    (async () => {
      for await (const _ of readRecord({
        transport: alice,
        recordId: prepared.recordId,
        account: patient,
        deployment: { ...deployment, chainId: 1 },
      })) {
      }
    })(),
    { name: 'IntegrityError', reason: 'bad-entry' },
  );
});
