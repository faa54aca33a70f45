// The client against a real node (startNode: embedded anvil, real store) — and against a node
// that lies: a changed proof or audit entry must not verify against the chain.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createAccount } from '@aegle/crypto';
import { type RunningNode, startNode } from '@aegle/node';
import type { Hex } from 'viem';
import { RateLimitedError } from '../transport/errors.ts';
import { createHttpTransport } from '../transport/http-transport.ts';
import type { Transport } from '../transport/transport.ts';
import { type ClientDeployment, createAegleClient } from './create-aegle-client.ts';

let dir: string;
let node: RunningNode;
let deployment: ClientDeployment;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegle-sdk-client-'));
  node = await startNode({ dataDir: dir, port: 0, logFile: false });
  deployment = node.chain.deployment;
});
after(async () => {
  await node?.close();
  await rm(dir, { recursive: true, force: true });
});

async function clientFor(role: 'patient' | 'provider', wrap?: (t: Transport) => Transport) {
  const account = createAccount();
  const http = createHttpTransport({ baseUrl: node.url });
  await http.signIn(account);
  const client = createAegleClient({
    account,
    transport: wrap ? { ...http, ...wrap(http) } : http,
    deployment,
    rpcUrl: node.chain.rpcUrl,
  });
  await client.register(role);
  return client;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('records, grants, audit and revocation, each checked against the chain', {
  timeout: 120_000,
}, async () => {
  const alice = await clientFor('patient');
  const reader = await clientFor('provider');
  assert.equal(await alice.roleOf(), 'patient');

  // A record with progress reports; read back byte-exact.
  const content = new Uint8Array(randomBytes(3 * 1024 * 1024 + 17));
  const progress: number[] = [];
  const record = await alice.addRecord({
    category: 'Observation',
    content,
    metadata: { contentType: 'application/octet-stream', fileName: 'a.bin' },
    onProgress: (p) => progress.push(p.bytesDone),
  });
  assert.equal(progress.at(-1), record.size, 'progress reaches the ciphertext size');
  assert.deepEqual(await collect(alice.readRecord(record.recordId)), Buffer.from(content));
  const described = await alice.describeRecord(record.recordId);
  assert.equal(described.metadata.fileName, 'a.bin');
  const other = await alice.addRecord({ category: 'Imaging', content: new Uint8Array([1, 2, 3]) });

  // Anchored: the proof leads to a root the Records contract holds.
  const verified = await until(
    () => alice.verifyRecord(record.recordId),
    (v) => v.anchor.status !== 'pending',
  );
  assert.equal(verified.anchor.status, 'verified');
  assert.ok(verified.anchor.batchId !== undefined && verified.anchor.batchId > 0n);

  // Grant one record; the reader gets it, and is refused the other.
  await alice.grant({
    grantee: reader.address,
    target: { recordId: record.recordId },
    purpose: 'treatment',
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  });
  const grants = await alice.listGrants();
  assert.deepEqual(
    grants.map((g) => [g.grantee, g.purpose]),
    [[reader.address, 'treatment']],
  );
  assert.deepEqual(await collect(reader.readRecord(record.recordId)), Buffer.from(content));
  await assert.rejects(collect(reader.readRecord(other.recordId)), { name: 'NotGrantedError' });

  // The audit trail holds the release, and it verifies.
  const trail = await until(
    () => alice.auditTrail(),
    (t) => t.length > 0 && t.every((e) => e.verification.status !== 'pending'),
  );
  const release = trail.find((e) => e.recordId === record.recordId);
  assert.ok(release);
  assert.equal(release.reader.toLowerCase(), reader.address.toLowerCase());
  assert.equal(release.purposeLabel, 'treatment');
  assert.equal(release.verification.status, 'verified');

  // Revoked: gone from the chain's grants, refused by the node, key deleted.
  const { removed } = await alice.revoke({
    grantee: reader.address,
    target: { recordId: record.recordId },
  });
  assert.deepEqual(removed, [record.recordId]);
  assert.deepEqual(await alice.listGrants(), []);
  await assert.rejects(collect(reader.readRecord(record.recordId)), { name: 'NotGrantedError' });

  // A node that changes a proof or an audit entry is caught by the chain check.
  const flip = (h: Hex): Hex => `${h.slice(0, -1)}${h.endsWith('0') ? '1' : '0'}` as Hex;
  const liar = createAegleClient({
    account: createAccount(),
    transport: {
      ...alice.transport,
      async proof(id) {
        const real = await alice.transport.proof(id);
        const proof = real.anchor.proof ?? [];
        return {
          ...real,
          anchor: {
            ...real.anchor,
            root: undefined,
            proof: proof.length
              ? [flip(proof[0] as Hex), ...proof.slice(1)]
              : [flip(real.entry.contentRoot)],
          },
        };
      },
      async audit(query) {
        const page = await alice.transport.audit(query);
        return { ...page, items: page.items.map((e) => ({ ...e, releasedAt: e.releasedAt + 1 })) };
      },
    },
    deployment,
    rpcUrl: node.chain.rpcUrl,
  });
  assert.equal((await liar.verifyRecord(record.recordId)).anchor.status, 'invalid');
  const lied = await liar.auditTrail({ patient: alice.address });
  assert.ok(lied.length > 0 && lied.every((e) => e.verification.status === 'invalid'));
});

test('addRecords writes small records in batches: same records as addRecord, in order, readable and verified', {
  timeout: 120_000,
}, async () => {
  // Batches of 4 (the node's limits, as /info says, made small): 10 records make three requests.
  const batches: number[] = [];
  // Each batch's entries are signed at once: one root signature per batch (a batch signature is
  // magic ‖ root signature ‖ proof), and the batch of 2 still gets one.
  const rootSignatures: Set<string>[] = [];
  let infoCalls = 0;
  const alice = await clientFor('patient', (http) => ({
    ...http,
    info: async () => {
      infoCalls++;
      return {
        ...(await (http as ReturnType<typeof createHttpTransport>).info()),
        batch: { maxRecords: 4, maxBytes: 1 << 20 },
      };
    },
    writeBatch: async (records) => {
      batches.push(records.length);
      rootSignatures.push(new Set(records.map((r) => r.entry.signature.slice(10, 140))));
      for (const r of records) assert.ok(r.entry.signature.length > 2 + 130, 'a batch signature');
      const answered = await http.writeBatch(records);
      // The node answers without the metadata envelopes; the transport gives back those it sent.
      assert.deepEqual(
        answered.map((r) => r.metadata),
        records.map((r) => r.metadata),
      );
      return answered;
    },
  }));
  const contents = Array.from({ length: 10 }, (_, i) => new Uint8Array(randomBytes(100 + i * 500)));
  const progress: number[] = [];
  // The caller may name a record before it is written (the last one, here).
  const chosenId = `0x${randomBytes(32).toString('hex')}` as Hex;
  const written = await alice.addRecords(
    contents.map((content, i) => ({
      category: i % 2 ? 'Observation' : 'Condition',
      content,
      metadata: { contentType: 'application/fhir+json', n: i },
      ...(i === 9 && { recordId: chosenId }),
    })),
    { onProgress: (done) => progress.push(done) },
  );
  assert.equal(written[9]?.recordId.toLowerCase(), chosenId);
  assert.deepEqual(batches, [4, 4, 2]);
  assert.deepEqual(
    rootSignatures.map((set) => set.size),
    [1, 1, 1],
  );
  assert.equal(new Set(rootSignatures.flatMap((set) => [...set])).size, 3);
  assert.deepEqual(progress, [4, 8, 10]);
  assert.equal(written.length, 10);
  const listed = await alice.listRecords();
  assert.deepEqual(
    listed.map((r) => r.recordId),
    written.map((r) => r.recordId),
  );
  for (const [i, record] of written.entries()) {
    assert.deepEqual(
      await collect(alice.readRecord(record.recordId)),
      Buffer.from(contents[i] as Uint8Array),
    );
    assert.equal((await alice.describeRecord(record.recordId)).metadata.n, i);
  }
  const verified = await until(
    () => alice.verifyRecord((written[9] as { recordId: Hex }).recordId),
    (v) => v.anchor.status !== 'pending',
  );
  assert.equal(verified.signature, 'valid');
  assert.equal(verified.anchor.status, 'verified');
  // The node's /info (leaf size, batch limits) is asked once per client, not once per write.
  const asked = infoCalls;
  await alice.addRecords(
    [1, 2].map((n) => ({ category: 'Observation', content: new Uint8Array(n) })),
  );
  assert.equal(infoCalls, asked);
  assert.ok(asked >= 1);
});

test('addRecords sends a batch the node refused with 429 again, and each record is written once', {
  timeout: 120_000,
}, async () => {
  let calls = 0;
  const alice = await clientFor('patient', (http) => ({
    ...http,
    writeBatch: async (records) => {
      // The node's rate limiter refuses the first attempt before reading it.
      if (++calls === 1) throw new RateLimitedError({ status: 429, type: 'rate-limited' });
      return http.writeBatch(records);
    },
  }));
  const items = Array.from({ length: 3 }, () => ({
    category: 'Observation',
    content: new Uint8Array(randomBytes(200)),
  }));
  const written = await alice.addRecords(items);
  assert.equal(calls, 2);
  assert.equal(written.length, 3);
  assert.deepEqual(
    (await alice.listRecords()).map((r) => r.recordId),
    written.map((r) => r.recordId),
  );
});

test('addRecords stops at a refused batch: BatchWriteError names the record and what was written', {
  timeout: 120_000,
}, async () => {
  let calls = 0;
  const alice = await clientFor('patient', (http) => ({
    ...http,
    info: async () => ({
      ...(await (http as ReturnType<typeof createHttpTransport>).info()),
      batch: { maxRecords: 3, maxBytes: 1 << 20 },
    }),
    writeBatch: async (records) => {
      // The second batch carries a record whose content is not what its entry signs.
      if (++calls === 2) {
        const [a, b, c] = records as [
          (typeof records)[0],
          (typeof records)[0],
          (typeof records)[0],
        ];
        return http.writeBatch([a, { ...b, content: c.content }, c]);
      }
      return http.writeBatch(records);
    },
  }));
  const items = Array.from({ length: 8 }, () => ({
    category: 'Observation',
    content: new Uint8Array(randomBytes(200)),
  }));
  await assert.rejects(
    alice.addRecords(items),
    (error: Error & { index?: number; written?: unknown[] }) => {
      assert.equal(error.name, 'BatchWriteError');
      assert.equal(error.index, 4, 'the second record of the second batch');
      assert.equal(error.written?.length, 3);
      assert.match(error.message, /Record 5 of 8/);
      return true;
    },
  );
  // The refused batch left nothing: only the first batch is listed.
  assert.equal((await alice.listRecords()).length, 3);
});
