// The whole journey of issue 6, through the `aegle` command as users type it: a real node (its own
// process, embedded anvil) in a fresh directory, real keystores, a 50 MB file, and the chain as
// the reference for anchors and the audit trail.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { type NodeProcess, startNodeProcess } from './node-process.testing.ts';
import { aegle, type CliResult } from './run-cli.testing.ts';

const IMAGING_BYTES = 50 * 1024 * 1024;
const observationMarker = `obs-marker-${randomBytes(12).toString('hex')}`;
const imagingMarker = `img-marker-${randomBytes(12).toString('hex')}`;

let home: string;
let env: Record<string, string>;
let node: NodeProcess | undefined;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aegle-journey-'));
  env = { AEGLE_HOME: home, AEGLE_PASSPHRASE: 'journey passphrase, long enough' };
});
after(async () => {
  await node?.stop();
  await rm(home, { recursive: true, force: true });
});

function ok(result: CliResult, what: string): CliResult {
  assert.equal(result.code, 0, `${what}: ${result.stderr}`);
  return result;
}
const json = <T>(result: CliResult, what: string): T => JSON.parse(ok(result, what).stdout) as T;

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every file under `dir`. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Whether `needle` occurs in the file, read in chunks (with overlap across chunk edges). */
async function fileContains(file: string, needle: Buffer): Promise<boolean> {
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const window = Buffer.concat([tail, chunk as Buffer]);
    if (window.includes(needle)) return true;
    tail = window.subarray(Math.max(0, window.length - needle.length + 1));
  }
  return false;
}

test('the patient, provider and guardian journey, end to end', { timeout: 600_000 }, async () => {
  // 1. An embedded node in a fresh directory.
  node = await startNodeProcess(env);
  assert.match(node.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const status = json<{ status: string }>(
    await aegle(env, 'node', 'status', '--json'),
    'node status',
  );
  assert.ok(status.status);

  // 2. Accounts (each registered on chain as it is created); the authority certifies kim.
  const people: [string, string][] = [
    ['authority', 'authority'],
    ['alice', 'patient'],
    ['kim', 'provider'],
    ['lee', 'provider'],
    ['bob', 'patient'],
  ];
  for (const [name, role] of people) {
    const created = json<{ registered: boolean }>(
      await aegle(env, 'account', 'create', '--name', name, '--role', role, '--json'),
      `account create ${name}`,
    );
    assert.equal(created.registered, true, `${name} registered`);
  }
  ok(await aegle(env, 'authority', 'add', 'authority'), 'authority add');
  ok(await aegle(env, 'certify', 'kim', '--as', 'authority'), 'certify kim');

  // 3. Write: kim writes an Observation and a 50 MB imaging file for alice; lee may not.
  const observationFile = join(home, 'observation.json');
  const observation = {
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'Body temperature' },
    subject: { reference: 'Patient/alice' },
    valueString: observationMarker,
  };
  await writeFile(observationFile, JSON.stringify(observation));
  const imagingFile = join(home, 'scan.dcm');
  const imaging = randomBytes(IMAGING_BYTES);
  imaging.write(imagingMarker, 1000);
  imaging.write(imagingMarker, IMAGING_BYTES - 5000);
  await writeFile(imagingFile, imaging);
  const imagingHash = createHash('sha256').update(imaging).digest('hex');

  const obs = json<{ id: string; category: string }>(
    await aegle(
      env,
      'record',
      'add',
      observationFile,
      '--patient',
      'alice',
      '--as',
      'kim',
      '--json',
    ),
    'kim adds the Observation',
  );
  assert.match(obs.id, /^0x[0-9a-f]{64}$/);
  assert.equal(obs.category, 'Observation');
  const img = json<{ id: string; size: number }>(
    await aegle(
      env,
      'record',
      'add',
      imagingFile,
      '--patient',
      'alice',
      '--category',
      'Imaging',
      '--as',
      'kim',
      '--json',
    ),
    'kim adds the imaging file',
  );
  assert.ok(img.size > IMAGING_BYTES, 'ciphertext is stored (larger than the plaintext)');
  const refusedWrite = await aegle(
    env,
    'record',
    'add',
    observationFile,
    '--patient',
    'alice',
    '--as',
    'lee',
  );
  assert.equal(refusedWrite.code, 1);
  assert.match(refusedWrite.stderr, /^aegle: .*may not create records.*\n$/);

  // 4. Read: alice lists and reads both, byte-exact.
  const listed = json<{ id: string; creatorName: string }[]>(
    await aegle(env, 'record', 'list', '--as', 'alice', '--json'),
    'alice lists',
  );
  assert.deepEqual(listed.map((r) => r.id).sort(), [obs.id, img.id].sort());
  assert.ok(listed.every((r) => r.creatorName === 'kim'));
  const obsOut = join(home, 'alice-observation.json');
  ok(
    await aegle(env, 'record', 'get', obs.id, '--out', obsOut, '--as', 'alice'),
    'alice gets the Observation',
  );
  assert.deepEqual(await readFile(obsOut), await readFile(observationFile));
  const imgOut = join(home, 'alice-scan.dcm');
  ok(
    await aegle(env, 'record', 'get', img.id, '--out', imgOut, '--as', 'alice'),
    'alice gets the scan',
  );
  assert.equal((await stat(imgOut)).size, IMAGING_BYTES);
  assert.equal(await sha256File(imgOut), imagingHash);

  // 5. Grant: the Observation to lee, 30 days, for treatment; the scan stays refused.
  const granted = json<{ purpose: string; expiresAt: string }>(
    await aegle(
      env,
      'grant',
      obs.id,
      'lee',
      '--expires',
      '30d',
      '--purpose',
      'treatment',
      '--as',
      'alice',
      '--json',
    ),
    'alice grants lee',
  );
  assert.equal(granted.purpose, 'treatment');
  const days = (Date.parse(granted.expiresAt) - Date.now()) / 86_400_000;
  assert.ok(days > 29.9 && days <= 30, `30 days (${days})`);
  const grantsList = json<{ granteeName: string; purpose: string }[]>(
    await aegle(env, 'grants', '--as', 'alice', '--json'),
    'alice lists grants',
  );
  assert.deepEqual(
    grantsList.map((g) => [g.granteeName, g.purpose]),
    [['lee', 'treatment']],
  );
  const leeOut = join(home, 'lee-observation.json');
  ok(
    await aegle(env, 'record', 'get', obs.id, '--out', leeOut, '--as', 'lee'),
    'lee reads the Observation',
  );
  assert.deepEqual(await readFile(leeOut), await readFile(observationFile));
  const leeScan = await aegle(
    env,
    'record',
    'get',
    img.id,
    '--out',
    join(home, 'lee-scan'),
    '--as',
    'lee',
    '--json',
  );
  assert.equal(leeScan.code, 1);
  assert.equal(JSON.parse(leeScan.stderr).error.name, 'NotGrantedError');

  // 6. Audit: lee's read, with time and purpose, verified against the chain.
  const trail = json<
    {
      readerName: string;
      purpose: string;
      releasedAt: string;
      recordId: string;
      verified: string;
    }[]
  >(await aegle(env, 'audit', '--wait', '--as', 'alice', '--json'), 'alice reads her audit trail');
  const leeRead = trail.find((e) => e.readerName === 'lee' && e.recordId === obs.id);
  assert.ok(leeRead, 'lee’s read is in the trail');
  assert.equal(leeRead.purpose, 'treatment');
  assert.ok(Math.abs(Date.parse(leeRead.releasedAt) - Date.now()) < 3_600_000, 'a plausible time');
  assert.ok(
    trail.every((e) => e.verified === 'verified'),
    JSON.stringify(trail),
  );

  // 7. Revoke: lee is refused.
  ok(await aegle(env, 'revoke', obs.id, 'lee', '--as', 'alice'), 'alice revokes');
  const afterRevoke = await aegle(
    env,
    'record',
    'get',
    obs.id,
    '--out',
    join(home, 'x'),
    '--as',
    'lee',
    '--json',
  );
  assert.equal(afterRevoke.code, 1);
  assert.equal(JSON.parse(afterRevoke.stderr).error.name, 'NotGrantedError');
  assert.deepEqual(
    json<unknown[]>(await aegle(env, 'grants', '--as', 'alice', '--json'), 'grants'),
    [],
  );

  // 8. Guardian: alice names bob; bob grants lee the Observation category on her behalf.
  ok(await aegle(env, 'guardian', 'add', 'bob', '--as', 'alice'), 'alice names bob');
  // The node releases alice's records to her guardian (audited, purpose "guardian"), so bob
  // re-wraps the existing Observation's key for lee: nothing is skipped.
  const bobGrant = json<{ keysWrapped: number; skipped: string[] }>(
    await aegle(
      env,
      'grant',
      '--category',
      'Observation',
      'lee',
      '--purpose',
      'referral',
      '--as',
      'bob',
      '--on-behalf-of',
      'alice',
      '--json',
    ),
    'bob grants for alice',
  );
  assert.deepEqual(bobGrant.skipped, []);
  assert.equal(bobGrant.keysWrapped, 1);
  ok(
    await aegle(env, 'record', 'get', obs.id, '--out', leeOut, '--as', 'lee'),
    'lee reads the existing Observation under bob’s grant',
  );
  assert.deepEqual(await readFile(leeOut), await readFile(observationFile));
  const byBob = json<{ granteeName: string; byName: string; purpose: string }[]>(
    await aegle(env, 'grants', '--as', 'alice', '--json'),
    'grants after bob',
  );
  assert.deepEqual(
    byBob.map((g) => [g.granteeName, g.byName, g.purpose]),
    [['lee', 'bob', 'referral']],
  );
  // The category grant covers what is written later: kim's next Observation is wrapped for lee.
  const laterFile = join(home, 'later-observation.json');
  await writeFile(
    laterFile,
    JSON.stringify({ ...observation, valueString: `${observationMarker}-2` }),
  );
  const later = json<{ id: string }>(
    await aegle(env, 'record', 'add', laterFile, '--patient', 'alice', '--as', 'kim', '--json'),
    'kim adds a later Observation',
  );
  ok(
    await aegle(env, 'record', 'get', later.id, '--out', leeOut, '--as', 'lee'),
    'lee reads under bob’s grant',
  );
  assert.deepEqual(await readFile(leeOut), await readFile(laterFile));
  // bob, as guardian, sees alice's records.
  const bobList = json<{ id: string }[]>(
    await aegle(env, 'record', 'list', '--as', 'bob', '--on-behalf-of', 'alice', '--json'),
    'bob lists for alice',
  );
  assert.equal(bobList.length, 3);

  // Both records' anchors verify against the chain.
  for (const id of [obs.id, img.id]) {
    const verified = json<{ anchor: string }>(
      await aegle(env, 'record', 'verify', id, '--wait', '--as', 'alice', '--json'),
      'record verify',
    );
    assert.equal(verified.anchor, 'verified');
  }

  // 9. Restart: everything is still there and still verifies.
  assert.equal(await node.stop(), 0, 'the node stops cleanly on SIGTERM');
  node = await startNodeProcess(env);
  const relisted = json<{ id: string }[]>(
    await aegle(env, 'record', 'list', '--as', 'alice', '--json'),
    'list after restart',
  );
  assert.deepEqual(relisted.map((r) => r.id).sort(), [obs.id, img.id, later.id].sort());
  ok(
    await aegle(env, 'record', 'get', img.id, '--out', imgOut, '--as', 'alice'),
    'scan after restart',
  );
  assert.equal(await sha256File(imgOut), imagingHash);
  for (const id of [obs.id, img.id]) {
    const verified = json<{ anchor: string }>(
      await aegle(env, 'record', 'verify', id, '--as', 'alice', '--json'),
      'verify after restart',
    );
    assert.equal(verified.anchor, 'verified');
  }
  const trailAfter = json<{ verified: string }[]>(
    await aegle(env, 'audit', '--wait', '--as', 'alice', '--json'),
    'audit after restart',
  );
  assert.ok(trailAfter.length >= trail.length);
  assert.ok(trailAfter.every((e) => e.verified === 'verified'));

  // 10. The operator's view: no plaintext in the data directory.
  const dataFiles = await filesUnder(join(home, 'node'));
  assert.ok(
    dataFiles.length > 10,
    'the data directory holds the store, the database and the chain',
  );
  for (const marker of [observationMarker, imagingMarker]) {
    for (const file of dataFiles) {
      assert.equal(await fileContains(file, Buffer.from(marker)), false, `${marker} in ${file}`);
    }
  }
  // The check can find a marker: it does in the plaintext that alice downloaded.
  assert.equal(await fileContains(imgOut, Buffer.from(imagingMarker)), true);

  // Quota, and the operator's repair run: with the node stopped, a corrupted copy in one replica
  // and a lost copy in the other are rewritten from the good ones.
  const usage = json<{ storage: { used: number; limit: number } }>(
    await aegle(env, 'store', 'usage', '--as', 'alice', '--json'),
    'store usage',
  );
  assert.ok(usage.storage.used > IMAGING_BYTES && usage.storage.used < usage.storage.limit);
  assert.equal(await node.stop(), 0);
  node = undefined;
  // Block files (the imaging file's leaves); small blocks are rows of each replica's table.
  const blocks = async (dir: string) =>
    (await filesUnder(join(home, 'node', 'store', dir))).filter((f) => f.endsWith('.data'));
  const [corrupt] = await blocks('blocks-primary');
  // Another block than the corrupted one: a block bad in both replicas has no good copy left.
  const lost = (await blocks('blocks-backup')).find((f) => basename(f) !== basename(corrupt ?? ''));
  assert.ok(corrupt && lost);
  const bytes = await readFile(corrupt);
  bytes[0] = (bytes[0] as number) ^ 0xff;
  await writeFile(corrupt, bytes);
  await rm(lost);
  const scrub = json<{
    checked: number;
    repaired: number;
    unrecoverable: string[];
    reclaimed: number;
  }>(await aegle(env, 'store', 'scrub', '--data-dir', join(home, 'node'), '--json'), 'store scrub');
  assert.ok(scrub.checked > 50);
  assert.equal(scrub.repaired, 2);
  assert.deepEqual(scrub.unrecoverable, []);
  // Every block on disk belongs to a record, a batch list or an upload: nothing to reclaim.
  assert.equal(scrub.reclaimed, 0);
  const again = json<{ repaired: number }>(
    await aegle(env, 'store', 'scrub', '--data-dir', join(home, 'node'), '--json'),
    'store scrub again',
  );
  assert.equal(again.repaired, 0);
});
