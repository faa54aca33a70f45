// A patient moves nodes: `aegle export --archive` on one real node, `aegle import` of the
// archive on another (its own chain, its own store), and every record reads back byte-exact.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningNode, startNode } from '@aegle/node';
import { writeNodeFile } from '../src/node-file.ts';
import { aegle } from './run-cli.testing.ts';

const fixtures = join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'fixtures');

let home: string;
let env: Record<string, string>;
let first: RunningNode;
let second: RunningNode;
/** The same identity (same AEGLE_HOME), talking to the second node and its chain. */
let onSecond: Record<string, string>;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aegle-cli-fhir-archive-'));
  env = { AEGLE_HOME: home, AEGLE_PASSPHRASE: 'a long test passphrase' };
  [first, second] = await Promise.all([
    startNode({ dataDir: join(home, 'node-a'), port: 0, logFile: false }),
    startNode({ dataDir: join(home, 'node-b'), port: 0, logFile: false }),
  ]);
  const d = first.chain.deployment;
  await writeNodeFile(home, {
    url: first.url,
    rpcUrl: first.chain.rpcUrl,
    dataDir: join(home, 'node-a'),
    pid: process.pid,
    mode: 'embedded',
    deployment: { chainId: d.chainId, deployedAtBlock: d.deployedAtBlock, contracts: d.contracts },
  });
  const deploymentFile = join(home, 'deployment-b.json');
  await writeFile(deploymentFile, JSON.stringify(second.chain.deployment));
  onSecond = {
    ...env,
    AEGLE_NODE: second.url,
    AEGLE_RPC_URL: second.chain.rpcUrl,
    AEGLE_DEPLOYMENT: deploymentFile,
  };
  const created = await aegle(env, 'account', 'create', '--name', 'alice', '--role', 'patient');
  assert.equal(created.code, 0, created.stderr);
  const registered = await aegle(onSecond, 'account', 'register', '--as', 'alice');
  assert.equal(registered.code, 0, registered.stderr);
});
after(async () => {
  await Promise.all([first?.close(), second?.close()]);
  await rm(home, { recursive: true, force: true });
});

async function json(e: Record<string, string>, ...argv: string[]) {
  const run = await aegle(e, ...argv, '--json');
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

async function exportedBundle(e: Record<string, string>) {
  const run = await aegle(e, 'export', '--patient', 'alice', '--as', 'alice');
  assert.equal(run.code, 0, run.stderr);
  const bundle = JSON.parse(run.stdout) as {
    entry: { resource: { resourceType: string; id: string; meta?: object } }[];
  };
  return new Map(
    bundle.entry.map(({ resource: { meta: _, ...r } }) => [`${r.resourceType}/${r.id}`, r]),
  );
}

/** Each restored attachment's content, read from the second node, smallest first. */
async function attachmentBytes(attachments: { id: string }[]): Promise<Buffer[]> {
  const contents: Buffer[] = [];
  for (const [i, a] of attachments.entries()) {
    const out = join(home, `attachment-${Date.now()}-${i}`);
    const got = await aegle(onSecond, 'record', 'get', a.id, '--out', out, '--as', 'alice');
    assert.equal(got.code, 0, got.stderr);
    contents.push(await readFile(out));
  }
  return contents.sort((x, y) => x.length - y.length);
}

test('export --archive on one node, import on another: nothing lost, byte-exact', {
  timeout: 180_000,
}, async () => {
  const dicom = join(fixtures, 'dicom', 'CT_small.dcm');
  const fromDicom = await json(env, 'import', dicom, '--patient', 'alice', '--as', 'alice');
  await json(
    env,
    'import',
    join(fixtures, 'synthea', 'Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json'),
    '--patient',
    'alice',
    '--as',
    'alice',
  );
  const before = await exportedBundle(env);
  assert.equal(before.size, 73 + 2);
  // A record of several archive chunks (1 MiB each), added outside any import.
  const large = join(home, 'scan.bin');
  await writeFile(large, randomBytes(2_500_000));
  const added = await json(env, 'record', 'add', large, '--patient', 'alice', '--as', 'alice');

  const archive = join(home, 'alice.aegle');
  const written = await json(
    env,
    'export',
    '--patient',
    'alice',
    '--archive',
    archive,
    '--as',
    'alice',
  );
  assert.equal(written.count, 73 + 2 + 1 + 1, 'every resource, the DICOM file and the scan');
  // Never plaintext: no FHIR JSON and no resource id, in the file or in its decoded ciphertexts
  // (long strings, so that random bytes cannot match by chance).
  const text = await readFile(archive, 'utf8');
  const lines = text.trim().split('\n');
  assert.equal(JSON.parse(lines[0] as string).version, 2);
  // Version 2: each record line is followed by its ciphertext, in chunk lines (base64 strings).
  const values = lines.slice(1).map((l) => JSON.parse(l) as unknown);
  const scanLine = values.find(
    (v) => (v as { record?: { recordId?: string } }).record?.recordId === added.id,
  ) as { chunks: number; ciphertextSize: number };
  assert.equal(scanLine.chunks, Math.ceil(scanLine.ciphertextSize / 1_048_576));
  assert.ok(scanLine.chunks >= 3);
  const decoded = Buffer.concat(
    values.filter((v) => typeof v === 'string').map((v) => Buffer.from(v, 'base64')),
  ).toString('latin1');
  for (const secret of ['"resourceType"', ...[...before.keys()].map((k) => k.split('/')[1])]) {
    assert.ok(!text.includes(secret as string) && !decoded.includes(secret as string), secret);
  }
  const restored = await json(onSecond, 'import', archive, '--patient', 'alice', '--as', 'alice');
  assert.equal(restored.format, 'aegle-archive');
  assert.equal(restored.records.length, 75);
  assert.equal(restored.attachments.length, 2);
  // The same resources, on a node and chain that never saw them.
  const after = await exportedBundle(onSecond);
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
  for (const [key, resource] of before) assert.deepEqual(after.get(key), resource, key);
  // The DICOM file and the scan come back byte-exact from their new records.
  const originals = [await readFile(dicom), await readFile(large)];
  assert.deepEqual(await attachmentBytes(restored.attachments), originals);
  for (const a of restored.attachments) assert.notEqual(a.id, fromDicom.attachments[0].id);

  // A damaged archive (a line cut off) stores nothing.
  const ids = async () =>
    ((await json(onSecond, 'record', 'list', '--as', 'alice')) as { id: string }[])
      .map((r) => r.id)
      .sort();
  const listed = await ids();
  const cut = join(home, 'cut.aegle');
  await writeFile(cut, text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1));
  const bad = await aegle(onSecond, 'import', cut, '--patient', 'alice', '--as', 'alice');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /cut\.aegle is not a readable Aegle archive: .*truncated/);
  assert.deepEqual(await ids(), listed);

  // An archive in the first format (each ciphertext inline, one line per record) still imports.
  const v1Lines = [JSON.stringify({ ...JSON.parse(lines[0] as string), version: 1 })];
  for (let i = 0; i < values.length; ) {
    const {
      chunks,
      ciphertextSize: _,
      ...record
    } = values[i] as {
      chunks: number;
      ciphertextSize: number;
    };
    const inline = values.slice(i + 1, i + 1 + chunks) as string[];
    const ciphertext = Buffer.concat(inline.map((c) => Buffer.from(c, 'base64'))).toString(
      'base64',
    );
    v1Lines.push(JSON.stringify({ ...record, ciphertext }));
    i += 1 + chunks;
  }
  const v1 = join(home, 'alice-v1.aegle');
  await writeFile(v1, `${v1Lines.join('\n')}\n`);
  const fromV1 = await json(onSecond, 'import', v1, '--patient', 'alice', '--as', 'alice');
  assert.equal(fromV1.records.length, 75);
  assert.equal(fromV1.attachments.length, 2);
  assert.deepEqual(await attachmentBytes(fromV1.attachments), originals);
});
