// Kill -9 of a whole node, its embedded anvil included, in the middle of a stream of 200 record
// uploads. After a restart, every acknowledged record is stored, readable, and anchored: its batch
// is committed on the (restarted) chain and its inclusion verifies from the RPC URL alone.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { verifyRecordInclusion } from '@aegle/chain';
import { accountsAbi, Role } from '@aegle/contracts';
import { createPublicClient, type Hex, http } from 'viem';
import { signForward } from './chain-harness.ts';
import { tempDir, waitUntil } from './helpers.ts';
import {
  api,
  newAccount,
  type PreparedRecord,
  prepareRecord,
  signIn,
  uploadRecord,
} from './node-harness.ts';

const NODE_PROCESS = path.join(import.meta.dirname, 'fixtures', 'chain-node-process.ts');

type Started = {
  child: ChildProcess;
  url: string;
  rpcUrl: string;
  chainId: number;
  records: Hex;
  forwarder: Hex;
  accounts: Hex;
};

async function startProcess(dataDir: string): Promise<Started> {
  // Its own process group: kill -9 of the group takes anvil with it, as a crash of the machine would.
  const child = spawn(process.execPath, [NODE_PROCESS, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  await waitUntil(() => out.includes('\n') || child.exitCode !== null, 60_000);
  assert.equal(child.exitCode, null, 'the node process started');
  return { child, ...JSON.parse(out.trim()) };
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

test('kill -9 of node and chain mid-stream of 200 uploads: every acknowledged record is stored, anchored, verifiable and readable', async (t) => {
  const dataDir = path.join(await tempDir(t, 'aegle-crash-'), 'node');
  let node = await startProcess(dataDir);
  t.after(() => killGroup(node.child));
  const alice = newAccount();
  const token = await signIn(node.url, alice);
  let call = api(node.url, token);

  // Alice registers as a patient (relayed), so she may write for herself.
  const client = createPublicClient({ transport: http(node.rpcUrl) });
  const chain = {
    publicClient: client,
    deployment: { chainId: node.chainId, contracts: { forwarder: node.forwarder } },
  } as unknown as Parameters<typeof signForward>[0];
  const registration = await signForward(chain, alice, {
    to: node.accounts,
    abi: accountsAbi,
    functionName: 'register',
    args: [Role.Patient, `0x${'11'.repeat(32)}`],
  });
  const relayed = await call('/accounts', { method: 'POST', json: { request: registration } });
  const { id } = (await relayed.json()) as { id: number };
  await waitUntil(async () => {
    const intent = (await (await call(`/intents/${id}`)).json()) as { state: string };
    return intent.state === 'confirmed';
  }, 30_000);
  await waitUntil(
    async () =>
      (
        await call(`/uploads?patient=${alice.address}&size=0`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body: new Uint8Array(0),
        })
      ).status === 201,
    30_000,
  );

  const domain = { chainId: node.chainId, records: node.records };
  const records = await Promise.all(
    Array.from({ length: 200 }, () => prepareRecord(alice, alice.address, { domain })),
  );
  const acknowledged: PreparedRecord[] = [];
  let next = 0;
  const killed = (async () => {
    await waitUntil(() => acknowledged.length >= 80, 60_000);
    killGroup(node.child);
    await once(node.child, 'exit');
  })();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let record = records[next++]; record; record = records[next++]) {
        try {
          const response = await uploadRecord(call, record, []);
          if (response.status === 201) acknowledged.push(record);
        } catch {
          return; // the node is gone
        }
      }
    }),
  );
  await killed;
  assert.ok(
    acknowledged.length >= 80 && acknowledged.length < records.length,
    `the kill came mid-stream (${acknowledged.length} acknowledged)`,
  );

  t.diagnostic(`${acknowledged.length} of ${records.length} uploads acknowledged before the kill`);
  node = await startProcess(dataDir);
  call = api(node.url, token); // sessions are durable
  await waitUntil(async () => {
    const health = (await (await fetch(`${node.url}/health`)).json()) as {
      outbox: { pending: number; submitted: number; failed: number };
      chain: { connected: boolean };
    };
    return health.chain.connected && health.outbox.pending + health.outbox.submitted === 0;
  }, 60_000);

  for (const record of acknowledged) {
    const content = await call(`/records/${record.recordId}/content`);
    assert.equal(content.status, 200);
    assert.deepEqual(
      new Uint8Array(await content.arrayBuffer()),
      new Uint8Array(record.ciphertext),
    );
    const proof = (await (await call(`/records/${record.recordId}/proof`)).json()) as {
      entry: PreparedRecord['entry'];
      anchor: { state: string; proof: Hex[]; receipt: { batchId: number } };
    };
    assert.equal(proof.anchor.state, 'confirmed');
    const inclusion = await verifyRecordInclusion({
      rpcUrl: node.rpcUrl,
      recordsAddress: node.records,
      entry: {
        ...proof.entry,
        nonce: BigInt(proof.entry.nonce),
        signedAt: BigInt(proof.entry.signedAt),
      },
      proof: proof.anchor.proof,
      batchId: proof.anchor.receipt.batchId,
    });
    assert.ok(inclusion.included && inclusion.valid, 'anchored on the chain that survived');
  }
  // A record cut by the kill is complete or absent, never half there.
  const listed = (await (await call(`/records?patient=${alice.address}&limit=500`)).json()) as {
    records: Array<{ recordId: string }>;
  };
  for (const { recordId } of listed.records) {
    const record = records.find((r) => r.recordId === recordId);
    assert.ok(record);
    const content = await call(`/records/${recordId}/content`);
    assert.deepEqual(
      new Uint8Array(await content.arrayBuffer()),
      new Uint8Array(record.ciphertext),
    );
  }
  const log = await readFile(path.join(dataDir, 'logs', 'node.log'), 'utf8');
  const reopened = log.split('\n').filter((l) => l.includes('"event":"reopened"'));
  t.diagnostic(
    `batches reopened after the restart: ${reopened.length ? reopened.join(' ') : 'none'}`,
  );
  killGroup(node.child);
  await once(node.child, 'exit');
});
