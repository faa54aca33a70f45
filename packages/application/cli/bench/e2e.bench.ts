// 1 GiB through the SDK and a node (its own process, embedded chain): upload = encrypt, send,
// store on two replicas, commit and anchor on chain; download = fetch, verify, decrypt.
// Prints {"bench":"e2e-upload"|"e2e-download","mb_per_s","client_rss_mb","node_rss_mb"}.
// AEGLE_BENCH_MB overrides the size (default 1024).
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccount } from '@aegle/crypto';
import { createAegleClient, createHttpTransport } from '@aegle/sdk';
import { nodeStreamingFetch } from '../src/node-fetch.ts';
import { readNodeFile } from '../src/node-file.ts';
import { startNodeProcess } from '../test/node-process.testing.ts';

const MB = 1024 * 1024;
const sizeMb = Number(process.env.AEGLE_BENCH_MB ?? 1024);
const totalBytes = sizeMb * MB;

/** Peak resident set of a process since the last reset, in MB (Linux /proc). */
function peakRssMb(pid: number | 'self'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

/** Resets a process's peak RSS (VmHWM) to its current RSS, so each phase is measured alone. */
function resetPeak(pid: number | 'self'): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not permitted here: the figure then covers the process's whole life.
  }
}

async function* plaintext(): AsyncGenerator<Uint8Array> {
  const block = new Uint8Array(MB);
  crypto.getRandomValues(block.subarray(0, 65_536));
  for (let i = 0; i < MB; i += 65_536) block.copyWithin(i, 0, 65_536);
  for (let i = 0; i < sizeMb; i++) {
    const chunk = block.slice();
    new DataView(chunk.buffer).setUint32(0, i);
    yield chunk;
  }
}

const home = await mkdtemp(join(tmpdir(), 'aegle-e2e-bench-'));
const node = await startNodeProcess({ AEGLE_HOME: home }, [
  '--default-quota',
  `${sizeMb * 2 + 64}MiB`,
]);
try {
  const pid = node.child.pid as number;
  const file = await readNodeFile(home);
  if (!file) throw new Error('the node wrote no node.json');
  const client = createAegleClient({
    account: createAccount(),
    // Node's own fetch holds memory in proportion to a streamed upload (see node-fetch.ts).
    transport: createHttpTransport({ baseUrl: node.url, fetch: nodeStreamingFetch }),
    deployment: file.deployment,
    rpcUrl: file.rpcUrl,
  });
  await client.signIn();
  await client.register('patient');
  if (process.env.AEGLE_BENCH_DEBUG) console.error('baseline rss', peakRssMb('self'));

  resetPeak('self');
  resetPeak(pid);
  let started = performance.now();
  const record = await client.addRecord({
    category: 'Imaging',
    content: plaintext(),
    size: totalBytes,
    metadata: { contentType: 'application/octet-stream' },
  });
  if (process.env.AEGLE_BENCH_DEBUG) {
    console.error(
      'stored and committed after',
      ((performance.now() - started) / 1000).toFixed(2),
      's',
    );
  }
  // Anchored: the entry is in a batch whose root is on chain (checked against the chain).
  while ((await client.verifyRecord(record.recordId)).anchor.status !== 'verified') {
    await new Promise((r) => setTimeout(r, 50));
  }
  let seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      bench: 'e2e-upload',
      mb_per_s: Number((sizeMb / seconds).toFixed(1)),
      client_rss_mb: peakRssMb('self'),
      node_rss_mb: peakRssMb(pid),
      mb: sizeMb,
    }),
  );

  resetPeak('self');
  resetPeak(pid);
  started = performance.now();
  let received = 0;
  for await (const chunk of client.readRecord(record.recordId)) received += chunk.length;
  seconds = (performance.now() - started) / 1000;
  if (received !== totalBytes) throw new Error(`downloaded ${received} of ${totalBytes} bytes`);
  console.log(
    JSON.stringify({
      bench: 'e2e-download',
      mb_per_s: Number((sizeMb / seconds).toFixed(1)),
      client_rss_mb: peakRssMb('self'),
      node_rss_mb: peakRssMb(pid),
      mb: sizeMb,
    }),
  );
} finally {
  await node.stop();
  await rm(home, { recursive: true, force: true });
}
