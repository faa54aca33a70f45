// 1 GiB through the SDK and a node (its own process, embedded chain): upload = encrypt, send,
// store on two replicas, commit and anchor on chain; download = fetch, verify, decrypt.
// Prints {"bench":"e2e-upload"|"e2e-download","mb_per_s","limit_mb_per_s","ratio","client_rss_mb",
// "node_rss_mb",…}: the limit is single-core AES-256-GCM then SHA-256 on this machine, measured
// in the same run; MB are 10^6 bytes in every figure; peaks are VmHWM, reset before each phase.
// The upload line also gives the disk's own bound (`disk_limit_mb_per_s`, see measureDurableWrite)
// and the upload's share of it (`disk_ratio`): both replicas are on this one disk.
// AEGLE_BENCH_MB overrides the size (default 1024).
//
// Both processes run with the lean-memory settings docs/KEYS.md recommends for Node ("Memory in
// Node"): V8's young generation capped (--max-semi-space-size=1) and glibc's malloc arenas at 2;
// the line says so in `runtime`. AEGLE_BENCH_RUNTIME=default runs both with Node's defaults.
import { spawnSync } from 'node:child_process';
import { createCipheriv, hash, randomBytes } from 'node:crypto';
import { constants, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuByThread, cpuSeconds, threadCpuSince } from './process-stats.ts';
import { settleDisk } from './settle-disk.ts';

const LEAN_V8 = '--max-semi-space-size=1';
const LEAN_ENV = { MALLOC_ARENA_MAX: '2' };
const lean = process.env.AEGLE_BENCH_RUNTIME !== 'default';
// V8 reads heap sizes only at start-up: run this file again as a child with the lean settings.
// The child also uses Node's compile cache (where `aegle` keeps it, see bin/aegle.js), as an app
// shipped as JavaScript would: its modules then load without the TypeScript stripper, which
// would otherwise add some 10–20 MB to the client's peak (after a first run fills the cache).
if (lean && !process.execArgv.includes(LEAN_V8)) {
  const run = spawnSync(process.execPath, [...process.execArgv, LEAN_V8, import.meta.filename], {
    stdio: 'inherit',
    env: {
      NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache'),
      ...process.env,
      ...LEAN_ENV,
    },
  });
  process.exit(run.status ?? 1);
}
// Only what an SDK client in Node needs, loaded after the re-run above.
const { createAccount } = await import('@aegle/crypto');
const { createAegleClient, createHttpTransport } = await import('@aegle/sdk');
const { nodeStreamingFetch } = await import('../src/node-fetch.ts');
const { readNodeFile } = await import('../src/node-file.ts');
const { startNodeProcess } = await import('../test/node-process.testing.ts');

const MB = 1024 * 1024;
const round = (n: number) => Math.round(n * 10) / 10;
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

const debug = process.env.AEGLE_BENCH_DEBUG ? (...a: unknown[]) => console.error(...a) : () => {};
// With AEGLE_BENCH_DEBUG, the client's heap and external memory are sampled too, and each phase's
// CPU is split by thread (main, V8's GC helpers, libuv's pool, worker threads), to stderr.
let peaks: Record<string, number> = {};
if (process.env.AEGLE_BENCH_DEBUG) {
  setInterval(() => {
    for (const [k, v] of Object.entries(process.memoryUsage())) {
      peaks[k] = Math.max(peaks[k] ?? 0, Math.round(v / 1048576));
    }
  }, 25).unref();
}

/**
 * This machine's single-core node:crypto throughput on 64 KiB buffers, in MB/s (10^6 bytes):
 * AES-256-GCM (one cipher per buffer) and one-shot SHA-256, best of a few rounds. The same
 * measurement as the storage benchmark's (packages/core/storage/bench), copied so that this
 * benchmark loads nothing of it.
 */
function measurePrimitives(): { aes: number; sha: number } {
  const size = 64 * 1024;
  const buffer = randomBytes(size);
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const perRound = 2048; // 128 MiB
  const rate = (ms: number) => (perRound * size) / 1e6 / (ms / 1000);
  let aes = 0;
  let sha = 0;
  for (let round = 0; round < 5; round++) {
    let start = performance.now();
    for (let i = 0; i < perRound; i++) {
      const gcm = createCipheriv('aes-256-gcm', key, nonce);
      gcm.update(buffer);
      gcm.final();
      gcm.getAuthTag();
    }
    aes = Math.max(aes, rate(performance.now() - start));
    start = performance.now();
    for (let i = 0; i < perRound; i++) hash('sha256', buffer, 'buffer');
    sha = Math.max(sha, rate(performance.now() - start));
  }
  return { aes, sha };
}

/**
 * The plaintext, 1 MiB at a time, in two alternating buffers: @aegle/crypto's encryptor is done
 * with a chunk (encrypted or copied) before it asks for the next one, and a fresh buffer per MiB
 * would only measure the garbage collector.
 */
async function* plaintext(): AsyncGenerator<Uint8Array> {
  const block = new Uint8Array(MB);
  crypto.getRandomValues(block.subarray(0, 65_536));
  for (let i = 0; i < MB; i += 65_536) block.copyWithin(i, 0, 65_536);
  const buffers = [block, block.slice()];
  for (let i = 0; i < sizeMb; i++) {
    const chunk = buffers[i % 2] as Uint8Array;
    new DataView(chunk.buffer).setUint32(0, i);
    yield chunk;
  }
}

/** Payload written to each replica by `measureDurableWrite`: enough to get past the disk's cache. */
const DURABLE_PROBE_MIB = 512;

/**
 * This disk's durable-write bound for an upload, in MB/s of payload (10^6 bytes): the same bytes
 * written to two files side by side (the node's two replicas share this disk), 1 MiB at a time
 * with O_DIRECT from a page-aligned buffer, as the store writes its leaves, then fdatasync'd. No
 * hashing, no network, one file per replica instead of a file per leaf: an upload that must hold
 * both copies durably before it is acknowledged cannot go faster than this. Best of two rounds.
 */
async function measureDurableWrite(dir: string): Promise<number> {
  // A WebAssembly memory starts on a page boundary: O_DIRECT takes it (see page-aligned.ts).
  const memory = new (
    globalThis as unknown as {
      WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } };
    }
  ).WebAssembly.Memory({ initial: MB / 65_536 });
  const block = new Uint8Array(memory.buffer, 0, MB);
  crypto.getRandomValues(block.subarray(0, 65_536));
  const direct = constants.O_DIRECT ?? 0;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC;
  const writeOne = async (file: string) => {
    const handle = await open(file, flags | direct).catch(() => open(file, flags));
    try {
      for (let i = 0; i < DURABLE_PROBE_MIB; i++) await handle.write(block, 0, MB, i * MB);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  };
  let best = 0;
  for (let round = 0; round < 2; round++) {
    const files = [join(dir, 'durable-probe-0'), join(dir, 'durable-probe-1')];
    settleDisk();
    const started = performance.now();
    await Promise.all(files.map(writeOne));
    const seconds = (performance.now() - started) / 1000;
    best = Math.max(best, (DURABLE_PROBE_MIB * MB) / 1e6 / seconds);
    await Promise.all(files.map((file) => unlink(file)));
  }
  settleDisk();
  return best;
}

/** One figure: MB/s (10^6 bytes, as the core benchmarks count) against the encrypt-plus-hash limit. */
function report(
  bench: string,
  seconds: number,
  rss: { client: number; node: number },
  primitives: { aes: number; sha: number },
  extra: Record<string, number> = {},
): void {
  const mbPerS = totalBytes / 1e6 / seconds;
  const limit = 1 / (1 / primitives.aes + 1 / primitives.sha);
  console.log(
    JSON.stringify({
      bench,
      mb_per_s: round(mbPerS),
      limit_mb_per_s: round(limit),
      ratio: Math.round((mbPerS / limit) * 1000) / 1000,
      client_rss_mb: rss.client,
      node_rss_mb: rss.node,
      aes_gcm_mb_per_s: round(primitives.aes),
      sha256_mb_per_s: round(primitives.sha),
      ...extra,
      mib: sizeMb,
      runtime: lean ? 'lean' : 'default',
    }),
  );
}

const home = await mkdtemp(join(tmpdir(), 'aegle-e2e-bench-'));
const node = await startNodeProcess(
  { AEGLE_HOME: home, ...(lean && { ...LEAN_ENV, NODE_OPTIONS: LEAN_V8 }) },
  ['--default-quota', `${sizeMb * 2 + 64}MiB`],
);
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
  debug('after sign-in: rss', peakRssMb('self'), 'MB; node', peakRssMb(pid), 'MB');

  settleDisk();
  resetPeak('self');
  resetPeak(pid);
  peaks = {};
  let cpu = { self: cpuSeconds('self'), node: cpuSeconds(pid) };
  let threads = { self: cpuByThread('self'), node: cpuByThread(pid) };
  let started = performance.now();
  const record = await client.addRecord({
    category: 'Imaging',
    content: plaintext(),
    size: totalBytes,
    metadata: { contentType: 'application/octet-stream' },
  });
  const committedSeconds = (performance.now() - started) / 1000;
  // Anchored: the entry is in a batch whose root is on chain (checked against the chain).
  while ((await client.verifyRecord(record.recordId)).anchor.status !== 'verified') {
    await new Promise((r) => setTimeout(r, 50));
  }
  const upload = {
    seconds: (performance.now() - started) / 1000,
    committedSeconds,
    rss: { client: peakRssMb('self'), node: peakRssMb(pid) },
  };
  debug('cpu s: client', cpuSeconds('self') - cpu.self, 'node', cpuSeconds(pid) - cpu.node);
  debug('  client:', threadCpuSince(threads.self, cpuByThread('self')));
  debug('  node:', threadCpuSince(threads.node, cpuByThread(pid)));
  debug('client memory peaks (MB)', peaks);

  settleDisk();
  resetPeak('self');
  resetPeak(pid);
  peaks = {};
  cpu = { self: cpuSeconds('self'), node: cpuSeconds(pid) };
  threads = { self: cpuByThread('self'), node: cpuByThread(pid) };
  started = performance.now();
  let received = 0;
  for await (const chunk of client.readRecord(record.recordId)) received += chunk.length;
  const seconds = (performance.now() - started) / 1000;
  if (received !== totalBytes) throw new Error(`downloaded ${received} of ${totalBytes} bytes`);
  const download = { seconds, rss: { client: peakRssMb('self'), node: peakRssMb(pid) } };
  debug('cpu s: client', cpuSeconds('self') - cpu.self, 'node', cpuSeconds(pid) - cpu.node);
  debug('  client:', threadCpuSince(threads.self, cpuByThread('self')));
  debug('  node:', threadCpuSince(threads.node, cpuByThread(pid)));
  debug('client memory peaks (MB)', peaks);
  // Measured last, so its garbage does not count in the client's peaks.
  const primitives = measurePrimitives();
  const disk = await measureDurableWrite(home);
  report('e2e-upload', upload.seconds, upload.rss, primitives, {
    // Acknowledged (stored on both replicas, committed, anchor journaled) before the anchor is on
    // chain: the rest is the outbox's batch window and the chain's confirmation.
    committed_mb_per_s: round(totalBytes / 1e6 / upload.committedSeconds),
    // The second bound an upload meets here: the disk, for both replicas' bytes made durable.
    disk_limit_mb_per_s: round(disk),
    disk_ratio: Math.round((totalBytes / 1e6 / upload.seconds / disk) * 1000) / 1000,
  });
  report('e2e-download', download.seconds, download.rss, primitives);
} finally {
  await node.stop();
  await rm(home, { recursive: true, force: true });
}
