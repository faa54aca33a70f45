import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { FaultInjectingRelay } from '../test/fault-injecting-relay.ts';
import { openStore, putInto, tempDir, waitUntil } from '../test/helpers.ts';
import { leafOf } from './merkle-batch.ts';
import { openNodeDatabase } from './open-node-database.ts';
import { Outbox } from './outbox.ts';
import { backoff, OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.ts';
import type { Hex } from './ports.ts';

const hex32 = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;
const addr = (n: number): Hex => `0x${n.toString(16).padStart(40, '0')}`;
const audit = (n: number) => ({
  recordId: hex32(n + 1),
  patient: addr(1),
  reader: addr(2),
  purpose: hex32(7),
  releasedAt: 1_700_000_000 + n,
});

async function setup(t: import('node:test').TestContext) {
  const dir = await tempDir(t);
  const store = await openStore(t, path.join(dir, 'store'));
  const file = path.join(dir, 'node.sqlite');
  return { dir, store, file };
}

/** A worker on a clock the test moves, over an outbox whose relay confirms at the first poll. */
async function clockedWorker(
  t: import('node:test').TestContext,
  options: Partial<OutboxWorkerOptions> = {},
) {
  const { file, store } = await setup(t);
  const db = openNodeDatabase(file);
  t.after(() => db.close());
  const outbox = new Outbox(db);
  const relay = new FaultInjectingRelay();
  relay.confirmAfterPolls = 0;
  const clock = { now: 1_000_000 };
  const worker = new OutboxWorker({
    outbox,
    relay,
    putBatchObject: putInto(store),
    batchWindowMs: 2_000,
    minBatchIntervalMs: 1_000,
    confirmPollMs: 500,
    maxBatch: 16,
    now: () => clock.now,
    ...options,
  });
  const batchOf = (i: number) => outbox.getByKey(`audit:${i}`)?.batch?.merkle?.entryCount;
  return { outbox, relay, worker, clock, batchOf };
}

function fastWorker(outbox: Outbox, relay: FaultInjectingRelay, put: ReturnType<typeof putInto>) {
  return new OutboxWorker({
    outbox,
    relay,
    putBatchObject: put,
    baseBackoffMs: 5,
    maxBackoffMs: 20,
    confirmPollMs: 5,
    idleMs: 20,
    maxBatch: 16,
    minBatchIntervalMs: 5,
  });
}

test('an idempotency key journals one intent, however often it is enqueued', async (t) => {
  const { file } = await setup(t);
  const db = openNodeDatabase(file);
  t.after(() => db.close());
  const outbox = new Outbox(db);
  const first = outbox.enqueue('grant', 'grant:abc', { request: 1 });
  const again = outbox.enqueue('grant', 'grant:abc', { request: 2 });
  assert.equal(first.created, true);
  assert.equal(again.created, false);
  assert.equal(again.intent.id, first.intent.id);
  assert.deepEqual(outbox.payloadOf(first.intent.id), { request: 1 });
  assert.deepEqual(outbox.depth(), { pending: 1, submitted: 0, failed: 0 });
});

test('the worker batches audit entries into Merkle roots, submits, and confirms them', async (t) => {
  const { file, store } = await setup(t);
  const db = openNodeDatabase(file);
  t.after(() => db.close());
  const outbox = new Outbox(db);
  for (let i = 0; i < 40; i++) outbox.enqueue('audit', `audit:${i}`, audit(i));
  outbox.enqueue('grant', 'grant:1', { request: 'signed' });
  const relay = new FaultInjectingRelay();
  const worker = fastWorker(outbox, relay, putInto(store));
  worker.start();
  t.after(() => worker.stop());
  await waitUntil(() => outbox.depth().pending + outbox.depth().submitted === 0);
  assert.deepEqual(
    [...relay.landed].sort(),
    [...[...Array(40).keys()].map((i) => `audit:${i}`), 'grant:1'].sort(),
  );
  // 40 audit entries with batches of at most 16: three Merkle batches.
  const intent = outbox.getByKey('audit:17');
  assert.equal(intent?.state, 'confirmed');
  const batch = intent?.batch;
  assert.ok(batch?.merkle);
  assert.equal(batch.merkle.entryCount, 16);
  // The root proves the entry's leaf with the proof the outbox gives.
  const inclusion = outbox.inclusion('audit:17');
  assert.ok(inclusion?.proof && inclusion.root);
  assert.equal(inclusion.root, batch.merkle.root);
  const { encoding, values } = leafOf('audit', audit(17));
  assert.ok(StandardMerkleTree.verify(inclusion.root, [...encoding], values, inclusion.proof));
  assert.ok(
    !StandardMerkleTree.verify(
      inclusion.root,
      [...encoding],
      leafOf('audit', audit(18)).values,
      inclusion.proof,
    ),
  );
  // The entry list is in the store under its CID: from it alone, any node rebuilds the same root.
  let json = '';
  for await (const chunk of store.get(batch.merkle.cid)) json += Buffer.from(chunk).toString();
  const list = JSON.parse(json) as { leafEncoding: string[]; values: unknown[][] };
  assert.equal(list.values.length, 16);
  assert.equal(StandardMerkleTree.of(list.values, list.leafEncoding).root, batch.merkle.root);
  await worker.stop();
});

test('an idle chain gets a batch at once; while one is on its way, intents gather until the window closes', async (t) => {
  const { outbox, relay, worker, clock, batchOf } = await clockedWorker(t);
  // Nothing on its way: the first entries are batched and submitted in the same pass.
  for (let i = 0; i < 3; i++) outbox.enqueue('audit', `audit:${i}`, audit(i), clock.now);
  await worker.runOnce();
  assert.equal(batchOf(0), 3);
  assert.equal(outbox.inFlight('audit'), 1);
  // The first batch is unconfirmed: later entries wait for more to join them.
  for (let i = 3; i < 8; i++) outbox.enqueue('audit', `audit:${i}`, audit(i), clock.now);
  clock.now += 100;
  await worker.runOnce();
  assert.equal(outbox.waiting('audit').count, 5);
  // The first batch confirms (its poll is due); the chain is idle, but a batch was formed less
  // than minBatchIntervalMs (1 s) ago: the entries wait until a second has passed since.
  clock.now += 500;
  await worker.runOnce();
  assert.equal(outbox.getByKey('audit:0')?.state, 'confirmed');
  await worker.runOnce();
  assert.equal(outbox.waiting('audit').count, 5);
  clock.now += 400;
  await worker.runOnce();
  assert.equal(batchOf(3), 5);
  // With a batch on its way (one that stays unconfirmed), the window bounds the wait: the oldest
  // waiting entry's 2 s.
  relay.confirmAfterPolls = 1_000;
  for (let i = 8; i < 10; i++) outbox.enqueue('audit', `audit:${i}`, audit(i), clock.now);
  clock.now += 1_999;
  await worker.runOnce();
  assert.equal(outbox.inFlight('audit'), 1);
  assert.equal(outbox.waiting('audit').count, 2);
  clock.now += 2;
  await worker.runOnce();
  assert.equal(outbox.waiting('audit').count, 0);
  assert.equal(batchOf(8), 2);
});

test('enough waiting intents form a batch as soon as the chain is idle, without waiting out minBatchIntervalMs', async (t) => {
  const { outbox, relay, worker, clock, batchOf } = await clockedWorker(t, { eagerBatchSize: 4 });
  outbox.enqueue('audit', 'audit:0', audit(0), clock.now);
  await worker.runOnce();
  assert.equal(batchOf(0), 1);
  // Three wait (fewer than eagerBatchSize) while the first batch is out.
  for (let i = 1; i < 4; i++) outbox.enqueue('audit', `audit:${i}`, audit(i), clock.now);
  clock.now += 100;
  await worker.runOnce();
  assert.equal(outbox.getByKey('audit:0')?.state, 'confirmed');
  // The chain is idle, but the last batch was formed 100 ms ago and three are too few to go early.
  await worker.runOnce();
  assert.equal(outbox.waiting('audit').count, 3);
  // A fourth makes eagerBatchSize: the batch forms now, 900 ms before the interval would end.
  outbox.enqueue('audit', 'audit:4', audit(4), clock.now);
  await worker.runOnce();
  assert.equal(outbox.waiting('audit').count, 0);
  assert.equal(batchOf(1), 4);
  assert.equal(batchOf(4), 4);
  // While that batch is on its way, even many waiting intents wait for it (or the window).
  relay.confirmAfterPolls = 1_000;
  await worker.runOnce();
  for (let i = 5; i < 13; i++) outbox.enqueue('audit', `audit:${i}`, audit(i), clock.now);
  await worker.runOnce();
  assert.equal(outbox.inFlight('audit'), 1);
  assert.equal(outbox.waiting('audit').count, 8);
});

test('a submitted tx is asked about after 2 ms, then after as long as it has been out, up to confirmPollMs', async (t) => {
  const { file, store } = await setup(t);
  const db = openNodeDatabase(file);
  t.after(() => db.close());
  const outbox = new Outbox(db);
  const relay = new FaultInjectingRelay();
  relay.confirmAfterPolls = 8;
  let clock = 1_000_000;
  const worker = new OutboxWorker({
    outbox,
    relay,
    putBatchObject: putInto(store),
    confirmPollMs: 500,
    now: () => clock,
  });
  outbox.enqueue('grant', 'grant:x', {}, clock);
  await worker.runOnce();
  const sentAt = clock;
  const polls: number[] = [];
  // Each pass runs when the batch is next due, as the worker's timer would.
  for (let i = 0; i < 9; i++) {
    const due = outbox.getByKey('grant:x')?.batch?.nextAttemptAt as number;
    clock = due;
    polls.push(clock - sentAt);
    await worker.runOnce();
  }
  assert.deepEqual(polls, [2, 4, 8, 16, 32, 64, 128, 256, 512]);
  assert.equal(outbox.getByKey('grant:x')?.state, 'confirmed');
  // A tx submitted before a restart (a new worker knows no send time) is asked about every 500 ms.
  outbox.enqueue('grant', 'grant:y', {}, clock);
  await worker.runOnce();
  const restarted = new OutboxWorker({
    outbox,
    relay,
    putBatchObject: putInto(store),
    now: () => clock,
  });
  clock = outbox.getByKey('grant:y')?.batch?.nextAttemptAt as number;
  await restarted.runOnce();
  assert.equal(outbox.getByKey('grant:y')?.batch?.nextAttemptAt, clock + 500);
});

test('a dropped tx is submitted again under the same key; a rejected one ends failed with its reason', async (t) => {
  const { file, store } = await setup(t);
  const db = openNodeDatabase(file);
  t.after(() => db.close());
  const outbox = new Outbox(db);
  const relay = new FaultInjectingRelay();
  relay.dropOnce.add('batch:1');
  relay.rejectKinds.add('guardian');
  const worker = fastWorker(outbox, relay, putInto(store));
  outbox.enqueue('grant', 'grant:x', {});
  outbox.enqueue('guardian', 'guardian:y', {});
  worker.start();
  t.after(() => worker.stop());
  await waitUntil(() => outbox.depth().pending + outbox.depth().submitted === 0);
  assert.equal(outbox.getByKey('grant:x')?.state, 'confirmed');
  assert.ok(relay.submitCalls >= 3, 'the dropped batch was submitted twice');
  const failed = outbox.getByKey('guardian:y');
  assert.equal(failed?.state, 'failed');
  assert.equal(failed?.batch?.lastError, 'reverted');
  assert.deepEqual(outbox.depth(), { pending: 0, submitted: 0, failed: 1 });
  assert.deepEqual(relay.landed, ['grant:x']);
  await worker.stop();
});

test('restart: the database closed mid-flight, reopened, and everything acknowledged completes exactly once', async (t) => {
  const { file, store } = await setup(t);
  const relay = new FaultInjectingRelay();
  const keys: string[] = [];
  {
    const db = openNodeDatabase(file);
    const outbox = new Outbox(db);
    for (let i = 0; i < 30; i++) {
      outbox.enqueue('grant', `grant:${i}`, { i });
      outbox.enqueue('audit', `audit:${i}`, audit(i));
      keys.push(`grant:${i}`, `audit:${i}`);
    }
    const worker = fastWorker(outbox, relay, putInto(store));
    let crashed = false;
    // The "crash": on the 8th submission the database goes away under the worker, after the relay
    // has accepted earlier txs (some confirmed, some only submitted, one sent but never recorded).
    relay.onSubmit = () => {
      if (relay.submitCalls === 8 && !crashed) {
        crashed = true;
        queueMicrotask(() => db.close());
      }
    };
    worker.start();
    await waitUntil(() => crashed);
    await worker.stop();
    relay.onSubmit = undefined;
    assert.ok(relay.landed.length < keys.length, 'the crash came before everything landed');
  }
  const db = openNodeDatabase(file);
  t.after(() => db.close());
  const outbox = new Outbox(db);
  const worker = fastWorker(outbox, relay, putInto(store));
  worker.start();
  t.after(() => worker.stop());
  await waitUntil(() => outbox.depth().pending + outbox.depth().submitted === 0);
  assert.deepEqual([...relay.landed].sort(), [...keys].sort(), 'every intent landed exactly once');
  for (const key of keys) assert.equal(outbox.getByKey(key)?.state, 'confirmed');
  await worker.stop();
});

test('backoff doubles per attempt, stays within its jitter band, and is capped', () => {
  assert.equal(
    backoff(1, 100, 10_000, () => 0),
    50,
  );
  assert.equal(
    backoff(1, 100, 10_000, () => 1),
    100,
  );
  assert.equal(
    backoff(4, 100, 10_000, () => 1),
    800,
  );
  assert.equal(
    backoff(30, 100, 10_000, () => 1),
    10_000,
  );
});
