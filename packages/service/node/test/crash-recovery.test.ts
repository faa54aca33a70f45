import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';
import { FileRelay } from './file-relay.ts';
import { tempDir, waitUntil } from './helpers.ts';
import {
  api,
  newAccount,
  type PreparedRecord,
  prepareRecord,
  signIn,
  uploadRecord,
} from './node-harness.ts';

const NODE_PROCESS = path.join(import.meta.dirname, 'fixtures', 'node-process.ts');

async function startProcess(
  dataDir: string,
  relayFile: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [NODE_PROCESS, dataDir, relayFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  await waitUntil(() => out.includes('\n') || child.exitCode !== null, 30_000);
  assert.equal(child.exitCode, null, 'the node process started');
  return { child, url: out.trim() };
}

test('kill -9 in the middle of a stream of uploads: after a restart every acknowledged record is stored, readable and anchored once', async (t) => {
  const dir = await tempDir(t);
  const dataDir = path.join(dir, 'node');
  const relayFile = path.join(dir, 'relay.jsonl');
  let { child, url } = await startProcess(dataDir, relayFile);
  t.after(() => {
    child.kill('SIGKILL');
  });
  const alice = newAccount();
  const token = await signIn(url, alice);
  const records = await Promise.all(
    Array.from({ length: 60 }, () => prepareRecord(alice, alice.address)),
  );
  const acknowledged: PreparedRecord[] = [];
  // Four uploaders in parallel; the node is killed once 25 uploads were acknowledged.
  let next = 0;
  const killed = (async () => {
    await waitUntil(() => acknowledged.length >= 25, 60_000);
    child.kill('SIGKILL');
    await once(child, 'exit');
  })();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      const call = api(url, token);
      for (let record = records[next++]; record; record = records[next++]) {
        try {
          const response = await uploadRecord(call, record, [
            { recipient: alice.address, wrappedKey: 'AA==' },
          ]);
          if (response.status === 201) acknowledged.push(record);
        } catch {
          return; // the node is gone
        }
      }
    }),
  );
  await killed;
  assert.ok(
    acknowledged.length >= 25 && acknowledged.length < records.length,
    'the kill came mid-stream',
  );

  ({ child, url } = await startProcess(dataDir, relayFile));
  const call = api(url, token); // sessions are durable too
  await waitUntil(async () => {
    const health = (await (await fetch(`${url}/health`)).json()) as {
      outbox: { pending: number; submitted: number };
    };
    return health.outbox.pending + health.outbox.submitted === 0;
  }, 30_000);
  for (const record of acknowledged) {
    const content = await call(`/records/${record.recordId}/content`);
    assert.equal(content.status, 200);
    assert.deepEqual(
      new Uint8Array(await content.arrayBuffer()),
      new Uint8Array(record.ciphertext),
    );
    const meta = (await (await call(`/records/${record.recordId}`)).json()) as {
      record: { anchor: { state: string } };
    };
    assert.equal(meta.record.anchor.state, 'confirmed');
  }
  // Exactly once: each record's anchor landed in one batch, never two.
  const landed = FileRelay.read(relayFile).flatMap((line) =>
    line.type === 'landed' ? line.intents : [],
  );
  assert.equal(new Set(landed).size, landed.length, 'no intent landed twice');
  for (const record of acknowledged) assert.ok(landed.includes(`anchor:${record.recordId}`));
  // A record whose upload was cut by the kill is either complete or absent, never half there.
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
  child.kill('SIGKILL');
  await once(child, 'exit');
});
