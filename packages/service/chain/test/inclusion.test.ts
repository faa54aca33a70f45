import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { auditLogAbi, bytes32Label, Fault, Role, recordsAbi } from '@aegle/contracts';
import type { Hex } from 'viem';
import { buildAuditBatch, verifyAuditInclusion } from '../src/audit-batch.ts';
import type { AegleChain } from '../src/chain.ts';
import { buildRecordBatch, recordBatchRoot, verifyRecordProof } from '../src/record-batch.ts';
import { recordLeaf } from '../src/record-entry.ts';
import { startEmbeddedChain } from '../src/start-embedded-chain.ts';
import { verifyRecordInclusion } from '../src/verify-record-inclusion.ts';
import { type Actor, makeEntry, makeTempDir, newActor, register, send } from './helpers.ts';

const dir = makeTempDir('inclusion');
let chain: AegleChain;
let patient: Actor;
before(async () => {
  chain = await startEmbeddedChain({ dataDir: dir.path });
  patient = await newActor(chain);
  await register(chain, patient, Role.Patient);
});
after(async () => {
  await chain?.stop();
  dir.remove();
});

const operator = () => ({ wallet: chain.walletClient as Actor['wallet'] });

test("the off-chain leaf is the contract's leafOf, and proofs verify off chain", async () => {
  const entries = await Promise.all(
    Array.from({ length: 5 }, () =>
      makeEntry(chain, patient, patient.address, bytes32Label('Observation')),
    ),
  );
  const batch = buildRecordBatch(entries);
  for (const [i, entry] of entries.entries()) {
    const onChain = await chain.publicClient.readContract({
      address: chain.deployment.contracts.records,
      abi: recordsAbi,
      functionName: 'leafOf',
      args: [entry],
    });
    assert.equal(recordLeaf(entry), onChain);
    assert.equal(batch.leaves[i], onChain);
    assert.ok(verifyRecordProof(batch.root, entry, batch.proofs[i] as Hex[]));
  }
  // The list's order does not change the root: any node rebuilds it from the stored list.
  assert.equal(buildRecordBatch([...entries].reverse()).root, batch.root);
  // The indexer's check of a stored list computes the same root and leaves, without proofs.
  assert.deepEqual(recordBatchRoot(entries), { root: batch.root, leaves: batch.leaves });
});

test('a committed entry verifies from nothing but the RPC URL, the address and the entry; tampering fails', async () => {
  const entries = await Promise.all(
    Array.from({ length: 7 }, () =>
      makeEntry(chain, patient, patient.address, bytes32Label('Condition')),
    ),
  );
  const batch = buildRecordBatch(entries);
  await send(chain, operator(), chain.deployment.contracts.records, recordsAbi, 'commitBatch', [
    batch.root,
    entries.length,
    '0x01551220',
  ]);
  const batchId = await chain.publicClient.readContract({
    address: chain.deployment.contracts.records,
    abi: recordsAbi,
    functionName: 'batchCount',
  });
  const base = {
    rpcUrl: chain.rpcUrl,
    recordsAddress: chain.deployment.contracts.records,
    batchId,
  };
  const entry = entries[3] as (typeof entries)[number];
  const proof = batch.proofs[3] as Hex[];

  const ok = await verifyRecordInclusion({ ...base, entry, proof });
  assert.deepEqual(ok, {
    included: true,
    fault: 'None',
    valid: true,
    leaf: recordLeaf(entry),
    root: batch.root,
  });

  const tampered = { ...entry, contentRoot: bytes32Label('other content') };
  assert.equal((await verifyRecordInclusion({ ...base, entry: tampered, proof })).included, false);
  const otherPatient = { ...entry, patient: chain.deployment.deployer };
  assert.equal((await verifyRecordInclusion({ ...base, entry: otherPatient, proof })).valid, false);
  const wrongProof = batch.proofs[4] as Hex[];
  assert.equal(
    (await verifyRecordInclusion({ ...base, entry, proof: wrongProof })).included,
    false,
  );
  assert.equal(
    (await verifyRecordInclusion({ ...base, entry, proof, batchId: batchId + 1n })).included,
    false,
  );
});

test('an entry proven invalid on chain is reported with its fault', async () => {
  const rogue = await newActor(chain);
  await register(chain, rogue, Role.Provider); // never certified
  const bad = await makeEntry(chain, rogue, patient.address, bytes32Label('Observation'));
  const good = await makeEntry(chain, patient, patient.address, bytes32Label('Observation'));
  const batch = buildRecordBatch([bad, good]);
  const { contracts } = chain.deployment;
  await send(chain, operator(), contracts.records, recordsAbi, 'commitBatch', [
    batch.root,
    2,
    '0x0155',
  ]);
  const batchId = await chain.publicClient.readContract({
    address: contracts.records,
    abi: recordsAbi,
    functionName: 'batchCount',
  });
  const before = await verifyRecordInclusion({
    rpcUrl: chain.rpcUrl,
    recordsAddress: contracts.records,
    entry: bad,
    proof: batch.proofs[0] as Hex[],
    batchId,
  });
  assert.equal(before.valid, true); // anchored, not yet challenged
  await send(chain, operator(), contracts.records, recordsAbi, 'challenge', [
    batchId,
    bad,
    batch.proofs[0],
  ]);
  const afterChallenge = await verifyRecordInclusion({
    rpcUrl: chain.rpcUrl,
    recordsAddress: contracts.records,
    entry: bad,
    proof: batch.proofs[0] as Hex[],
    batchId,
  });
  assert.deepEqual(
    [afterChallenge.included, afterChallenge.fault, afterChallenge.valid],
    [true, 'CreatorNotAllowed', false],
  );
  assert.equal(Fault.CreatorNotAllowed, 3);
  const stillGood = await verifyRecordInclusion({
    rpcUrl: chain.rpcUrl,
    recordsAddress: contracts.records,
    entry: good,
    proof: batch.proofs[1] as Hex[],
    batchId,
  });
  assert.equal(stillGood.valid, true);
});

test('a direct anchor verifies with batchId 0', async () => {
  const entry = await makeEntry(chain, patient, patient.address, bytes32Label('Procedure'), {
    nonce: 0n,
  });
  await send(chain, operator(), chain.deployment.contracts.records, recordsAbi, 'anchor', [entry]);
  const base = {
    rpcUrl: chain.rpcUrl,
    recordsAddress: chain.deployment.contracts.records,
    proof: [],
    batchId: 0,
  };
  assert.equal((await verifyRecordInclusion({ ...base, entry })).valid, true);
  const tampered = { ...entry, metadataHash: bytes32Label('changed') };
  assert.equal((await verifyRecordInclusion({ ...base, entry: tampered })).included, false);
});

test('audit entries verify against the committed root from the RPC URL', async () => {
  const reader = await newActor(chain);
  const releases = Array.from({ length: 4 }, (_, i) => ({
    recordId: bytes32Label(`record-${i}`),
    patient: patient.address,
    reader: reader.address,
    purpose: bytes32Label('care'),
    releasedAt: 1_800_000_000n + BigInt(i),
  }));
  const audit = buildAuditBatch(releases);
  await send(chain, operator(), chain.deployment.contracts.auditLog, auditLogAbi, 'commit', [
    audit.root,
    4,
    '0x0155',
  ]);
  const base = {
    rpcUrl: chain.rpcUrl,
    auditLogAddress: chain.deployment.contracts.auditLog,
    commitId: 1,
  };
  for (const [i, entry] of releases.entries()) {
    assert.equal(
      await verifyAuditInclusion({ ...base, entry, proof: audit.proofs[i] as Hex[] }),
      true,
    );
  }
  const onChain = await chain.publicClient.readContract({
    address: chain.deployment.contracts.auditLog,
    abi: auditLogAbi,
    functionName: 'verifyEntry',
    args: [
      1n,
      releases[2]?.recordId as Hex,
      patient.address,
      reader.address,
      bytes32Label('care'),
      releases[2]?.releasedAt as bigint,
      audit.proofs[2] as Hex[],
    ],
  });
  assert.equal(onChain, true);
  const altered = {
    ...(releases[2] as (typeof releases)[number]),
    purpose: bytes32Label('marketing'),
  };
  assert.equal(
    await verifyAuditInclusion({ ...base, entry: altered, proof: audit.proofs[2] as Hex[] }),
    false,
  );
  assert.equal(
    await verifyAuditInclusion({
      ...base,
      commitId: 2,
      entry: releases[0] as (typeof releases)[number],
      proof: audit.proofs[0] as Hex[],
    }),
    false,
  );
});
