// POST /records/batch: many small records in one request, all or nothing, each checked as a
// committed upload is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeEntryBatchSignature,
  entryBatchLeaf,
  entryBatchTypes,
  recordsDomain,
} from '@aegle/contracts';
import { SimpleMerkleTree } from '@openzeppelin/merkle-tree';
import type { Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { waitUntil } from './helpers.ts';
import {
  type api,
  newAccount,
  type PreparedRecord,
  prepareRecord,
  startNodeWithPeople,
  TARGETS,
} from './node-harness.ts';

type Problem = { type: string; status: number; batchIndex?: number; reason?: string };
type Meta = { recordId: Hex; patient: Hex; size: number; anchor: { state: string } };

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A batch item for `record`, with keys (stand-ins) for the patient and the creator. */
function item(record: PreparedRecord) {
  return {
    entry: record.entry,
    wrappedKeys: [
      { recipient: record.patient, wrappedKey: b64(Buffer.from('for-patient')) },
      { recipient: record.entry.creator, wrappedKey: b64(Buffer.from('for-creator')) },
    ],
    metadata: b64(record.metadata),
    content: b64(record.ciphertext),
  };
}

async function setup(t: import('node:test').TestContext) {
  return { ...(await startNodeWithPeople(t)), bob: newAccount() };
}

const records = (creator: Parameters<typeof prepareRecord>[0], patient: Hex, n: number) =>
  Promise.all(Array.from({ length: n }, () => prepareRecord(creator, patient)));

test('a batch stores every record, lists them in order, anchors them, and serves their bytes', async (t) => {
  const { asKim, asAlice, kim, alice, bob, node } = await setup(t);
  // One batch may write for several patients the writer may write for.
  const batch = [
    ...(await records(kim, alice.address, 5)),
    ...(await records(kim, bob.address, 2)),
  ];
  const response = await asKim('/records/batch', {
    method: 'POST',
    json: { records: batch.map(item) },
  });
  assert.equal(response.status, 201, await response.clone().text());
  const metas = ((await response.json()) as { records: Meta[] }).records;
  assert.deepEqual(
    metas.map((m) => m.recordId),
    batch.map((r) => r.recordId),
  );
  assert.deepEqual(
    metas.map((m) => m.size),
    batch.map((r) => r.ciphertext.length),
  );
  assert.ok(
    metas.every((m) => m.anchor.state === 'pending'),
    'just journaled for anchoring',
  );
  assert.ok(
    metas.every((m) => !('metadata' in m)),
    'the answer does not send back the envelopes the request carried',
  );
  const listed = (await (await asAlice(`/records?patient=${alice.address}`)).json()) as {
    records: (Meta & { metadata?: string })[];
  };
  assert.deepEqual(
    listed.records.map((m) => m.recordId),
    batch.slice(0, 5).map((r) => r.recordId),
  );
  assert.deepEqual(
    listed.records.map((m) => m.metadata),
    batch.slice(0, 5).map((r) => b64(r.metadata)),
    'each record keeps the envelope its request sent',
  );
  for (const record of batch.slice(0, 5)) {
    const content = await asAlice(`/records/${record.recordId}/content`);
    assert.equal(content.status, 200);
    assert.equal(content.headers.get('aegle-wrapped-key'), b64(Buffer.from('for-patient')));
    assert.deepEqual(
      new Uint8Array(await content.arrayBuffer()),
      new Uint8Array(record.ciphertext),
    );
  }
  const store = node.context.store;
  assert.equal(
    store.usage(alice.address.toLowerCase()).used,
    batch.slice(0, 5).reduce((sum, r) => sum + r.ciphertext.length, 0),
  );
  // Every record is journaled for anchoring and reaches the (test) relay.
  await waitUntil(async () => {
    const page = (await (await asAlice(`/records?patient=${alice.address}`)).json()) as {
      records: Meta[];
    };
    return page.records.every((m) => m.anchor.state === 'confirmed');
  });
  // A retry of the same batch (its answer lost) returns the same records, and stores nothing more.
  const again = await asKim('/records/batch', {
    method: 'POST',
    json: { records: batch.map(item) },
  });
  assert.equal(again.status, 201);
  const replayed = ((await again.json()) as { records: Meta[] }).records;
  assert.deepEqual(
    replayed.map((m) => m.recordId),
    batch.map((r) => r.recordId),
  );
  // A replay's records say where their anchors stand now.
  assert.ok(replayed.every((m) => m.anchor.state === 'confirmed'));
  assert.equal(
    store.usage(alice.address.toLowerCase()).used,
    batch.slice(0, 5).reduce((sum, r) => sum + r.ciphertext.length, 0),
  );
});

/** Posts a batch that must be refused whole; checks the problem and that nothing was stored. */
async function assertRefused(
  ctx: Awaited<ReturnType<typeof setup>>,
  call: ReturnType<typeof api>,
  batch: unknown[],
  expected: { status: number; type: string; batchIndex?: number },
) {
  const response = await call('/records/batch', { method: 'POST', json: { records: batch } });
  const problem = (await response.json()) as Problem;
  assert.equal(response.status, expected.status, JSON.stringify(problem));
  assert.equal(problem.type, `https://aegle.dev/problems/${expected.type}`);
  assert.equal(problem.batchIndex, expected.batchIndex);
  const patient = ctx.alice.address.toLowerCase();
  assert.deepEqual(ctx.node.context.store.usage(patient).used, 0, 'nothing stored');
  assert.equal(ctx.node.context.store.usage(patient).reserved, 0, 'nothing reserved');
  assert.equal(ctx.node.context.store.list(patient).length, 0, 'no object left');
  const listed = (await (await ctx.asAlice(`/records?patient=${ctx.alice.address}`)).json()) as {
    records: Meta[];
  };
  assert.equal(listed.records.length, 0, 'no record listed');
}

test('a batch is answered only once its journal and its commit are on disk (their WAL syncs)', async (t) => {
  const { asKim, kim, alice, node } = await setup(t);
  const real = node.context.dbSync;
  // Each sync is the real one, then held until the test lets it go: as if the disk were slow.
  const releases: (() => void)[] = [];
  node.context.dbSync = {
    afterCommit: async () => {
      const held = new Promise<void>((resolve) => releases.push(resolve));
      await real.afterCommit();
      await held;
    },
    latest: () => real.latest(),
    close: () => real.close(),
  } as unknown as typeof real;
  t.after(() => {
    node.context.dbSync = real;
  });
  const batch = await records(kim, alice.address, 3);
  let answered = false;
  const request = asKim('/records/batch', { method: 'POST', json: { records: batch.map(item) } });
  request.then(() => {
    answered = true;
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
  // The journal is committed and its sync held: nothing may be stored, or answered, yet.
  await waitUntil(() => releases.length === 1);
  await settle();
  assert.equal(releases.length, 1, 'went on to the records before the journal was on disk');
  releases[0]?.();
  // The records are committed and their sync held: no answer yet.
  await waitUntil(() => releases.length === 2);
  await settle();
  assert.equal(answered, false, 'answered before the records were on disk');
  releases[1]?.();
  const response = await request;
  assert.equal(response.status, 201, await response.clone().text());
});

test('a batch with one bad record is refused whole, naming the record, and leaves nothing', async (t) => {
  const ctx = await setup(t);
  const { asKim, asLee, kim, lee, alice, bob } = ctx;
  const good = () => records(kim, alice.address, 3);

  // Content that is not what the entry signs: found only once stored, then everything is deleted.
  const swapped = await good();
  const other = await prepareRecord(kim, alice.address);
  const tampered = [...swapped.map(item)];
  tampered[2] = { ...item(swapped[2] as PreparedRecord), content: b64(other.ciphertext) };
  await assertRefused(ctx, asKim, tampered, {
    status: 400,
    type: 'invalid-request',
    batchIndex: 2,
  });

  // A signature by someone else than the creator named in the entry.
  const forged = await good();
  const byLee = await prepareRecord(lee, alice.address);
  const bad = forged.map(item);
  bad[1] = {
    ...item(byLee),
    entry: { ...byLee.entry, creator: kim.address },
    wrappedKeys: item(forged[1] as PreparedRecord).wrappedKeys,
  };
  await assertRefused(ctx, asKim, bad, { status: 401, type: 'invalid-signature', batchIndex: 1 });

  // The malleated twin of the creator's own signature (s ↦ n − s, v flipped): it recovers the
  // creator, but Records.sol (OpenZeppelin ECDSA) rejects high s, so the node must too.
  const twin = await good();
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const sig = (twin[2] as PreparedRecord).entry.signature;
  const highS = (n - BigInt(`0x${sig.slice(66, 130)}`)).toString(16).padStart(64, '0');
  const flippedV = sig.slice(130) === '1b' ? '1c' : '1b';
  const malleated = twin.map(item);
  malleated[2] = {
    ...(malleated[2] as ReturnType<typeof item>),
    entry: {
      ...(twin[2] as PreparedRecord).entry,
      signature: `${sig.slice(0, 66)}${highS}${flippedV}` as Hex,
    },
  };
  await assertRefused(ctx, asKim, malleated, {
    status: 401,
    type: 'invalid-signature',
    batchIndex: 2,
  });

  // An entry signed by another account than the caller.
  await assertRefused(ctx, asKim, [...(await good()).map(item), item(byLee)], {
    status: 403,
    type: 'forbidden',
    batchIndex: 3,
  });

  // A metadata envelope that is not the one the entry signs.
  const meta = (await good()).map(item);
  meta[0] = { ...(meta[0] as ReturnType<typeof item>), metadata: b64(Buffer.from('other')) };
  await assertRefused(ctx, asKim, meta, { status: 400, type: 'invalid-request', batchIndex: 0 });

  // No wrapped key for the patient.
  const keyless = (await good()).map(item);
  keyless[1] = {
    ...(keyless[1] as ReturnType<typeof item>),
    wrappedKeys: [
      (keyless[1] as ReturnType<typeof item>).wrappedKeys[1] as {
        recipient: Hex;
        wrappedKey: string;
      },
    ],
  };
  await assertRefused(ctx, asKim, keyless, { status: 400, type: 'invalid-request', batchIndex: 1 });

  // Signed too long ago.
  const stale = await prepareRecord(kim, alice.address, {
    signedAt: Math.floor(Date.now() / 1000) - 2 * 86400,
  });
  await assertRefused(ctx, asKim, [...(await good()).map(item), item(stale)], {
    status: 400,
    type: 'invalid-request',
    batchIndex: 3,
  });

  // The same record twice.
  const twice = await good();
  await assertRefused(ctx, asKim, [...twice.map(item), item(twice[0] as PreparedRecord)], {
    status: 400,
    type: 'invalid-request',
  });

  // An uncertified provider writing for a patient.
  await assertRefused(ctx, asLee, (await records(lee, alice.address, 2)).map(item), {
    status: 403,
    type: 'writer-not-allowed',
    batchIndex: 0,
  });

  // A record id that exists already (not a replay: another signature).
  const first = await good();
  assert.equal(
    (
      await asKim('/records/batch', {
        method: 'POST',
        json: { records: [item(first[0] as PreparedRecord)] },
      })
    ).status,
    201,
  );
  const reused = await prepareRecord(kim, bob.address);
  const clash = { ...item(reused), entry: { ...reused.entry } };
  const before = ctx.node.context.store.usage(bob.address.toLowerCase()).used;
  const response = await asKim('/records/batch', {
    method: 'POST',
    json: {
      records: [
        item(await prepareRecord(kim, bob.address)),
        { ...clash, entry: { ...clash.entry, recordId: (first[0] as PreparedRecord).recordId } },
      ],
    },
  });
  assert.equal(response.status, 409);
  assert.equal(((await response.json()) as Problem).batchIndex, 1);
  assert.equal(ctx.node.context.store.usage(bob.address.toLowerCase()).used, before);
});

/**
 * The records' entries signed at once by `signer`: one EIP-712 signature of their tree's root
 * (AnchorEntryBatch), and each entry's batch signature carrying it and the entry's proof.
 */
async function signedAtOnce(batch: PreparedRecord[], signer: PrivateKeyAccount) {
  // The harness's entries are in wire form (nonce and signedAt as decimal strings).
  const entries = batch.map(({ entry: { signature: _, ...e } }) => ({
    ...e,
    nonce: BigInt(e.nonce),
    signedAt: BigInt(e.signedAt),
  }));
  const tree = SimpleMerkleTree.of(entries.map(entryBatchLeaf));
  const rootSignature = await signer.signTypedData({
    domain: recordsDomain(TARGETS.chainId, TARGETS.records),
    types: entryBatchTypes,
    primaryType: 'AnchorEntryBatch',
    message: { entriesRoot: tree.root as Hex },
  });
  return batch.map((record, i) => ({
    ...record,
    entry: {
      ...record.entry,
      signature: encodeEntryBatchSignature(rootSignature, tree.getProof(i) as Hex[]),
    },
  }));
}

test('entries signed at once (one signature of their tree) are taken; a wrong proof or another signer is refused, naming the record', async (t) => {
  const ctx = await setup(t);
  const { asKim, kim, lee, alice } = ctx;
  // Refusals first (each leaves nothing, which assertRefused checks).
  const byLee = await signedAtOnce(await records(kim, alice.address, 3), lee);
  await assertRefused(ctx, asKim, byLee.map(item), {
    status: 401,
    type: 'invalid-signature',
    batchIndex: 0,
  });
  const mine = await signedAtOnce(await records(kim, alice.address, 4), kim);
  const swapped = mine.map(item);
  // Record 2 carries record 3's proof: its leaf does not lead to the signed root.
  swapped[2] = {
    ...(swapped[2] as ReturnType<typeof item>),
    entry: {
      ...(mine[2] as PreparedRecord).entry,
      signature: (mine[3] as PreparedRecord).entry.signature,
    },
  };
  await assertRefused(ctx, asKim, swapped, {
    status: 401,
    type: 'invalid-signature',
    batchIndex: 2,
  });
  // The same records, as signed: taken, and anchored.
  const response = await asKim('/records/batch', {
    method: 'POST',
    json: { records: mine.map(item) },
  });
  assert.equal(response.status, 201, await response.clone().text());
  const metas = ((await response.json()) as { records: Meta[] }).records;
  assert.deepEqual(
    metas.map((m) => m.recordId),
    mine.map((r) => r.recordId),
  );
  await waitUntil(async () => {
    const listed = (await (await ctx.asAlice(`/records?patient=${alice.address}`)).json()) as {
      records: Meta[];
    };
    return (
      listed.records.length === 4 && listed.records.every((r) => r.anchor.state === 'confirmed')
    );
  });
});

test("the batch's total must fit the patient's quota, checked before any byte is stored", async (t) => {
  const ctx = await setup(t);
  const { asKim, kim, alice, node } = ctx;
  node.context.store.setLimit(alice.address.toLowerCase(), 10_000);
  // 4 × 3,000 bytes: each fits, the four do not.
  await assertRefused(ctx, asKim, (await records(kim, alice.address, 4)).map(item), {
    status: 413,
    type: 'quota-exceeded',
    batchIndex: 0,
  });
  const fits = await asKim('/records/batch', {
    method: 'POST',
    json: { records: (await records(kim, alice.address, 3)).map(item) },
  });
  assert.equal(fits.status, 201);
});

test('the node advertises its batch limits, and enforces them', async (t) => {
  const { url, asKim, kim, alice } = await setup(t);
  const info = (await (await fetch(`${url}/info`)).json()) as {
    batch: { maxRecords: number; maxBytes: number };
  };
  assert.ok(info.batch.maxRecords >= 100);
  assert.ok(info.batch.maxBytes >= 1 << 20);
  const one = item(await prepareRecord(kim, alice.address));
  const tooMany = await asKim('/records/batch', {
    method: 'POST',
    json: { records: Array.from({ length: info.batch.maxRecords + 1 }, () => one) },
  });
  assert.equal(tooMany.status, 400);
  const empty = await asKim('/records/batch', { method: 'POST', json: { records: [] } });
  assert.equal(empty.status, 400);
  const unauthenticated = await fetch(`${url}/records/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ records: [one] }),
  });
  assert.equal(unauthenticated.status, 401);
});
