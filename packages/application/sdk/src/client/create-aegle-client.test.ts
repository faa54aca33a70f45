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
