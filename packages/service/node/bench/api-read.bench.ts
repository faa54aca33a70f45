// API read throughput of a node holding 10,000 records, with autocannon as the load generator in a
// second process (both on this machine's cores). The node is startNode's: embedded anvil, chain
// index, permissions read from the index:
//   api-read          permission-checked metadata reads (GET /records/:id) by the patient
//   api-read-audited  the same reads by a grantee: each journaled durably (group commit) before release
// Prints {"bench":"api-read","req_per_s":…,"p99_ms":…} and {"bench":"api-read-audited",…}.
// Targets: ≥5,000 req/s with p99 < 25 ms; ≥2,000 req/s with p99 < 50 ms.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { indexDatabasePath, openIndexDatabase } from '@aegle/chain';
import { bytes32Label, Role } from '@aegle/contracts';
import { bytesToHex, type Hex } from 'viem';
import { startNode } from '../src/start-node.ts';
import { FAST_OUTBOX, grant, register } from '../test/chain-harness.ts';
import { CHAIN_ID, DOMAIN, newAccount, signIn } from '../test/node-harness.ts';

const RECORDS = 10_000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const run = promisify(execFile);

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'aegle-bench-api-'));
// The whole node as `aegle node start` runs it: embedded anvil, chain index, permissions from the
// index (the grantee's reads are checked against a real, relayed category grant).
const running = await startNode({
  dataDir,
  domain: DOMAIN,
  logFile: false,
  indexPollMs: 100,
  node: {
    signIn: { domain: DOMAIN, chainId: CHAIN_ID, sessionTtlMs: 3600_000 },
    storage: { replicationFactor: 1 },
    outbox: FAST_OUTBOX,
    http: { rateLimit: { max: 10_000_000, timeWindowMs: 60_000 }, closeGraceMs: 100 },
  },
});
const node = running.node;
try {
  const patient = newAccount();
  const grantee = newAccount();
  const category = bytes32Label('Observation');
  const patientToken = await signIn(node.url, patient);
  const granteeToken = await signIn(node.url, grantee);
  await register(running, patientToken, patient, Role.Patient);
  await register(running, granteeToken, grantee, Role.Provider);
  const granted = await grant(running, patientToken, patient, {
    patient: patient.address,
    grantee: grantee.address,
    scope: 'category',
    target: category,
    purpose: bytes32Label('treatment'),
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  });
  if (granted.state !== 'confirmed') throw new Error('the bench grant did not land');

  // Seed through the logic layer (metadata, wrapped keys and anchor intents; no content): one
  // transaction per record as uploads make, with fsync off for the seeding only.
  const { catalog, db, outbox } = node.context;
  db.exec('PRAGMA synchronous = OFF');
  const ids: Hex[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const recordId = bytesToHex(randomBytes(32));
    ids.push(recordId);
    const zero = `0x${'00'.repeat(32)}` as Hex;
    catalog.add({
      recordId,
      patient: patient.address,
      creator: patient.address,
      category,
      cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy',
      size: 1000 + i,
      wrappedKeys: [
        { recipient: patient.address, wrappedKey: randomBytes(120) },
        { recipient: grantee.address, wrappedKey: randomBytes(120) },
      ],
      entry: {
        recordId,
        patient: patient.address,
        creator: patient.address,
        contentRoot: bytesToHex(randomBytes(32)),
        metadataHash: zero,
        category,
        supersedes: zero,
        nonce: String(i),
        signedAt: String(Math.floor(Date.now() / 1000)),
        signature: bytesToHex(randomBytes(65)),
      },
    });
  }
  db.exec('PRAGMA synchronous = FULL');
  node.worker.wake();
  // Anchor batches of the seed are built and "confirmed" before measuring.
  while (outbox.depth().pending + outbox.depth().submitted > 0)
    await new Promise((r) => setTimeout(r, 50));
  // …and indexed, their entry lists loaded from the store, so no background work runs while measuring.
  const indexDb = openIndexDatabase(indexDatabasePath(dataDir));
  const unloaded = () =>
    (
      indexDb.prepare('SELECT count(*) AS n FROM batches WHERE entries_loaded = 0').get() as {
        n: number;
      }
    ).n;
  const loaded = () =>
    (indexDb.prepare('SELECT count(*) AS n FROM batch_entries').get() as { n: number }).n;
  while (unloaded() > 0 || loaded() < RECORDS) await new Promise((r) => setTimeout(r, 100));
  indexDb.close();

  const paths = ids.map((id) => `/records/${id}`);
  for (const [bench, account] of [
    ['api-read', patient],
    ['api-read-audited', grantee],
  ] as const) {
    const token = account === patient ? patientToken : granteeToken;
    const before = bench === 'api-read-audited' ? countAudit() : 0;
    const job = { url: node.url, token, paths, connections: CONNECTIONS, durationS: DURATION_S };
    const profile = process.env.BENCH_PROFILE === bench ? await startProfile() : undefined;
    const jobFile = path.join(dataDir, `${bench}.job.json`);
    await writeFile(jobFile, JSON.stringify(job));
    const { stdout } = await run(
      process.execPath,
      [path.join(import.meta.dirname, 'autocannon-load.ts'), jobFile],
      {
        maxBuffer: 1 << 20,
      },
    );
    if (profile) await writeFile(`/tmp/${bench}.cpuprofile`, JSON.stringify(await profile()));
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      req_per_s: number;
      p99_ms: number;
      non2xx: number;
      errors: number;
    };
    if (result.non2xx > 0 || result.errors > 0)
      console.error(`${bench}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    const line: Record<string, unknown> = {
      bench,
      req_per_s: Math.round(result.req_per_s),
      p99_ms: result.p99_ms,
    };
    if (bench === 'api-read-audited') line.audit_entries = countAudit() - before;
    console.log(JSON.stringify(line));
  }
} finally {
  await running.close();
  await rm(dataDir, { recursive: true, force: true });
}

/** BENCH_PROFILE=<bench> writes a CPU profile of the node during that run to /tmp/<bench>.cpuprofile. */
async function startProfile(): Promise<() => Promise<unknown>> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    return profile;
  };
}

function countAudit(): number {
  return Number(
    (node.context.db.prepare('SELECT count(*) AS n FROM audit_entries').get() as { n: number }).n,
  );
}
