import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  accountsAbi,
  auditLogAbi,
  certificationAbi,
  consentsAbi,
  recordsAbi,
  roleIds,
} from '@aegle/contracts';

import { deploymentPath, readDeployment } from '../src/deployment.ts';
import type { AnvilCrashedError } from '../src/errors.ts';
import { createIndexer } from '../src/indexer/create-indexer.ts';
import { mayRead } from '../src/indexer/may-read.ts';
import { indexDatabasePath, openIndexDatabase } from '../src/indexer/schema.ts';
import { operatorKeyPath } from '../src/operator-key.ts';
import { startEmbeddedChain } from '../src/start-embedded-chain.ts';
import { verifyRecordInclusion } from '../src/verify-record-inclusion.ts';
import { b32, latestTimestamp, makeTempDir, Role, Scope, writeScenario } from './helpers.ts';

const dir = makeTempDir('embedded');
after(() => dir.remove());

test('first start deploys and records; a restart keeps every account, certificate, anchor, grant and audit root', async () => {
  const first = await startEmbeddedChain({ dataDir: dir.path });
  let scenario: Awaited<ReturnType<typeof writeScenario>>;
  let indexedTo = 0;
  const indexPath = indexDatabasePath(dir.path);
  try {
    const recorded = readDeployment(deploymentPath(dir.path));
    assert.deepEqual(recorded, first.deployment);
    assert.equal(recorded.chainId, 31337);
    assert.equal(recorded.deployer, first.operator?.address);
    assert.ok(recorded.deployedAtBlock >= 1);
    assert.equal(statSync(operatorKeyPath(dir.path)).mode & 0o777, 0o600);
    assert.ok(
      await first.publicClient.readContract({
        address: recorded.contracts.certification,
        abi: certificationAbi,
        functionName: 'hasRole',
        args: [roleIds.node, recorded.deployer],
      }),
    );
    scenario = await writeScenario(first);
    const indexer = createIndexer({
      db: openIndexDatabase(indexPath),
      publicClient: first.publicClient,
      deployment: first.deployment,
    });
    indexedTo = (await indexer.sync()).cursor;
    indexer.db.close();
  } finally {
    await first.stop();
  }
  const keyBefore = readFileSync(operatorKeyPath(dir.path), 'utf8');

  const second = await startEmbeddedChain({ dataDir: dir.path });
  try {
    assert.notEqual(second.anvil?.pid, first.anvil?.pid);
    // The reloaded chain has the same blocks (same hashes): the index resumes, nothing rolls back.
    const indexer = createIndexer({
      db: openIndexDatabase(indexPath),
      publicClient: second.publicClient,
      deployment: second.deployment,
    });
    const resumed = await indexer.sync();
    assert.equal(resumed.rolledBackTo, undefined);
    assert.equal(resumed.cursor, indexedTo);
    assert.equal(
      mayRead(
        indexer.db,
        scenario.researcher.address,
        scenario.direct.recordId,
        Number(await latestTimestamp(second)),
      ).reason,
      'category-grant',
    );
    indexer.db.close();
    assert.equal(readFileSync(operatorKeyPath(dir.path), 'utf8'), keyBefore);
    assert.deepEqual(second.deployment, first.deployment);
    const { contracts } = second.deployment;
    const read = (
      address: `0x${string}`,
      abi: readonly unknown[],
      functionName: string,
      args: unknown[] = [],
    ) =>
      // biome-ignore lint/suspicious/noExplicitAny: test reads over several ABIs
      second.publicClient.readContract({ address, abi, functionName, args } as any);
    const { patient, provider, guardian, researcher, direct, batch, auditRoot, far } = scenario;

    assert.equal(
      await read(contracts.accounts, accountsAbi, 'roleOf', [patient.address]),
      Role.Patient,
    );
    assert.equal(
      await read(contracts.accounts, accountsAbi, 'roleOf', [provider.address]),
      Role.Provider,
    );
    assert.equal(
      await read(contracts.accounts, accountsAbi, 'guardianOf', [patient.address]),
      guardian.address,
    );
    assert.equal(
      await read(contracts.certification, certificationAbi, 'isCertified', [provider.address]),
      true,
    );
    const directAnchor = (await read(contracts.records, recordsAbi, 'directAnchor', [
      direct.recordId,
    ])) as {
      leaf: string;
    };
    assert.notEqual(directAnchor.leaf, `0x${'00'.repeat(32)}`);
    assert.equal(await read(contracts.records, recordsAbi, 'batchCount'), 1n);
    const inclusion = await verifyRecordInclusion({
      rpcUrl: second.rpcUrl,
      recordsAddress: contracts.records,
      entry: batch.entries[1] as (typeof batch.entries)[number],
      proof: batch.proofs[1] as `0x${string}`[],
      batchId: 1,
    });
    assert.equal(inclusion.valid, true);
    const grant = (await read(contracts.consents, consentsAbi, 'grantOf', [
      patient.address,
      researcher.address,
      Scope.Category,
      b32('Observation'),
    ])) as { purpose: string; expiresAt: bigint };
    assert.deepEqual(grant, { purpose: b32('research'), expiresAt: far });
    const commit = (await read(contracts.auditLog, auditLogAbi, 'commitAt', [1n])) as {
      root: string;
    };
    assert.equal(commit.root, auditRoot);
  } finally {
    await second.stop();
  }
});

test('a crash of anvil (kill -9) is reported through onCrash and exited', async () => {
  const crashes: AnvilCrashedError[] = [];
  const chain = await startEmbeddedChain({ dataDir: dir.path, onCrash: (e) => crashes.push(e) });
  const pid = chain.anvil?.pid;
  assert.ok(pid && pid > 0);
  process.kill(pid, 'SIGKILL');
  const reported = await chain.anvil?.exited;
  assert.equal(reported?.name, 'AnvilCrashedError');
  assert.equal(reported?.signal, 'SIGKILL');
  assert.equal(crashes.length, 1);
  assert.equal(crashes[0], reported);
  await chain.stop(); // idempotent after a crash, no throw
});

test('a clean stop is not reported as a crash', async () => {
  const crashes: AnvilCrashedError[] = [];
  const chain = await startEmbeddedChain({ dataDir: dir.path, onCrash: (e) => crashes.push(e) });
  await chain.stop();
  assert.equal(await chain.anvil?.exited, undefined);
  assert.equal(crashes.length, 0);
});

test('a deployment record whose chain state is gone is refused, not silently redeployed', async () => {
  const other = makeTempDir('embedded-lost');
  try {
    const chain = await startEmbeddedChain({ dataDir: other.path });
    await chain.stop();
    rmSync(join(other.path, 'chain', 'anvil-state.json'));
    await assert.rejects(startEmbeddedChain({ dataDir: other.path }), {
      name: 'DeploymentMismatchError',
    });
  } finally {
    other.remove();
  }
});
