// Aegle's storage path on a 1 GiB file: {"bench":"ingest",…} encrypts it with @aegle/crypto's
// streaming envelope, chunks, hashes and writes it durably to two replicas (primary and backup
// directories; every block fsynced, O_DSYNC, before the commit) through ObjectStore.put;
// {"bench":"read",…} reads it back through ObjectStore.get (every block re-hashed) and decrypts
// it. Encryption, decryption and the file I/O calls run on the phase's main thread (libuv's pool
// does the I/O); SHA-256 runs on the store's hash worker (see src/sha256-worker.ts). Each phase
// process runs with the V8 flags in PHASE_NODE_FLAGS (bench-support.ts), as the peer's do.
// Each phase runs in its own process (ingest-phase.ts), so each peak RSS is that phase's own.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  INPUT_SIZE,
  measurePrimitives,
  rate,
  report,
  runPhase,
  settleDisk,
  writeInputFile,
} from './bench-support.ts';

const PHASE = path.join(import.meta.dirname, 'ingest-phase.ts');
const { dir, file } = await writeInputFile();
try {
  const primitives = measurePrimitives();
  const env = { AEGLE_BENCH_KEY: randomBytes(32).toString('hex') };
  const dataDir = path.join(dir, 'store');
  const put = await runPhase(PHASE, ['put', file, dataDir], env);
  report('ingest', rate(INPUT_SIZE, put.ms), primitives, put.peakRssMb);
  settleDisk();
  const get = await runPhase(PHASE, ['get', dataDir, String(put.cid)], env);
  report('read', rate(INPUT_SIZE, get.ms), primitives, get.peakRssMb);
} finally {
  await rm(dir, { recursive: true, force: true });
}
