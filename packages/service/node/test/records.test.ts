import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { anchorEntryLeafEncoding, auditEntryLeafEncoding, bytes32Label } from '@aegle/contracts';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import type { Hex } from 'viem';
import { leafOf } from '../src/merkle-batch.ts';
import { tempDir, waitUntil } from './helpers.ts';
import {
  api,
  commitBody,
  newAccount,
  prepareRecord,
  signIn,
  startNode,
  startNodeWithPeople,
  streamUpload,
  uploadRecord,
} from './node-harness.ts';

const key = (text: string) => Buffer.from(text).toString('base64');
const treatment = bytes32Label('treatment');

type Problem = { type: string; status: number; reason?: string };
const problemType = async (response: Response) =>
  ((await response.json()) as Problem).type.replace('https://aegle.dev/problems/', '');

const setup = startNodeWithPeople;

test('the access matrix: patient yes; no grant 403; record grant yes and audited; revoked, expired, other category 403', async (t) => {
  const { asAlice, asKim, asLee, alice, kim, lee, grants, url } = await setup(t);
  const record = await prepareRecord(kim, alice.address, { category: 'Observation' });
  const upload = await uploadRecord(asKim, record, [
    { recipient: alice.address, wrappedKey: key('for-alice') },
    { recipient: lee.address, wrappedKey: key('for-lee') },
  ]);
  assert.equal(upload.status, 201, await upload.clone().text());
  const meta = (await upload.json()) as { recordId: Hex; anchor: { state: string }; size: number };
  assert.equal(meta.recordId, record.recordId);
  assert.equal(meta.size, record.ciphertext.length);

  // The patient reads: bytes exact, her own wrapped key, nothing in her audit trail.
  const own = await asAlice(`/records/${record.recordId}/content`);
  assert.equal(own.status, 200);
  assert.equal(own.headers.get('aegle-wrapped-key'), key('for-alice'));
  assert.deepEqual(new Uint8Array(await own.arrayBuffer()), new Uint8Array(record.ciphertext));

  // A provider without a grant.
  const refused = await asLee(`/records/${record.recordId}/content`);
  assert.equal(refused.status, 403);
  assert.equal(await problemType(refused), 'not-granted');

  // With a record grant: the read succeeds and shows in the patient's audit trail with its purpose.
  grants.grant(
    alice.address,
    lee.address,
    'record',
    record.recordId,
    treatment,
    new Date(Date.now() + 3600_000),
  );
  const granted = await asLee(`/records/${record.recordId}/content`);
  assert.equal(granted.status, 200);
  assert.equal(granted.headers.get('aegle-wrapped-key'), key('for-lee'));
  assert.deepEqual(new Uint8Array(await granted.arrayBuffer()), new Uint8Array(record.ciphertext));
  const trail = (await (await asAlice(`/audit?patient=${alice.address}`)).json()) as {
    entries: Array<{
      recordId: string;
      reader: string;
      purpose: string;
      releasedAt: number;
      commit: { state: string };
    }>;
  };
  assert.equal(trail.entries.length, 1);
  assert.equal(trail.entries[0]?.reader, lee.address.toLowerCase());
  assert.equal(trail.entries[0]?.purpose, treatment);
  assert.equal(trail.entries[0]?.recordId, record.recordId);

  // The audit entry is committed through the outbox in a Merkle root, and its proof verifies.
  await waitUntil(async () => {
    const page = (await (await asAlice(`/audit?patient=${alice.address}`)).json()) as typeof trail;
    return page.entries[0]?.commit.state === 'confirmed';
  });
  const committed = (await (await asAlice(`/audit?patient=${alice.address}`)).json()) as {
    entries: Array<{
      recordId: Hex;
      patient: Hex;
      reader: Hex;
      purpose: Hex;
      releasedAt: number;
      commit: { root: Hex; proof: Hex[]; txHash: Hex };
    }>;
  };
  const entry = committed.entries[0];
  assert.ok(entry);
  assert.ok(entry.commit.txHash);
  assert.ok(
    StandardMerkleTree.verify(
      entry.commit.root,
      [...auditEntryLeafEncoding],
      leafOf('audit', entry).values,
      entry.commit.proof,
    ),
  );
  // Not a proof of something else: another reader does not verify under the same root.
  assert.ok(
    !StandardMerkleTree.verify(
      entry.commit.root,
      [...auditEntryLeafEncoding],
      leafOf('audit', { ...entry, reader: kim.address }).values,
      entry.commit.proof,
    ),
  );

  // Revoked: refused.
  grants.revoke(alice.address, lee.address, 'record', record.recordId);
  assert.equal((await asLee(`/records/${record.recordId}/content`)).status, 403);

  // Expired: refused, with the reason.
  grants.grant(
    alice.address,
    lee.address,
    'record',
    record.recordId,
    treatment,
    new Date(Date.now() - 1000),
  );
  const expired = await asLee(`/records/${record.recordId}`);
  assert.equal(expired.status, 403);
  assert.equal(((await expired.json()) as Problem).reason, 'expired');

  // A category grant for another category.
  grants.grant(
    alice.address,
    lee.address,
    'category',
    bytes32Label('Imaging'),
    treatment,
    new Date(Date.now() + 3600_000),
  );
  assert.equal((await asLee(`/records/${record.recordId}`)).status, 403);
  // And for this one.
  grants.grant(
    alice.address,
    lee.address,
    'category',
    bytes32Label('Observation'),
    treatment,
    new Date(Date.now() + 3600_000),
  );
  const meta2 = await asLee(`/records/${record.recordId}`);
  assert.equal(meta2.status, 200);
  const body = (await meta2.json()) as { wrappedKey: string; purpose: string };
  assert.equal(body.wrappedKey, key('for-lee'));
  assert.equal(body.purpose, treatment);

  // Only two releases to Lee happened (the refused ones are not releases).
  const final = (await (await asAlice(`/audit?patient=${alice.address}`)).json()) as typeof trail;
  assert.equal(final.entries.length, 2);
  // Lee may not read Alice's audit trail or list her records.
  assert.equal((await asLee(`/audit?patient=${alice.address}`)).status, 403);
  assert.equal((await asLee(`/records?patient=${alice.address}`)).status, 403);
  assert.ok(url);
});

test('writers: the patient and a certified provider may create records; an uncertified one is refused before any byte', async (t) => {
  const { asAlice, asLee, alice, lee, node } = await setup(t);
  const own = await prepareRecord(alice, alice.address);
  assert.equal(
    (await uploadRecord(asAlice, own, [{ recipient: alice.address, wrappedKey: key('k') }])).status,
    201,
  );

  const byLee = await prepareRecord(lee, alice.address);
  const refused = await uploadRecord(asLee, byLee, [
    { recipient: alice.address, wrappedKey: key('k') },
  ]);
  assert.equal(refused.status, 403);
  const problem = (await refused.json()) as Problem & { detail: string };
  assert.equal(problem.type, 'https://aegle.dev/problems/writer-not-allowed');
  assert.equal(problem.reason, 'not-certified');
  assert.equal(node.context.store.usage(alice.address.toLowerCase()).used, own.ciphertext.length);

  // An entry signed by someone else than the uploader, or not matching the record, is refused.
  const forged = await prepareRecord(lee, alice.address);
  const forgedUpload = (await (await streamUpload(asAlice, forged)).json()) as { uploadId: string };
  const byOther = await asAlice('/records', {
    method: 'POST',
    json: commitBody(forgedUpload.uploadId, forged, [
      { recipient: alice.address, wrappedKey: key('k') },
      { recipient: lee.address, wrappedKey: key('k') },
    ]),
  });
  assert.equal(byOther.status, 403);
  const tampered = await prepareRecord(alice, alice.address);
  const tamperedUpload = (await (await streamUpload(asAlice, tampered)).json()) as {
    uploadId: string;
  };
  const badSig = await asAlice('/records', {
    method: 'POST',
    json: commitBody(
      tamperedUpload.uploadId,
      { ...tampered, entry: { ...tampered.entry, supersedes: `0x${'ab'.repeat(32)}` } },
      [{ recipient: alice.address, wrappedKey: key('k') }],
    ),
  });
  assert.equal(badSig.status, 401);
  assert.equal(await problemType(badSig), 'invalid-signature');
  // Metadata other than what the entry signs, or keys missing the patient, are refused.
  const wrongMeta = await asAlice('/records', {
    method: 'POST',
    json: {
      ...commitBody(tamperedUpload.uploadId, tampered, [
        { recipient: alice.address, wrappedKey: key('k') },
      ]),
      metadata: Buffer.from('other').toString('base64'),
    },
  });
  assert.equal(wrongMeta.status, 400);
  const noPatientKey = await asAlice('/records', {
    method: 'POST',
    json: commitBody(tamperedUpload.uploadId, tampered, [
      { recipient: lee.address, wrappedKey: key('k') },
    ]),
  });
  assert.equal(noPatientKey.status, 400);
  // A record id is never reused.
  assert.equal(
    (await uploadRecord(asAlice, own, [{ recipient: alice.address, wrappedKey: key('k') }])).status,
    409,
  );
});

test('the entry must sign the root of the uploaded content; the stream must have the declared size', async (t) => {
  const { asAlice, alice, node } = await setup(t);
  const record = await prepareRecord(alice, alice.address);
  const other = { ...record, ciphertext: new Uint8Array(record.ciphertext).map((b) => b ^ 1) };
  const mismatch = await uploadRecord(asAlice, other, [
    { recipient: alice.address, wrappedKey: key('k') },
  ]);
  assert.equal(mismatch.status, 400);
  assert.equal(await problemType(mismatch), 'invalid-request');
  assert.equal(node.context.catalog.has(record.recordId), false);
  // The uncommitted upload holds its bytes until it expires (see the expiry test).
  assert.equal(node.context.store.usage(alice.address.toLowerCase()).used, other.ciphertext.length);

  const short = await streamUpload(asAlice, record, { size: record.ciphertext.length + 5 });
  assert.equal(short.status, 400);
  assert.equal(await problemType(short), 'size-mismatch');
  assert.equal(node.context.store.usage(alice.address.toLowerCase()).reserved, 0);
  const receipt = (await (await streamUpload(asAlice, record)).json()) as {
    uploadId: string;
    cid: string;
    contentRoot: string;
    size: number;
  };
  assert.equal(receipt.contentRoot, record.entry.contentRoot);
  assert.equal(receipt.size, record.ciphertext.length);
  // Another session's upload id is unknown to this one.
  const asLee = api(node.url, await signIn(node.url, newAccount()));
  const stolen = await asLee('/records', {
    method: 'POST',
    json: commitBody(receipt.uploadId, record, [{ recipient: alice.address, wrappedKey: 'AA==' }]),
  });
  assert.equal(stolen.status, 404);
  assert.equal(await problemType(stolen), 'upload-not-found');
});

test('uncommitted uploads expire: their objects are deleted and the quota released, also after a restart', async (t) => {
  const dataDir = await tempDir(t);
  let clock = Date.now();
  const first = await startNode(t, { dataDir, uploadTtlMs: 60_000, now: () => clock });
  const alice = newAccount();
  const asAlice = api(first.url, await signIn(first.url, alice));
  const record = await prepareRecord(alice, alice.address);
  const receipt = (await (await streamUpload(asAlice, record)).json()) as { uploadId: string };
  const usage = () => first.node.context.store.usage(alice.address.toLowerCase());
  assert.equal(usage().used, record.ciphertext.length);
  clock += 61_000;
  await first.node.context.uploads.sweepExpired(first.node.context.store, clock);
  assert.equal(usage().used, 0);
  assert.deepEqual(first.node.context.store.list(alice.address.toLowerCase()), []);
  const late = await asAlice('/records', {
    method: 'POST',
    json: commitBody(receipt.uploadId, record, [{ recipient: alice.address, wrappedKey: 'AA==' }]),
  });
  assert.equal(late.status, 404);

  // Stored while the node ran, expired while it was down: gone once it is back.
  const again = await prepareRecord(alice, alice.address);
  assert.equal((await streamUpload(asAlice, again)).status, 201);
  await first.node.close();
  clock += 61_000;
  const second = await startNode(t, { dataDir, uploadTtlMs: 60_000, now: () => clock });
  assert.equal(second.node.context.store.usage(alice.address.toLowerCase()).used, 0);
});

test('the quota is checked before any byte is stored', async (t) => {
  const { asAlice, alice, node } = await setup(t);
  node.context.store.setLimit(alice.address.toLowerCase(), 4000);
  const first = await prepareRecord(alice, alice.address, {
    ciphertext: new Uint8Array(3000).fill(7),
  });
  assert.equal(
    (await uploadRecord(asAlice, first, [{ recipient: alice.address, wrappedKey: key('k') }]))
      .status,
    201,
  );
  const second = await prepareRecord(alice, alice.address, {
    ciphertext: new Uint8Array(3000).fill(8),
  });
  // Announced size over the quota: refused before the body is read.
  const response = await streamUpload(asAlice, second);
  assert.equal(response.status, 413);
  assert.equal(await problemType(response), 'quota-exceeded');
  assert.equal(node.context.store.usage(alice.address.toLowerCase()).used, 3000);
  assert.equal(node.context.store.usage(alice.address.toLowerCase()).reserved, 0);
});

test('downloads are byte-exact leaf by leaf (repeated leaves too); a client gone mid-download leaves the node serving', async (t) => {
  const { asAlice, alice } = await setup(t);
  // Four identical 1 MiB leaves and a short one: each leaf is sent, then freed, on its own.
  const size = 4 * 1024 * 1024 + 12_345;
  const record = await prepareRecord(alice, alice.address, {
    ciphertext: new Uint8Array(size).fill(9),
  });
  const stored = await uploadRecord(asAlice, record, [
    { recipient: alice.address, wrappedKey: 'AA==' },
  ]);
  assert.equal(stored.status, 201);
  const whole = await asAlice(`/records/${record.recordId}/content`);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('content-length'), String(size));
  assert.equal(whole.headers.get('cache-control'), 'no-store');
  assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), new Uint8Array(record.ciphertext));
  // Read one chunk, then go away.
  const abort = new AbortController();
  const partial = await asAlice(`/records/${record.recordId}/content`, { signal: abort.signal });
  const reader = partial.body?.getReader();
  assert.ok(reader);
  await reader.read();
  abort.abort();
  await reader.read().catch(() => {});
  // The node still serves, the same bytes.
  const again = await asAlice(`/records/${record.recordId}/content`);
  assert.deepEqual(new Uint8Array(await again.arrayBuffer()), new Uint8Array(record.ciphertext));
});

test('a client that disconnects mid-upload leaves nothing behind', async (t) => {
  const { asAlice, alice, node, dataDir } = await setup(t);
  const size = 4 * 1024 * 1024;
  const record = await prepareRecord(alice, alice.address, {
    ciphertext: new Uint8Array(size).fill(3),
  });
  const abort = new AbortController();
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= size / 2) {
        // Half the body is out: wait until the store holds a reservation, then go away.
        await waitUntil(() => node.context.store.usage(alice.address.toLowerCase()).reserved > 0);
        abort.abort();
        return;
      }
      controller.enqueue(record.ciphertext.subarray(sent, sent + 256 * 1024));
      sent += 256 * 1024;
    },
  });
  await assert.rejects(
    asAlice(`/uploads?patient=${alice.address}&size=${size}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body,
      signal: abort.signal,
      duplex: 'half',
    } as RequestInit),
  );
  await waitUntil(() => node.context.store.usage(alice.address.toLowerCase()).reserved === 0);
  assert.deepEqual(node.context.store.usage(alice.address.toLowerCase()).used, 0);
  assert.deepEqual(node.context.store.list(alice.address.toLowerCase()), []);
  await waitUntil(
    () =>
      (node.context.db.prepare('SELECT count(*) AS n FROM uploads').get() as { n: number }).n === 0,
  );
  // No block file of the aborted upload is left in the store's directories.
  const files = await listFiles(path.join(dataDir, 'store'));
  const blockFiles = files.filter((f) => !f.endsWith('.sqlite') && !f.includes('.sqlite-'));
  // (Nothing else was stored yet: no record, no batch list of the node.)
  assert.deepEqual(node.context.store.list('node'), []);
  assert.deepEqual(blockFiles, []);
  // The client may send the content again.
  const retry = await uploadRecord(asAlice, record, [
    { recipient: alice.address, wrappedKey: 'AA==' },
  ]);
  assert.equal(retry.status, 201);
  // …and then its blocks are on disk: the search above does find block files when there are any.
  const after = await listFiles(path.join(dataDir, 'store'));
  assert.ok(after.some((f) => !f.endsWith('.sqlite') && !f.includes('.sqlite-')));
});

test('listing by patient pages with a cursor; guardians may list, others not', async (t) => {
  const { asAlice, asKim, alice, kim, grants, as } = await setup(t);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const record = await prepareRecord(kim, alice.address);
    assert.equal(
      (await uploadRecord(asKim, record, [{ recipient: alice.address, wrappedKey: key('k') }]))
        .status,
      201,
    );
    ids.push(record.recordId);
  }
  const seen: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = (await (
      await asAlice(`/records?patient=${alice.address}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    ).json()) as {
      records: Array<{ recordId: string; anchor: { state: string } }>;
      nextCursor?: string;
    };
    seen.push(...page.records.map((r) => r.recordId));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  assert.deepEqual(seen, ids);
  assert.equal((await asAlice(`/records?patient=${alice.address}&cursor=!!`)).status, 400);

  const bob = newAccount();
  const carol = newAccount();
  grants.setGuardian(alice.address, bob.address);
  const asBob = await as(bob);
  const asCarol = await as(carol);
  assert.equal((await asBob(`/records?patient=${alice.address}`)).status, 200);
  assert.equal((await asCarol(`/records?patient=${alice.address}`)).status, 403);
  // The guardian may add a wrapped key for a grantee; someone else may not.
  assert.equal(
    (
      await asBob(`/records/${ids[0]}/keys/${carol.address}`, {
        method: 'PUT',
        json: { wrappedKey: key('for-carol') },
      })
    ).status,
    204,
  );
  assert.equal(
    (
      await asCarol(`/records/${ids[0]}/keys/${carol.address}`, {
        method: 'PUT',
        json: { wrappedKey: key('x') },
      })
    ).status,
    403,
  );
  const recipients = (await (await asAlice(`/records/${ids[0]}/keys`)).json()) as {
    recipients: string[];
  };
  assert.deepEqual(
    [...recipients.recipients].sort(),
    [alice.address.toLowerCase(), carol.address.toLowerCase(), kim.address.toLowerCase()].sort(),
  );
});

test('a record is anchored through the outbox, and its proof verifies against the batch root', async (t) => {
  const { asAlice, alice } = await setup(t);
  const record = await prepareRecord(alice, alice.address);
  assert.equal(
    (await uploadRecord(asAlice, record, [{ recipient: alice.address, wrappedKey: key('k') }]))
      .status,
    201,
  );
  await waitUntil(
    async () =>
      (
        (await (await asAlice(`/records/${record.recordId}`)).json()) as {
          record: { anchor: { state: string } };
        }
      ).record.anchor.state === 'confirmed',
  );
  const proof = (await (await asAlice(`/records/${record.recordId}/proof`)).json()) as {
    entry: typeof record.entry;
    anchor: { state: string; root: Hex; proof: Hex[]; leaf: Hex; cid: string };
  };
  assert.deepEqual(proof.entry, record.entry);
  assert.equal(proof.anchor.state, 'confirmed');
  assert.ok(
    StandardMerkleTree.verify(
      proof.anchor.root,
      [...anchorEntryLeafEncoding],
      leafOf('anchor', record.entry).values,
      proof.anchor.proof,
    ),
  );
});

test('audit before release: if the journal cannot be written, a grantee gets no byte; the patient still reads', async (t) => {
  const { asAlice, asLee, alice, lee, grants, node } = await setup(t);
  const record = await prepareRecord(alice, alice.address);
  assert.equal(
    (
      await uploadRecord(asAlice, record, [
        { recipient: alice.address, wrappedKey: key('k') },
        { recipient: lee.address, wrappedKey: key('l') },
      ])
    ).status,
    201,
  );
  grants.grant(
    alice.address,
    lee.address,
    'record',
    record.recordId,
    treatment,
    new Date(Date.now() + 3600_000),
  );
  assert.equal((await asLee(`/records/${record.recordId}/content`)).status, 200);
  // Break the journal: the table the audit entries go to is gone.
  node.context.db.exec('ALTER TABLE audit_entries RENAME TO audit_entries_gone');
  const refused = await asLee(`/records/${record.recordId}/content`);
  assert.equal(refused.status, 500);
  const text = await refused.text();
  assert.ok(!text.includes(Buffer.from(record.ciphertext.subarray(0, 16)).toString('latin1')));
  assert.equal(refused.headers.get('aegle-wrapped-key'), null);
  assert.equal((await asAlice(`/records/${record.recordId}/content`)).status, 200);
  node.context.db.exec('ALTER TABLE audit_entries_gone RENAME TO audit_entries');
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test('keys are deleted by the patient (not by others); metadata comes back as stored; recipients for writers', async (t) => {
  const { asAlice, asKim, asLee, alice, kim, lee, grants } = await setup(t);
  const record = await prepareRecord(kim, alice.address, { category: 'Observation' });
  const created = await uploadRecord(asKim, record, [
    { recipient: lee.address, wrappedKey: key('for-lee') },
  ]);
  assert.equal(created.status, 201);
  const summary = (await created.json()) as { metadata: string };
  assert.equal(summary.metadata, Buffer.from(record.metadata).toString('base64'));
  const listed = (await (await asAlice(`/records?patient=${alice.address}`)).json()) as {
    records: Array<{ metadata: string }>;
  };
  assert.equal(listed.records[0]?.metadata, summary.metadata);

  const path = `/records/${record.recordId}/keys/${lee.address}`;
  assert.equal((await asKim(path, { method: 'DELETE' })).status, 403);
  assert.equal((await asAlice(path, { method: 'DELETE' })).status, 204);
  const holders = (await (await asAlice(`/records/${record.recordId}/keys`)).json()) as {
    recipients: string[];
  };
  assert.deepEqual(
    [...holders.recipients].sort(),
    [alice.address.toLowerCase(), kim.address.toLowerCase()].sort(),
  );

  const observation = bytes32Label('Observation');
  grants.grant(
    alice.address,
    lee.address,
    'category',
    observation,
    treatment,
    new Date(Date.now() + 60_000),
  );
  grants.grant(
    alice.address,
    kim.address,
    'category',
    bytes32Label('Imaging'),
    treatment,
    new Date(Date.now() + 60_000),
  );
  // One category (a single value is a list of one), and several.
  const query = `/consents/recipients?patient=${alice.address}&category=${observation}`;
  const one = (await (await asKim(query)).json()) as { byCategory: Record<string, string[]> };
  assert.deepEqual(one.byCategory, { [observation.toLowerCase()]: [lee.address.toLowerCase()] });
  const imaging = bytes32Label('Imaging');
  const both = (await (await asKim(`${query}&category=${imaging}`)).json()) as {
    byCategory: Record<string, string[]>;
  };
  assert.deepEqual(both.byCategory, {
    [observation.toLowerCase()]: [lee.address.toLowerCase()],
    [imaging.toLowerCase()]: [kim.address.toLowerCase()],
  });
  const tooMany = `${query}${`&category=${imaging}`.repeat(64)}`;
  assert.equal((await asKim(tooMany)).status, 400);
  // Someone who may not write for the patient learns nothing.
  const refused = await asLee(query);
  assert.equal(refused.status, 403);
  assert.equal(await problemType(refused), 'writer-not-allowed');
});

test('an upload cut by a crash after its bytes were stored, before it was recorded, is deleted at the next start', async (t) => {
  const dataDir = await tempDir(t);
  const first = await startNode(t, { dataDir });
  const alice = newAccount();
  const asAlice = api(first.url, await signIn(first.url, alice));
  const kept = await prepareRecord(alice, alice.address);
  assert.equal((await uploadRecord(asAlice, kept, [])).status, 201);
  // The state a crash leaves between ObjectStore.put and the upload row's update: a 'streaming'
  // row, and a committed object no record or upload names.
  const patient = alice.address.toLowerCase() as Hex;
  const { uploads, store } = first.node.context;
  uploads.begin({ caller: patient, patient, size: 4000 }, Date.now(), 60_000);
  const orphan = await store.put({
    account: patient,
    size: 4000,
    source: [new Uint8Array(4000).fill(9)],
  });
  assert.ok(store.has(orphan.cid));
  await first.node.close();

  const second = await startNode(t, { dataDir });
  const objects = second.node.context.store.list(patient).map((o) => o.cid.toString());
  assert.deepEqual(objects, [second.node.context.catalog.get(kept.recordId)?.cid]);
  assert.equal(second.node.context.store.usage(patient).used, kept.ciphertext.length);
  const rows = second.node.context.db.prepare('SELECT count(*) AS n FROM uploads').get() as {
    n: number;
  };
  assert.equal(rows.n, 0);
});
