// Shared by the storage benchmarks (not itself a *.bench.ts file, so the runner skips it).

import { execFile, spawnSync } from 'node:child_process';
import { createCipheriv, hash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { seededBytes } from '../test/seeded-bytes.ts';

/** 1 GiB: the file size the targets are stated for. */
export const INPUT_SIZE = 1024 ** 3;
/** Megabytes are 10^6 bytes in every figure, so the ratios do not depend on the unit. */
const MB = 1e6;
const BUFFER_SIZE = 64 * 1024;
const execFileAsync = promisify(execFile);

/** A temp directory holding the benchmark input, written as a stream (never whole in memory). */
export async function writeInputFile(): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aegle-bench-'));
  const file = path.join(dir, 'input.bin');
  // Fixed seed: the Aegle and Helia benchmarks ingest the same plaintext.
  await pipeline(
    seededBytes('aegle-ingest-bench', INPUT_SIZE, 1024 * 1024),
    createWriteStream(file),
  );
  // Flushed now, so the measured run does not pay for writing back its own input (on ext4 the
  // first fsync of the run would otherwise wait for this whole file).
  const handle = await open(file, 'r');
  await handle.sync();
  await handle.close();
  settleDisk();
  return { dir, file };
}

/**
 * Flushes everything the file systems hold dirty (`sync`), so a measured phase does not pay for
 * writeback, or for the discards of files deleted by an earlier benchmark (ext4 mounted with
 * `discard` issues them at its next journal commit, which is the first fsync of the next run).
 */
export function settleDisk(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

/**
 * This machine's single-core node:crypto throughput on 64 KiB buffers, in MB/s: AES-256-GCM
 * (one cipher per buffer, as the envelope does per segment) and one-shot SHA-256. The best of a
 * few rounds, so a scheduling hiccup does not lower the reference.
 */
export function measurePrimitives(): { aes: number; sha: number } {
  const buffer = randomBytes(BUFFER_SIZE);
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const rounds = 5;
  const perRound = 4096; // 256 MiB
  let aes = 0;
  let sha = 0;
  for (let round = 0; round < rounds; round++) {
    let start = performance.now();
    for (let i = 0; i < perRound; i++) {
      const gcm = createCipheriv('aes-256-gcm', key, nonce);
      gcm.update(buffer);
      gcm.final();
      gcm.getAuthTag();
    }
    aes = Math.max(aes, rate(perRound * BUFFER_SIZE, performance.now() - start));
    start = performance.now();
    for (let i = 0; i < perRound; i++) hash('sha256', buffer, 'buffer');
    sha = Math.max(sha, rate(perRound * BUFFER_SIZE, performance.now() - start));
  }
  return { aes, sha };
}

/** MB/s for `bytes` in `ms` milliseconds. */
export function rate(bytes: number, ms: number): number {
  return bytes / MB / (ms / 1000);
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  // resourceUsage().maxRSS is in KiB.
  return (process.resourceUsage().maxRSS * 1024) / MB;
}

/** Prints one benchmark line: throughput against the single-core AES-then-SHA limit. */
export function report(
  bench: string,
  mbPerS: number,
  primitives: { aes: number; sha: number },
  peakRss: number,
) {
  const limit = 1 / (1 / primitives.aes + 1 / primitives.sha);
  const round = (n: number) => Math.round(n * 10) / 10;
  console.log(
    JSON.stringify({
      bench,
      mb_per_s: round(mbPerS),
      aes_gcm_mb_per_s: round(primitives.aes),
      sha256_mb_per_s: round(primitives.sha),
      ratio: Math.round((mbPerS / limit) * 1000) / 1000,
      peak_rss_mb: round(peakRss),
    }),
  );
}

/**
 * A file's bytes, read into two alternating 1 MiB buffers. Safe for @aegle/crypto's encryptor,
 * which is done with a chunk (encrypted or copied) before it asks for the next one; it keeps the
 * reader from allocating a fresh buffer per read, which would only feed the garbage collector.
 */
export async function* readFileInPlace(file: string): AsyncGenerator<Uint8Array, void, undefined> {
  const buffers = [Buffer.allocUnsafe(1024 * 1024), Buffer.allocUnsafe(1024 * 1024)];
  const handle = await open(file, 'r');
  try {
    for (let turn = 0; ; turn++) {
      const buffer = buffers[turn % 2] as Buffer;
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** Consumes a byte stream, returning how many bytes it yielded. */
export async function drain(source: AsyncIterable<Uint8Array>): Promise<number> {
  let total = 0;
  for await (const chunk of source) total += chunk.length;
  return total;
}

/**
 * V8 flags of every measured phase, both peers alike. A 1 MiB young generation: streaming I/O
 * allocates little on the JavaScript heap but a buffer per 64 KiB segment or block outside it,
 * which V8 frees at a scavenge. With the default young generation (growing to 16 MiB semi-spaces)
 * scavenges are rare, so those buffers pile up until they force full mark-compacts instead:
 * measured 35–39 per GiB ingested, ~0.6 s of concurrent marking on the second core, and ~60 MB
 * of peak RSS. With 1 MiB: one mark-compact and ~170 cheap scavenges per GiB. It is a process
 * setting, not the library's: a node that ingests large objects wants it too.
 */
export const PHASE_NODE_FLAGS = ['--max-semi-space-size=1'];

/**
 * Runs one measured phase in a fresh Node process and returns the JSON object it prints last
 * (with at least `ms` and `peakRssMb`, that process's own peak RSS).
 */
export async function runPhase(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ ms: number; peakRssMb: number; [key: string]: unknown }> {
  const { stdout } = await execFileAsync(process.execPath, [...PHASE_NODE_FLAGS, script, ...args], {
    // Both peers' phases get the same thread pool: 16 threads, so the 16 block writes a put keeps
    // in flight (8 blocks, 2 replicas), each holding a thread until the disk has it, do not queue
    // behind libuv's default 4. It must be set before the process starts its pool, so here.
    env: { UV_THREADPOOL_SIZE: '16', ...process.env, ...env },
    maxBuffer: 1024 * 1024,
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last);
}
