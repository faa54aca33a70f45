// External mode with an anvil this test controls: stopped under a running node, uploads are still
// accepted, as pending; once the chain is back (same state file, same port) they complete.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import {
  createAegleClients,
  deployAegle,
  loadOrCreateOperatorKey,
  operatorKeyPath,
  startAnvil,
  verifyRecordInclusion,
  writeDeployment,
} from '@aegle/chain';
import { Role } from '@aegle/contracts';
import { type Hex, numberToHex } from 'viem';
import { register, startChainNode } from './chain-harness.ts';
import { tempDir, waitUntil } from './helpers.ts';
import {
  api,
  newAccount,
  type PreparedRecord,
  prepareRecord,
  signIn,
  uploadRecord,
} from './node-harness.ts';

type Health = {
  status: string;
  outbox: { pending: number; submitted: number; failed: number };
  chain: { connected: boolean };
};

test('with the chain stopped, uploads are accepted as pending; after it restarts they complete', async (t) => {
  const dir = await tempDir(t, 'aegle-outage-');
  const chainDir = path.join(dir, 'anvil');
  const nodeDir = path.join(dir, 'node');
  let anvil = await startAnvil({ dataDir: chainDir });
  t.after(() => anvil.stop());
  const port = Number(new URL(anvil.rpcUrl).port);
  // The node's operator: funded, deploys (so it is the authority and holds NODE_ROLE).
  const operator = loadOrCreateOperatorKey(operatorKeyPath(nodeDir));
  const clients = await createAegleClients({ rpcUrl: anvil.rpcUrl, account: operator });
  await clients.publicClient.request({
    method: 'anvil_setBalance' as never,
    params: [operator.address, numberToHex(10n ** 24n)] as never,
  });
  const deploymentFile = path.join(dir, 'deployment.json');
  writeDeployment(deploymentFile, await deployAegle(clients));

  const running = await startChainNode(t, {
    dataDir: nodeDir,
    rpcUrl: anvil.rpcUrl,
    deployment: deploymentFile,
  });
  const health = async () => (await (await fetch(`${running.url}/health`)).json()) as Health;
  assert.equal((await health()).chain.connected, true);
  const alice = newAccount();
  const token = await signIn(running.url, alice);
  const call = api(running.url, token);
  await register(running, token, alice, Role.Patient);
  const domain = {
    chainId: running.chain.deployment.chainId,
    records: running.chain.deployment.contracts.records,
  };

  await anvil.stop(); // SIGTERM: anvil dumps its state
  await waitUntil(async () => !(await health()).chain.connected);
  const records: PreparedRecord[] = [];
  for (let i = 0; i < 5; i++) {
    const record = await prepareRecord(alice, alice.address, { domain });
    const response = await uploadRecord(call, record, []);
    assert.equal(response.status, 201, 'accepted while the chain is down');
    assert.equal(
      ((await response.json()) as { anchor: { state: string } }).anchor.state,
      'pending',
    );
    records.push(record);
  }
  // Visible as pending, and still pending after the outbox has tried (and failed) to submit.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const down = await health();
  assert.equal(down.status, 'degraded');
  assert.ok(down.outbox.pending >= 5);
  for (const record of records) {
    const proof = (await (await call(`/records/${record.recordId}/proof`)).json()) as {
      anchor: { state: string };
    };
    assert.equal(proof.anchor.state, 'pending');
  }

  anvil = await startAnvil({ dataDir: chainDir, port });
  await waitUntil(async () => {
    const h = await health();
    return h.chain.connected && h.outbox.pending + h.outbox.submitted === 0;
  }, 60_000);
  assert.equal((await health()).outbox.failed, 0);
  for (const record of records) {
    const proof = (await (await call(`/records/${record.recordId}/proof`)).json()) as {
      entry: PreparedRecord['entry'];
      anchor: { state: string; proof: Hex[]; receipt: { batchId: number } };
    };
    assert.equal(proof.anchor.state, 'confirmed');
    const inclusion = await verifyRecordInclusion({
      rpcUrl: anvil.rpcUrl,
      recordsAddress: domain.records,
      entry: {
        ...proof.entry,
        nonce: BigInt(proof.entry.nonce),
        signedAt: BigInt(proof.entry.signedAt),
      },
      proof: proof.anchor.proof,
      batchId: proof.anchor.receipt.batchId,
    });
    assert.ok(inclusion.valid);
  }
});

test('a crash of the embedded anvil is reported: a log line without secrets, and /health says disconnected', async (t) => {
  const running = await startChainNode(t);
  const alice = newAccount();
  const token = await signIn(running.url, alice);
  const anvil = running.chain.anvil;
  assert.ok(anvil);
  process.kill(anvil.pid, 'SIGKILL');
  await anvil.exited;
  const health = (await (await fetch(`${running.url}/health`)).json()) as Health;
  assert.equal(health.chain.connected, false);
  assert.equal(health.status, 'degraded');
  const log = await readFile(path.join(running.dataDir, 'logs', 'node.log'), 'utf8');
  const line = log.split('\n').find((l) => l.includes('chain-crashed'));
  assert.ok(line, 'the crash is logged');
  assert.equal(line.includes(token), false);
  assert.equal(line.includes(running.dataDir), false, 'no paths');
});
