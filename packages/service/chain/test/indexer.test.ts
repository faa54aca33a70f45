import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import {
  accountsAbi,
  auditLogAbi,
  certificationAbi,
  consentsAbi,
  recordsAbi,
  roleIds,
} from '@aegle/contracts';
import { type Hex, keccak256 } from 'viem';
import type { AegleChain } from '../src/chain.ts';

import { createIndexer } from '../src/indexer/create-indexer.ts';
import { loadBatchEntries } from '../src/indexer/load-batch-entries.ts';
import { mayRead, PURPOSE_OWNER } from '../src/indexer/may-read.ts';
import {
  accountOf,
  activeGrants,
  anchorsOfPatient,
  auditCommits,
  certificatesOf,
  hasRole,
  isCertifiedAt,
  recordBatches,
  standingAnchor,
  writeAllowedAt,
} from '../src/indexer/queries.ts';
import { openIndexDatabase, permissionsEpoch } from '../src/indexer/schema.ts';
import { buildRecordBatch } from '../src/record-batch.ts';
import type { RecordEntry } from '../src/record-entry.ts';
import { startEmbeddedChain } from '../src/start-embedded-chain.ts';
import {
  type Actor,
  b32,
  latestTimestamp,
  makeEntry,
  makeTempDir,
  newActor,
  Role,
  register,
  rpc,
  Scope,
  send,
  writeScenario,
} from './helpers.ts';

const dir = makeTempDir('indexer');
let chain: AegleChain;
/** Entry lists by CID, standing in for content-addressed storage. */
const objects = new Map<string, RecordEntry[]>();
const resolveBatch = async (b: { cid: Hex }) => objects.get(b.cid.toLowerCase());

before(async () => {
  chain = await startEmbeddedChain({ dataDir: dir.path });
});
after(async () => {
  await chain?.stop();
  dir.remove();
});

const operator = () => ({ wallet: chain.walletClient as Actor['wallet'] });

async function commitBatch(entries: RecordEntry[]) {
  const batch = buildRecordBatch(entries);
  const cid = keccak256(batch.root); // any bytes name the object here
  objects.set(cid.toLowerCase(), entries);
  await send(chain, operator(), chain.deployment.contracts.records, recordsAbi, 'commitBatch', [
    batch.root,
    entries.length,
    cid,
  ]);
  const count = await chain.publicClient.readContract({
    address: chain.deployment.contracts.records,
    abi: recordsAbi,
    functionName: 'batchCount',
  });
  return { batch, batchId: count };
}

function openIndexer(path: string, confirmations = 0) {
  const db = openIndexDatabase(path);
  return createIndexer({
    db,
    publicClient: chain.publicClient,
    deployment: chain.deployment,
    confirmations,
    resolveBatch,
  });
}

test('indexes accounts, roles, keys, certificates, anchors, batches, invalidations, grants, guardians and audit roots', async () => {
  const indexer = openIndexer(join(dir.path, 'index-all.sqlite'));
  const { db } = indexer;
  const s = await writeScenario(chain);
  objects.set('0x0155', s.batch.entries); // the scenario names its batch's list 0x0155
  const { contracts } = chain.deployment;
  // A provider who was never certified signs a batched entry; the challenge marks it invalid.
  const rogue = await newActor(chain);
  await register(chain, rogue, Role.Provider);
  const bad = await makeEntry(chain, rogue, s.patient.address, b32('Observation'));
  const good = await makeEntry(chain, s.provider, s.patient.address, b32('Observation'));
  const { batch, batchId } = await commitBatch([bad, good]);
  const badIndex = batch.entries.indexOf(bad);
  await send(chain, operator(), contracts.records, recordsAbi, 'challenge', [
    batchId,
    bad,
    batch.proofs[badIndex],
  ]);
  await send(chain, s.patient, contracts.accounts, accountsAbi, 'rotateEncryptionKey', [
    s.patient.address,
    `0x${'cd'.repeat(32)}`,
  ]);
  await rpc(chain.publicClient, 'evm_increaseTime', [60]); // give the certificate a window of its own
  await send(chain, operator(), contracts.certification, certificationAbi, 'revoke', [
    s.provider.address,
  ]);
  await indexer.sync();
  const now = Number(await latestTimestamp(chain));

  const patient = accountOf(db, s.patient.address);
  assert.equal(patient?.role, Role.Patient);
  assert.equal(patient?.encryptionKey, `0x${'cd'.repeat(32)}`);
  assert.equal(patient?.guardian, s.guardian.address.toLowerCase());
  assert.equal(accountOf(db, s.researcher.address)?.role, Role.Researcher);
  assert.equal(hasRole(db, roleIds.node, chain.deployment.deployer), true);
  assert.equal(hasRole(db, roleIds.node, s.provider.address), false);

  const certs = certificatesOf(db, s.provider.address);
  assert.equal(certs.length, 1);
  assert.equal(certs[0]?.credentialHash, b32('licence-1'));
  assert.equal(certs[0]?.expiresAt, Number(s.far));
  assert.ok(certs[0]?.endedAt !== undefined);
  assert.equal(isCertifiedAt(db, s.provider.address, now), false);
  assert.equal(isCertifiedAt(db, s.provider.address, certs[0]?.issuedAt as number), true);
  const issuedAt = certs[0]?.issuedAt as number;
  const endedAt = certs[0]?.endedAt as number;
  for (const t of [issuedAt - 1, issuedAt, endedAt - 1, endedAt, now]) {
    const onChain = await chain.publicClient.readContract({
      address: contracts.certification,
      abi: certificationAbi,
      functionName: 'isCertifiedAt',
      args: [s.provider.address, BigInt(t)],
    });
    assert.equal(
      isCertifiedAt(db, s.provider.address, t),
      onChain,
      `isCertifiedAt(${t - issuedAt})`,
    );
  }
  assert.equal(writeAllowedAt(db, rogue.address, s.patient.address, now), false);
  assert.equal(writeAllowedAt(db, s.patient.address, s.patient.address, now), true);

  const direct = standingAnchor(db, s.direct.recordId);
  assert.equal(direct?.batchId, 0);
  assert.equal(direct?.creator, s.provider.address.toLowerCase());
  assert.equal(direct?.category, b32('Observation'));
  const batches = recordBatches(db);
  assert.deepEqual(
    batches.map((b) => [b.id, b.entryCount, b.entriesLoaded]),
    [
      [1, 3, true],
      [2, 2, true],
    ],
  );
  const anchors = anchorsOfPatient(db, s.patient.address);
  assert.equal(anchors.length, 1 + 3 + 2);
  const badAnchor = anchors.find((a) => a.recordId === bad.recordId);
  assert.equal(badAnchor?.invalidFault, 3); // Fault.CreatorNotAllowed
  assert.equal(anchors.find((a) => a.recordId === good.recordId)?.invalidFault, undefined);

  assert.deepEqual(mayRead(db, s.researcher.address, s.direct.recordId, now), {
    allowed: true,
    purpose: b32('research'),
    reason: 'category-grant',
  });
  assert.deepEqual(mayRead(db, s.patient.address, s.direct.recordId, now), {
    allowed: true,
    purpose: PURPOSE_OWNER,
    reason: 'owner',
  });
  assert.equal(mayRead(db, s.researcher.address, bad.recordId, now).reason, 'record-invalid');
  assert.equal(mayRead(db, s.researcher.address, good.recordId, now).allowed, true);
  assert.equal(
    mayRead(db, s.researcher.address, b32('no-such-record'), now).reason,
    'unknown-record',
  );
  assert.equal(mayRead(db, s.provider.address, s.direct.recordId, now).reason, 'no-grant');
  assert.equal(
    mayRead(db, s.researcher.address, s.batch.entries[0]?.recordId as Hex, now).reason,
    'no-grant',
  );
  assert.equal(
    mayRead(db, s.researcher.address, s.direct.recordId, Number(s.far)).reason,
    'grant-expired',
  );

  const grants = activeGrants(db, { grantee: s.researcher.address, atTime: now });
  assert.equal(grants.length, 1);
  assert.equal(grants[0]?.grantedBy, s.guardian.address.toLowerCase());
  const audits = auditCommits(db);
  assert.equal(audits.length, 1);
  assert.equal(audits[0]?.root, s.auditRoot);
  db.close();
});

test('resumes from its stored cursor after a restart, without indexing anything twice', async () => {
  const path = join(dir.path, 'index-resume.sqlite');
  const first = openIndexer(path);
  const patient = await newActor(chain);
  const reader = await newActor(chain);
  await register(chain, patient, Role.Patient);
  await register(chain, reader, Role.Researcher);
  await grantObservations(patient, reader);
  const { cursor } = await first.sync();
  const eventsBefore = countRows(first.db, 'consent_events');
  first.db.close();

  await send(chain, patient, chain.deployment.contracts.consents, consentsAbi, 'revoke', [
    patient.address,
    reader.address,
    Scope.Category,
    b32('Observation'),
  ]);
  const second = openIndexer(path);
  assert.equal(second.cursor(), cursor);
  // Two overlapping rounds (the background loop and a caller) must not index anything twice.
  const [result] = await Promise.all([second.sync(), second.sync()]);
  assert.ok(result.cursor > cursor);
  assert.equal(result.rolledBackTo, undefined);
  assert.equal(countRows(second.db, 'consent_events'), eventsBefore + 1);
  const now = Number(await latestTimestamp(chain));
  assert.equal(activeGrants(second.db, { grantee: reader.address, atTime: now }).length, 0);
  second.db.close();
});

test('the permissions epoch moves with grants, revocations and rollbacks, not with audit commits or empty blocks', async () => {
  const indexer = openIndexer(join(dir.path, 'index-epoch.sqlite'));
  const patient = await newActor(chain);
  const reader = await newActor(chain);
  await register(chain, patient, Role.Patient);
  await register(chain, reader, Role.Researcher);
  await indexer.sync();
  const start = permissionsEpoch(indexer.db);
  // An audit root and empty blocks: decisions cannot change, the epoch stays.
  await send(chain, operator(), chain.deployment.contracts.auditLog, auditLogAbi, 'commit', [
    b32('epoch-audit-root'),
    3,
    '0x0155',
  ]);
  await rpc(chain.publicClient, 'evm_mine');
  await indexer.sync();
  assert.equal(permissionsEpoch(indexer.db), start);
  // A grant, then its revocation: each moves it.
  await grantObservations(patient, reader);
  await indexer.sync();
  const granted = permissionsEpoch(indexer.db);
  assert.ok(granted > start);
  const snapshot = await rpc<Hex>(chain.publicClient, 'evm_snapshot');
  await send(chain, patient, chain.deployment.contracts.consents, consentsAbi, 'revoke', [
    patient.address,
    reader.address,
    Scope.Category,
    b32('Observation'),
  ]);
  await indexer.sync();
  const revoked = permissionsEpoch(indexer.db);
  assert.ok(revoked > granted);
  // The revocation is reverted away: the rollback moves it too (the grant is in force again).
  assert.equal(await rpc(chain.publicClient, 'evm_revert', [snapshot]), true);
  await rpc(chain.publicClient, 'evm_mine');
  await rpc(chain.publicClient, 'evm_mine');
  const round = await indexer.sync();
  assert.ok(round.rolledBackTo !== undefined);
  assert.ok(permissionsEpoch(indexer.db) > revoked);
  indexer.db.close();
});

test('waits for the configured number of confirmations', async () => {
  const indexer = openIndexer(join(dir.path, 'index-confirm.sqlite'), 2);
  await indexer.sync();
  const newcomer = await newActor(chain);
  await register(chain, newcomer, Role.Researcher);
  await indexer.sync();
  assert.equal(accountOf(indexer.db, newcomer.address), undefined);
  await rpc(chain.publicClient, 'evm_mine');
  await indexer.sync();
  assert.equal(accountOf(indexer.db, newcomer.address), undefined);
  await rpc(chain.publicClient, 'evm_mine');
  await indexer.sync();
  assert.equal(accountOf(indexer.db, newcomer.address)?.role, Role.Researcher);
  indexer.db.close();
});

test('after a snapshot revert the index matches the chain again, on more than 1,000 permission questions', async () => {
  const indexer = openIndexer(join(dir.path, 'index-reorg.sqlite'));
  const { db } = indexer;
  const { contracts } = chain.deployment;
  const random = seeded(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const categories = ['Observation', 'Condition', 'Procedure', 'MedicationRequest'].map(b32);
  const purposes = ['care', 'research', 'billing'].map(b32);

  const patients = await Promise.all(Array.from({ length: 8 }, () => newActor(chain)));
  const others = await Promise.all(Array.from({ length: 8 }, () => newActor(chain)));
  for (const p of patients) await register(chain, p, Role.Patient);
  for (const [i, o] of others.entries()) {
    if (i < 7) await register(chain, o, i % 2 ? Role.Researcher : Role.Provider); // the last stays unregistered
  }
  const records: { recordId: Hex; patient: Actor; category: Hex }[] = [];
  const nonces = new Map<string, bigint>();
  for (const p of patients) {
    for (let k = 0; k < 5; k++) {
      const nonce = nonces.get(p.address) ?? 0n;
      nonces.set(p.address, nonce + 1n);
      const category = pick(categories);
      const entry = await makeEntry(chain, p, p.address, category, { nonce });
      await send(chain, operator(), contracts.records, recordsAbi, 'anchor', [entry]);
      records.push({ recordId: entry.recordId, patient: p, category });
    }
  }
  const batchEntries: RecordEntry[] = [];
  for (let k = 0; k < 24; k++) {
    const p = pick(patients);
    batchEntries.push(await makeEntry(chain, p, p.address, pick(categories)));
  }
  await commitBatch(batchEntries);
  for (const e of batchEntries) {
    records.push({
      recordId: e.recordId,
      patient: patients.find((p) => p.address === e.patient) as Actor,
      category: e.category,
    });
  }

  /** Random grants (some short-lived) and revocations of grants still in force. */
  const churn = async (grants: number, revokes: number) => {
    const live: unknown[][] = [];
    const now = await latestTimestamp(chain);
    for (let k = 0; k < grants; k++) {
      const r = pick(records);
      const grantee = pick([...others.slice(0, 7), ...patients.filter((p) => p !== r.patient)]);
      const scope = random() < 0.5 ? Scope.Record : Scope.Category;
      const target = scope === Scope.Record ? r.recordId : r.category;
      const expiresAt = now + BigInt(random() < 0.3 ? 60 + Math.floor(random() * 600) : 86400);
      const actor = r.patient;
      await send(chain, actor, contracts.consents, consentsAbi, 'grant', [
        r.patient.address,
        grantee.address,
        scope,
        target,
        pick(purposes),
        expiresAt,
      ]);
      live.push([actor, r.patient.address, grantee.address, scope, target]);
    }
    for (let k = 0; k < revokes && live.length > 0; k++) {
      const [actor, ...key] = live.splice(Math.floor(random() * live.length), 1)[0] as [
        Actor,
        ...unknown[],
      ];
      const grant = await chain.publicClient.readContract({
        address: contracts.consents,
        abi: consentsAbi,
        functionName: 'grantOf',
        args: key as [Hex, Hex, number, Hex],
      });
      if (grant.expiresAt > (await latestTimestamp(chain))) {
        await send(chain, actor, contracts.consents, consentsAbi, 'revoke', key);
      }
    }
  };

  await churn(80, 15);
  await indexer.sync();
  const snapshot = await rpc<Hex>(chain.publicClient, 'evm_snapshot');

  // Branch A: indexed, then thrown away by the revert.
  await churn(80, 20);
  const onlyInA = await makeEntry(
    chain,
    patients[0] as Actor,
    (patients[0] as Actor).address,
    categories[0] as Hex,
    {
      nonce: nonces.get((patients[0] as Actor).address) as bigint,
    },
  );
  await send(chain, operator(), contracts.records, recordsAbi, 'anchor', [onlyInA]);
  await rpc(chain.publicClient, 'evm_increaseTime', [300]);
  await rpc(chain.publicClient, 'evm_mine');
  const branchA = await indexer.sync();
  assert.equal(branchA.rolledBackTo, undefined);
  assert.ok(standingAnchor(db, onlyInA.recordId));

  assert.equal(await rpc(chain.publicClient, 'evm_revert', [snapshot]), true);
  // Branch B: different changes on the reverted chain.
  await churn(60, 25);
  await rpc(chain.publicClient, 'evm_increaseTime', [400]);
  await rpc(chain.publicClient, 'evm_mine');
  const branchB = await indexer.sync();
  assert.ok(branchB.rolledBackTo !== undefined, 'the revert is detected');
  assert.equal(standingAnchor(db, onlyInA.recordId), undefined);

  const head = await chain.publicClient.getBlock({ blockTag: 'latest' });
  assert.equal(branchB.cursor, Number(head.number));
  const readers = [...patients, ...others];
  const questions = readers.flatMap((reader) => records.map((record) => ({ reader, record })));
  shuffle(questions, random);
  const sample = questions.slice(0, 1100);
  const reasons = new Map<string, number>();
  for (let i = 0; i < sample.length; i += 100) {
    const chunk = sample.slice(i, i + 100);
    const answers = await Promise.all(
      chunk.map(({ reader, record }) =>
        chain.publicClient.readContract({
          address: contracts.consents,
          abi: consentsAbi,
          functionName: 'canRead',
          args: [reader.address, record.patient.address, record.recordId, record.category],
          blockNumber: head.number,
        }),
      ),
    );
    chunk.forEach(({ reader, record }, j) => {
      const [allowed, purpose] = answers[j] as readonly [boolean, Hex];
      const indexed = mayRead(db, reader.address, record.recordId, head.timestamp);
      reasons.set(indexed.reason, (reasons.get(indexed.reason) ?? 0) + 1);
      assert.equal(indexed.allowed, allowed, `question ${i + j}: ${indexed.reason}`);
      if (allowed) assert.equal(indexed.purpose, purpose);
    });
  }
  // The sample must exercise every kind of answer, or agreement would prove little.
  for (const reason of [
    'owner',
    'record-grant',
    'category-grant',
    'no-grant',
    'grant-expired',
    'grant-revoked',
  ]) {
    assert.ok(
      (reasons.get(reason) ?? 0) > 0,
      `the sample has ${reason} answers: ${JSON.stringify([...reasons])}`,
    );
  }
  db.close();
});

test('the background loop follows new events until stopped; a wrong entry list is refused', async () => {
  const errors: unknown[] = [];
  const indexer = createIndexer({
    db: openIndexDatabase(join(dir.path, 'index-loop.sqlite')),
    publicClient: chain.publicClient,
    deployment: chain.deployment,
    pollIntervalMs: 20,
    onError: (e) => errors.push(e),
  });
  indexer.start();
  const newcomer = await newActor(chain);
  await register(chain, newcomer, Role.Institution);
  await until(() => accountOf(indexer.db, newcomer.address) !== undefined);
  await indexer.stop();
  assert.equal(accountOf(indexer.db, newcomer.address)?.role, Role.Institution);
  assert.deepEqual(errors, []);

  const patient = await newActor(chain);
  await register(chain, patient, Role.Patient);
  const listed = [await makeEntry(chain, patient, patient.address, b32('Observation'))];
  const { batchId } = await commitBatch(listed);
  await indexer.sync();
  const impostor = [await makeEntry(chain, patient, patient.address, b32('Observation'))];
  assert.throws(() => loadBatchEntries(indexer.db, batchId, impostor), {
    name: 'BatchMismatchError',
  });
  assert.equal(loadBatchEntries(indexer.db, batchId, listed), true);
  assert.equal(standingAnchor(indexer.db, listed[0]?.recordId as Hex)?.batchId, Number(batchId));
  assert.equal(standingAnchor(indexer.db, impostor[0]?.recordId as Hex), undefined);
  indexer.db.close();
});

test('a resolver that knows a batch’s leaves (a node’s own batch) has them checked against the root, not rehashed', async () => {
  const patient = await newActor(chain);
  await register(chain, patient, Role.Patient);
  const listed: RecordEntry[] = [];
  for (let i = 0; i < 3; i++) {
    listed.push(await makeEntry(chain, patient, patient.address, b32('Observation')));
  }
  const { batch, batchId } = await commitBatch(listed);
  const other = await makeEntry(chain, patient, patient.address, b32('Observation'));
  const otherLeaf = buildRecordBatch([other]).leaves[0] as Hex;
  const db = openIndexDatabase(join(dir.path, 'index-leaves.sqlite'));
  // The first sync finds nothing to resolve (the resolver says "not yet"), then the batch is
  // loaded by hand, as the resolver's answer would be.
  const indexer = createIndexer({
    db,
    publicClient: chain.publicClient,
    deployment: chain.deployment,
    resolveBatch: async () => undefined,
  });
  await indexer.sync();
  const refused = [
    // A leaf that is not one of the batch's: the root differs.
    [otherLeaf, ...batch.leaves.slice(1)],
    // One leaf short.
    batch.leaves.slice(1),
  ];
  for (const leaves of refused) {
    assert.throws(() => loadBatchEntries(db, batchId, listed, leaves), {
      name: 'BatchMismatchError',
    });
  }
  assert.equal(standingAnchor(db, listed[0]?.recordId as Hex), undefined, 'nothing loaded');
  assert.equal(loadBatchEntries(db, batchId, listed, batch.leaves), true);
  for (const entry of listed) {
    assert.equal(standingAnchor(db, entry.recordId)?.batchId, Number(batchId));
  }
  // The leaves stored are the entries' own, as hashing them gives.
  const stored = db
    .prepare('SELECT leaf FROM batch_entries WHERE batch_id = ? ORDER BY record_id')
    .all(Number(batchId)) as { leaf: string }[];
  assert.deepEqual(
    stored.map((row) => row.leaf).sort(),
    batch.leaves.map((leaf) => leaf.toLowerCase()).sort(),
  );
  db.close();

  // Through the indexer: a resolver answering { entries, leaves } has the batch loaded.
  const viaResolver = createIndexer({
    db: openIndexDatabase(join(dir.path, 'index-leaves-resolver.sqlite')),
    publicClient: chain.publicClient,
    deployment: chain.deployment,
    resolveBatch: async (b) =>
      b.batchId === batchId ? { entries: listed, leaves: batch.leaves } : undefined,
  });
  await viaResolver.sync();
  assert.equal(standingAnchor(viaResolver.db, other.recordId), undefined);
  assert.equal(
    standingAnchor(viaResolver.db, listed[2]?.recordId as Hex)?.batchId,
    Number(batchId),
  );
  viaResolver.db.close();
});

/** Wait for a condition the background loop will make true (bounded, so a bug fails the test). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(condition(), 'the condition became true');
}

/** The patient grants the reader the Observation category, for purpose "care", for a day. */
async function grantObservations(patient: Actor, reader: Actor): Promise<void> {
  const far = (await latestTimestamp(chain)) + 86400n;
  await send(chain, patient, chain.deployment.contracts.consents, consentsAbi, 'grant', [
    patient.address,
    reader.address,
    Scope.Category,
    b32('Observation'),
    b32('care'),
    far,
  ]);
}

function countRows(db: DatabaseSync, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** A small deterministic PRNG (mulberry32), so a failing sample can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(list: T[], random: () => number): void {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j] as T, list[i] as T];
  }
}
