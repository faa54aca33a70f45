import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type Account, ciphertextLength, createAccount, KeyUnwrapError } from '@aegle/crypto';
import { ObjectStore } from '@aegle/storage';
import { bytesToHex, type Hex, sha256 } from 'viem';
import { IntegrityError } from './errors.ts';
import { openRecord } from './open-record.ts';
import { type PrepareRecordOptions, prepareRecord } from './prepare-record.ts';
import type { Progress } from './progress.ts';
import { decryptMetadata } from './record-metadata.ts';
import { wrapForGrantee } from './wrap-for-grantee.ts';

const deployment = {
  chainId: 31337,
  records: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Hex,
};
const holder = (a: Account) => ({ address: a.address, encryptionPublicKey: a.encryptionPublicKey });

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

async function drain<T, R>(gen: AsyncGenerator<T, R>): Promise<{ items: T[]; result: R }> {
  const items: T[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { items, result: next.value };
    items.push(next.value);
  }
}

async function* inPieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

function options(
  patient: Account,
  creator: Account,
  plaintext: PrepareRecordOptions['plaintext'],
  extra: Partial<PrepareRecordOptions> = {},
): PrepareRecordOptions {
  return {
    plaintext,
    patient: holder(patient),
    creator,
    category: 'Observation',
    metadata: { resourceType: 'Observation', contentType: 'application/fhir+json' },
    deployment,
    ...extra,
  };
}

/** Prepares and consumes a record, as a transport would; returns the ciphertext and seal. */
async function seal(o: PrepareRecordOptions) {
  const prepared = await prepareRecord(o);
  const ciphertext = await collect(prepared.ciphertext);
  const sealed = await prepared.sealed;
  return { prepared, ciphertext, sealed };
}

const patient = createAccount();
const provider = createAccount();

test('round trips at several sizes, across segment and leaf boundaries, chunked any way', async () => {
  const chunkSize = 4096; // small leaves so that small inputs still make multi-level DAGs
  const segmentSize = 1024;
  for (const size of [0, 1, 1023, 1024, 1025, 4096 * 3 + 7, 300_000]) {
    const plaintext = new Uint8Array(randomBytes(size));
    const source = size % 2 ? inPieces(plaintext, 777) : plaintext;
    const { prepared, ciphertext, sealed } = await seal(
      options(patient, provider, source, {
        chunkSize,
        segmentSize,
        ...(size % 2 ? { plaintextSize: size } : {}),
      }),
    );
    assert.equal(ciphertext.length, ciphertextLength(size, segmentSize), `size ${size}`);
    assert.equal(prepared.ciphertextSize, ciphertext.length);
    assert.equal(sealed.size, ciphertext.length);
    assert.equal(sealed.entry.contentRoot, sealed.contentRoot);
    const patientKey = prepared.wrappedKeys.find((k) => k.recipient === patient.address);
    assert.ok(patientKey);
    const progress: Progress[] = [];
    const { items, result } = await drain(
      openRecord({
        ciphertext: inPieces(ciphertext, 5000),
        wrappedKey: patientKey.wrappedKey,
        account: patient,
        recordId: prepared.recordId,
        expectedRoot: sealed.entry.contentRoot,
        chunkSize,
        ciphertextSize: ciphertext.length,
        onProgress: (p) => progress.push(p),
      }),
    );
    assert.deepEqual(new Uint8Array(Buffer.concat(items)), plaintext, `size ${size}`);
    assert.equal(result.verified, true);
    assert.equal(result.cid, sealed.cid);
    assert.equal(result.plaintextSize, size);
    assert.deepEqual(progress.at(-1), {
      bytesDone: ciphertext.length,
      totalBytes: ciphertext.length,
    });
    assert.ok(progress.every((p, i) => i === 0 || p.bytesDone > (progress[i - 1]?.bytesDone ?? 0)));
  }
});

/**
 * Seals 20 kB (4 KiB leaves, 1 KiB segments), cuts the ciphertext into buffers of `piece` bytes
 * each, and opens it from them as the patient.
 */
async function openFromPieces(piece: number, disposableCiphertext: boolean) {
  const chunkSize = 4096;
  const plaintext = new Uint8Array(randomBytes(20_000));
  const { prepared, ciphertext, sealed } = await seal(
    options(patient, provider, plaintext, { chunkSize, segmentSize: 1024 }),
  );
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < ciphertext.length; i += piece) chunks.push(ciphertext.slice(i, i + piece));
  const key = prepared.wrappedKeys.find((k) => k.recipient === patient.address);
  assert.ok(key);
  const { items, result } = await drain(
    openRecord({
      ciphertext: (async function* () {
        yield* chunks;
      })(),
      wrappedKey: key.wrappedKey,
      account: patient,
      recordId: prepared.recordId,
      expectedRoot: sealed.entry.contentRoot,
      chunkSize,
      disposableCiphertext,
    }),
  );
  assert.deepEqual(new Uint8Array(Buffer.concat(items)), plaintext);
  assert.equal(result.verified, true);
  return { chunks, ciphertext };
}

test("reading leaves the caller's own ciphertext buffers intact, whole leaves included", async () => {
  // Each chunk its own buffer of exactly one leaf: the DAG builder passes such a chunk on as the
  // leaf itself, which openRecord must not free (only leaves it assembled are its own).
  const { chunks, ciphertext } = await openFromPieces(4096, false);
  assert.deepEqual(new Uint8Array(Buffer.concat(chunks)), new Uint8Array(ciphertext));
});

test('disposable ciphertext chunks are freed once copied, and the record still opens', async () => {
  // Chunks smaller than a leaf, each its own buffer, as a transport's read yields them.
  const { chunks } = await openFromPieces(1000, true);
  assert.ok(
    chunks.every((c) => c.byteLength === 0),
    'every chunk was freed',
  );
});

test('the entry binds record, patient, creator, category, metadata and a keyed nonce', async () => {
  const { prepared, sealed } = await seal(options(patient, provider, new Uint8Array([1, 2, 3])));
  const e = sealed.entry;
  assert.equal(e.recordId, prepared.recordId);
  assert.match(e.recordId, /^0x[0-9a-f]{64}$/);
  assert.equal(e.patient, patient.address);
  assert.equal(e.creator, provider.address);
  assert.equal(e.category, `0x${Buffer.from('Observation').toString('hex').padEnd(64, '0')}`);
  assert.equal(e.supersedes, `0x${'00'.repeat(32)}`);
  assert.equal(e.metadataHash, sha256(prepared.metadata));
  assert.equal(e.nonce & ((1n << 64n) - 1n), 0n, 'sequence 0 under a random key');
  assert.ok(e.nonce >> 64n > 0n);
  const again = await seal(options(patient, provider, new Uint8Array([1, 2, 3])));
  assert.notEqual(again.sealed.entry.nonce, e.nonce, 'a fresh nonce key per entry');
  assert.notEqual(again.prepared.recordId, prepared.recordId);
  assert.notEqual(again.sealed.contentRoot, sealed.contentRoot, 'a fresh data key per record');
  // The key is wrapped once per reader: patient, creator, no duplicates.
  assert.deepEqual(
    prepared.wrappedKeys.map((k) => k.recipient),
    [patient.address, provider.address],
  );
  const own = await seal(options(patient, patient, new Uint8Array([9])));
  assert.deepEqual(
    own.prepared.wrappedKeys.map((k) => k.recipient),
    [patient.address],
  );
});

test('metadata is encrypted under the record key and bound by its hash', async () => {
  const metadata = { resourceType: 'Observation', fileName: 'glucose-unique-marker.json', size: 3 };
  const { prepared } = await seal(options(patient, provider, new Uint8Array(3), { metadata }));
  assert.ok(!Buffer.from(prepared.metadata).includes('glucose-unique-marker'));
  assert.ok(!Buffer.from(prepared.metadata).includes('Observation'));
  // Recover the data key the way a reader does, through their wrapped key.
  const { unwrapDataKey, decodeWrappedDataKey } = await import('@aegle/crypto');
  const key = prepared.wrappedKeys[0]?.wrappedKey as string;
  const dataKey = await unwrapDataKey(
    decodeWrappedDataKey(key),
    patient.encryptionPrivateKey,
    prepared.recordId,
  );
  assert.deepEqual(
    await decryptMetadata(prepared.metadata, dataKey, prepared.metadataHash),
    metadata,
  );
  const swapped = new Uint8Array(prepared.metadata);
  swapped[swapped.length - 1] = (swapped.at(-1) ?? 0) ^ 1;
  await assert.rejects(decryptMetadata(swapped, dataKey, prepared.metadataHash), {
    name: 'IntegrityError',
    reason: 'metadata-mismatch',
  });
  await assert.rejects(decryptMetadata(swapped, dataKey), {
    name: 'IntegrityError',
    reason: 'tampered',
  });
});

test('a recipient at write time and a grantee wrapped later open it; anyone else cannot', async () => {
  const guardian = createAccount();
  const grantee = createAccount();
  const stranger = createAccount();
  const plaintext = new Uint8Array(randomBytes(50_000));
  const { prepared, ciphertext, sealed } = await seal(
    options(patient, provider, plaintext, { recipients: [holder(guardian)] }),
  );
  const keyOf = (a: Account) =>
    prepared.wrappedKeys.find((k) => k.recipient === a.address)?.wrappedKey;
  const open = (account: Account, wrappedKey: string) =>
    drain(
      openRecord({
        ciphertext: inPieces(ciphertext, 65_536),
        wrappedKey,
        account,
        recordId: prepared.recordId,
        expectedRoot: sealed.cid,
      }),
    );
  for (const reader of [patient, provider, guardian]) {
    const { items } = await open(reader, keyOf(reader) as string);
    assert.deepEqual(new Uint8Array(Buffer.concat(items)), plaintext);
  }
  // The guardian grants on the patient's behalf, from the key wrapped for the guardian.
  const granted = await wrapForGrantee({
    recordId: prepared.recordId,
    wrappedKey: keyOf(guardian) as string,
    account: guardian,
    grantee: holder(grantee),
  });
  assert.equal(granted.recipient, grantee.address);
  const { items } = await open(grantee, granted.wrappedKey);
  assert.deepEqual(new Uint8Array(Buffer.concat(items)), plaintext);

  // Someone with no key of their own: neither the grantee's nor the patient's key opens for them.
  await assert.rejects(open(stranger, granted.wrappedKey), KeyUnwrapError);
  await assert.rejects(open(stranger, keyOf(patient) as string), KeyUnwrapError);
  await assert.rejects(
    wrapForGrantee({
      recordId: prepared.recordId,
      wrappedKey: keyOf(patient) as string,
      account: stranger,
      grantee: holder(stranger),
    }),
    KeyUnwrapError,
  );
  // A wrapped key is bound to its record: it does not open under another record id.
  const other = `0x${'11'.repeat(32)}` as Hex;
  await assert.rejects(
    drain(
      openRecord({
        ciphertext: inPieces(ciphertext, 4096),
        wrappedKey: granted.wrappedKey,
        account: grantee,
        recordId: other,
      }),
    ),
    KeyUnwrapError,
  );
});

test('a tampered, truncated or extended ciphertext and a wrong root give IntegrityError', async () => {
  const chunkSize = 8192;
  const plaintext = new Uint8Array(randomBytes(40_000));
  const { prepared, ciphertext, sealed } = await seal(
    options(patient, provider, plaintext, { chunkSize, segmentSize: 4096 }),
  );
  const wrappedKey = prepared.wrappedKeys[0]?.wrappedKey as string;
  const open = (bytes: Uint8Array, expectedRoot?: string) =>
    drain(
      openRecord({
        ciphertext: inPieces(bytes, 3000),
        wrappedKey,
        account: patient,
        recordId: prepared.recordId,
        chunkSize,
        ...(expectedRoot !== undefined && { expectedRoot }),
      }),
    );
  const flipped = new Uint8Array(ciphertext);
  flipped[20_000] = (flipped[20_000] ?? 0) ^ 0x01;
  await assert.rejects(open(flipped, sealed.contentRoot), {
    name: 'IntegrityError',
    reason: 'tampered',
  });
  // Cut at a segment boundary (80-byte header, 4096 + 16 per segment), and inside a segment.
  await assert.rejects(open(ciphertext.subarray(0, 80 + 5 * 4112), sealed.contentRoot), {
    name: 'IntegrityError',
    reason: 'truncated',
  });
  await assert.rejects(open(ciphertext.subarray(0, 30_000), sealed.contentRoot), IntegrityError);
  const header = new Uint8Array(ciphertext);
  header[10] = (header[10] ?? 0) ^ 0x80;
  await assert.rejects(open(header, sealed.contentRoot), {
    name: 'IntegrityError',
    reason: 'header',
  });
  const longer = new Uint8Array(Buffer.concat([ciphertext, new Uint8Array(50)]));
  await assert.rejects(open(longer, sealed.contentRoot), IntegrityError);

  // Authentic ciphertext, but not the anchored root: the end of the stream refuses it.
  const wrongDigest = bytesToHex(randomBytes(32));
  const gen = openRecord({
    ciphertext: inPieces(ciphertext, 3000),
    wrappedKey,
    account: patient,
    recordId: prepared.recordId,
    chunkSize,
    expectedRoot: wrongDigest,
  });
  let yielded = 0;
  await assert.rejects(
    (async () => {
      for await (const part of gen) yielded += part.length;
    })(),
    { name: 'IntegrityError', reason: 'root-mismatch' },
  );
  assert.equal(yielded, plaintext.length, 'segments flow, the verdict comes at the end');
  // The same root read with another leaf size is another root: it must match the node's.
  await assert.rejects(
    drain(
      openRecord({
        ciphertext: inPieces(ciphertext, 3000),
        wrappedKey,
        account: patient,
        recordId: prepared.recordId,
        chunkSize: 4096,
        expectedRoot: sealed.cid,
      }),
    ),
    { name: 'IntegrityError', reason: 'root-mismatch' },
  );
  // Without an expected root nothing is claimed verified, and the computed root is returned.
  const { result } = await open(ciphertext);
  assert.equal(result.verified, false);
  assert.equal(result.cid, sealed.cid);
});

test('the SDK computes the same root as @aegle/storage stores the ciphertext under', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'aegle-sdk-root-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await ObjectStore.open(dir);
  t.after(() => store.close());
  for (const size of [0, 10, 1_048_576 - 80, 3_500_000]) {
    const { ciphertext, sealed } = await seal(
      options(patient, provider, new Uint8Array(randomBytes(size))),
    );
    const { cid } = await store.put({
      account: patient.address,
      size: ciphertext.length,
      source: inPieces(ciphertext, 100_000),
    });
    assert.equal(sealed.cid, cid.toString(), `size ${size}`);
    assert.equal(sealed.contentRoot, bytesToHex(cid.multihash.digest));
    assert.deepEqual(await collect(store.get(cid)), ciphertext);
  }
});

/** A source that records whether its consumer closed it. */
function closable(bytes: Uint8Array) {
  const state = { closed: false };
  async function* source() {
    try {
      yield* inPieces(bytes, 65_536);
    } finally {
      state.closed = true;
    }
  }
  return { state, source: source() };
}

test('an abandoned ciphertext stream closes its source, rejects sealed and signs nothing', async () => {
  const plaintext = closable(new Uint8Array(randomBytes(3_000_000)));
  const prepared = await prepareRecord(options(patient, provider, plaintext.source));
  for await (const _ of prepared.ciphertext) break;
  assert.equal(plaintext.state.closed, true);
  await assert.rejects(prepared.sealed, { name: 'UploadIncompleteError' });
  await assert.rejects(
    prepareRecord(options(patient, provider, new Uint8Array(1), { category: '' })),
    {
      name: 'LabelError',
    },
  );
  await assert.rejects(
    prepareRecord(options(patient, provider, new Uint8Array(1), { supersedes: '0x12' as Hex })),
    { name: 'InvalidRecordOptionError' },
  );
});

test('a reader that stops early closes the ciphertext source', async () => {
  const { prepared, ciphertext } = await seal(
    options(patient, provider, new Uint8Array(randomBytes(3_000_000))),
  );
  const download = closable(ciphertext);
  for await (const _ of openRecord({
    ciphertext: download.source,
    wrappedKey: prepared.wrappedKeys[0]?.wrappedKey as string,
    account: patient,
    recordId: prepared.recordId,
  }))
    break;
  assert.equal(download.state.closed, true);
});
