// A whole Synthea patient through the SDK into a running node (its own process): convert, then
// encrypt, store and anchor each resource, the way `aegle import` does (src/fhir/import-file.ts:
// bounded concurrency, one manifest last). The time runs until every record of the import is
// anchored on chain. Prints {"bench":"fhir-import","resources_per_s",…} (target ≥ 1,000).
// AEGLE_BENCH_ROUNDS overrides how many times the patient is imported (default 20, each a fresh
// import with its own records): a sustained rate, over 1,400 resources. With 5 (350 resources,
// a third of a second at the target), the last import's wait for its anchor (the node batches
// anchors at most every 100 ms, then the transaction confirms: 90–220 ms in all) and the first
// imports' unoptimised code are a quarter to a third of the figure.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createAccount } from '@aegle/crypto';
import {
  type AegleClient,
  type ClientDeployment,
  createAegleClient,
  createHttpTransport,
} from '@aegle/sdk';
import { importFile } from '../src/fhir/import-file.ts';
import { nodeStreamingFetch } from '../src/node-fetch.ts';
import { cpuByThread, cpuSeconds, threadCpuSince } from './process-stats.ts';

const repo = join(import.meta.dirname, '..', '..', '..', '..');
const patientFile = join(
  repo,
  '..',
  'shared',
  'fixtures',
  'synthea',
  'Clemente_Kreiger_1484a42d-0eaf-4654-9cbf-6b050a5cd73b.json',
);
const rounds = Number(process.env.AEGLE_BENCH_ROUNDS ?? 20);
const concurrency = Number(process.env.AEGLE_BENCH_CONCURRENCY ?? 16);
const debug = process.env.AEGLE_BENCH_DEBUG ? (...a: unknown[]) => console.error(...a) : () => {};

async function startNodeProcess(dataDir: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    [join(import.meta.dirname, 'fhir-import-node.ts'), dataDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    child.stdout?.resume();
    return {
      child,
      ...(JSON.parse(line) as { url: string; rpcUrl: string; deployment: ClientDeployment }),
    };
  }
  throw new Error('the node exited before listening');
}

/**
 * Anchored: the node batches entries into roots on chain; waits until none is left pending.
 * Returns how many times it asked.
 */
async function waitUntilAnchored(client: AegleClient): Promise<number> {
  for (let polls = 1; ; polls++) {
    const records = await client.listRecords();
    if (records.every((r) => r.anchor.state === 'confirmed')) return polls;
    if (records.some((r) => r.anchor.state === 'failed')) throw new Error('an anchor failed');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const dir = await mkdtemp(join(tmpdir(), 'aegle-fhir-import-bench-'));
const node = await startNodeProcess(dir);
try {
  const account = createAccount();
  const transport = createHttpTransport({ baseUrl: node.url, fetch: nodeStreamingFetch });
  const client = createAegleClient({
    account,
    transport,
    deployment: node.deployment,
    rpcUrl: node.rpcUrl,
  });
  // Signed in once: every upload of the import reuses the session.
  await client.signIn();
  await client.register('patient');
  // Warm-up: loads the FHIR definitions and opens connections, and waits for the anchors, so
  // that the node's Merkle thread has started: the measured imports meet a node in its steady
  // state, as a running node's users do.
  await importFile(client, account, client.address, patientFile, { concurrency });
  await waitUntilAnchored(client);

  let resources = 0;
  let storedMs = 0;
  const cpuBefore = {
    client: process.cpuUsage(),
    node: cpuSeconds(node.child.pid as number) * 1000,
  };
  const threads = { self: cpuByThread('self'), node: cpuByThread(node.child.pid as number) };
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const done = await importFile(client, account, client.address, patientFile, { concurrency });
    storedMs += performance.now() - t;
    resources += done.records.length;
  }
  const storedAt = performance.now();
  const polls = await waitUntilAnchored(client);
  const totalMs = performance.now() - started;
  debug(
    `  anchored ${Math.round(performance.now() - storedAt)} ms after the last import (${polls} polls)`,
  );
  debug('  client:', threadCpuSince(threads.self, cpuByThread('self')));
  debug('  node:', threadCpuSince(threads.node, cpuByThread(node.child.pid as number)));
  const clientCpu = process.cpuUsage(cpuBefore.client);
  const clientCpuMs = (clientCpu.user + clientCpu.system) / 1000;
  const nodeCpuMs = cpuSeconds(node.child.pid as number) * 1000 - cpuBefore.node;
  console.log(
    JSON.stringify({
      bench: 'fhir-import',
      resources_per_s: Math.round((resources / totalMs) * 1000),
      stored_per_s: Math.round((resources / storedMs) * 1000),
      resources,
      // CPU per resource, whatever else the machine runs: where the time goes.
      client_cpu_ms: Math.round((clientCpuMs / resources) * 100) / 100,
      node_cpu_ms: Math.round((nodeCpuMs / resources) * 100) / 100,
      concurrency,
    }),
  );
} finally {
  node.child.kill('SIGTERM');
  await once(node.child, 'exit');
  await rm(dir, { recursive: true, force: true });
}
