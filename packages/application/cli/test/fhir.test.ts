// FHIR through the CLI against a real node: validate, import (HL7 v2 and DICOM with its original
// file stored encrypted), export as one Bundle, and a FHIR server over the patient's records.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { FILES_IN_FLIGHT } from '../src/fhir/import-files.ts';
import { runCli } from '../src/run-cli.ts';
import { type CliNode, startCliNode } from './cli-node.testing.ts';
import { aegle } from './run-cli.testing.ts';

const fixtures = join(import.meta.dirname, '..', '..', '..', '..', '..', 'shared', 'fixtures');

let home: string;
let env: Record<string, string>;
let cli: CliNode;

before(async () => {
  cli = await startCliNode('aegle-cli-fhir-');
  ({ home, env } = cli);
});
after(() => cli?.close());

/** The ids of alice's records, as `aegle record list` gives them. */
async function aliceRecordIds(): Promise<Set<string>> {
  const run = await aegle(env, 'record', 'list', '--as', 'alice', '--json');
  assert.equal(run.code, 0, run.stderr);
  return new Set((JSON.parse(run.stdout) as { id: string }[]).map((r) => r.id));
}

test('fhir validate: zero for valid R4, non-zero with the OperationOutcome for invalid', async () => {
  const valid = await aegle(
    env,
    'fhir',
    'validate',
    join(fixtures, 'fhir', 'valid', 'Condition-example.json'),
  );
  assert.equal(valid.code, 0, valid.stderr);
  const invalid = await aegle(
    env,
    'fhir',
    'validate',
    join(fixtures, 'fhir', 'invalid', 'documentreference-empty-array.json'),
  );
  assert.equal(invalid.code, 1);
  const outcome = JSON.parse(invalid.stdout);
  assert.equal(outcome.resourceType, 'OperationOutcome');
  assert.ok(outcome.issue.some((i: { severity: string }) => i.severity === 'error'));
  assert.match(invalid.stderr, /^aegle: the FHIR resource is not valid R4.*\n$/);
});

test('import, export and serve a patient’s FHIR records', { timeout: 120_000 }, async () => {
  const hl7 = await aegle(
    env,
    'import',
    join(fixtures, 'hl7v2', 'ORU-R01-01.hl7'),
    '--patient',
    'alice',
    '--as',
    'alice',
    '--json',
  );
  assert.equal(hl7.code, 0, hl7.stderr);
  const fromHl7 = JSON.parse(hl7.stdout) as { records: { id: string; resourceType: string }[] };
  assert.ok(fromHl7.records.length > 0);

  const dicom = await aegle(
    env,
    'import',
    join(fixtures, 'dicom', 'CT_small.dcm'),
    '--patient',
    'alice',
    '--as',
    'alice',
    '--json',
  );
  assert.equal(dicom.code, 0, dicom.stderr);
  const fromDicom = JSON.parse(dicom.stdout) as {
    records: { resourceType: string; fhirId: string }[];
    attachments: { id: string }[];
  };
  assert.equal(fromDicom.attachments.length, 1, 'the DICOM file itself is stored encrypted');
  // The original file comes back byte-exact from its own record.
  const original = join(home, 'ct.dcm');
  const got = await aegle(
    env,
    'record',
    'get',
    fromDicom.attachments[0]?.id as string,
    '--out',
    original,
    '--as',
    'alice',
  );
  assert.equal(got.code, 0, got.stderr);
  assert.deepEqual(
    await readFile(original),
    await readFile(join(fixtures, 'dicom', 'CT_small.dcm')),
  );

  const exported = await aegle(env, 'export', '--patient', 'alice', '--as', 'alice');
  assert.equal(exported.code, 0, exported.stderr);
  const bundle = JSON.parse(exported.stdout);
  assert.equal(bundle.resourceType, 'Bundle');
  assert.equal(bundle.total, fromHl7.records.length + fromDicom.records.length);
  // The DocumentReference points at the stored original by its record id.
  const document = bundle.entry.find(
    (e: { resource: { resourceType: string } }) => e.resource.resourceType === 'DocumentReference',
  );
  assert.ok(
    JSON.stringify(document.resource).includes(`aegle:record:${fromDicom.attachments[0]?.id}`),
  );

  // fhir serve: a FHIR server until stopped.
  const stdout = new PassThrough();
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const serving = runCli(['fhir', 'serve', '--as', 'alice', '--json'], {
    stdout,
    stderr: new PassThrough(),
    stdin: Readable.from([]),
    env,
    isTTY: false,
    waitForStop: () => stopped,
  });
  const [line] = (await new Promise<Buffer>((resolve) => stdout.once('data', resolve)))
    .toString()
    .split('\n');
  const { url } = JSON.parse(line as string) as { url: string };
  try {
    const search = await fetch(`${url}/ImagingStudy`, {
      headers: { accept: 'application/fhir+json' },
    });
    assert.equal(search.status, 200);
    const found = (await search.json()) as { total: number; entry: { resource: { id: string } }[] };
    assert.equal(found.total, 1);
    const id = found.entry[0]?.resource.id;
    const read = await fetch(`${url}/ImagingStudy/${id}`);
    assert.equal(read.status, 200);
    assert.equal(((await read.json()) as { id: string }).id, id);
    assert.equal((await fetch(`${url}/ImagingStudy/does-not-exist`)).status, 404);

    // A transaction: its entries are stored together (one import, one manifest) and served.
    const transaction = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: ['first', 'second'].map((text, i) => ({
          fullUrl: `urn:uuid:0000000${i}-0000-4000-8000-000000000000`,
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { coding: [{ system: 'urn:test', code: text }] },
          },
          request: { method: 'POST', url: 'Observation' },
        })),
      }),
    });
    assert.equal(transaction.status, 200, await transaction.clone().text());
    const response = (await transaction.json()) as { entry: { response: { status: string } }[] };
    assert.deepEqual(
      response.entry.map((e) => e.response.status),
      ['201 Created', '201 Created'],
    );
    const observations = (await (
      await fetch(`${url}/Observation?code=urn:test|second`, {
        headers: { accept: 'application/fhir+json' },
      })
    ).json()) as { total: number };
    assert.equal(observations.total, 1);
  } finally {
    stop();
    assert.equal(await serving, 0);
  }
});

test('bad input: a clear error naming the file, and nothing stored', {
  timeout: 60_000,
}, async () => {
  const ids = async () => [...(await aliceRecordIds())].sort();
  const listed = await ids();
  const synthea = await readFile(
    join(fixtures, 'synthea', 'Clemente_Kreiger_1484a42d-0eaf-4654-9cbf-6b050a5cd73b.json'),
    'utf8',
  );
  const truncated = join(home, 'truncated.json');
  await writeFile(truncated, synthea.slice(0, Math.floor(synthea.length / 2)));
  const unknown = join(home, 'notes.txt');
  await writeFile(unknown, 'Dear doctor,\nthe results are attached.\n');
  const hl7 = await readFile(join(fixtures, 'hl7v2', 'ADT-A01-02.hl7'), 'utf8');
  const brokenMsh = join(home, 'broken-msh.hl7');
  // MSH-2 (the encoding characters) cut: the message cannot be parsed.
  await writeFile(brokenMsh, hl7.replace(/^MSH\|[^|]*\|/, 'MSH|^|'));
  const cases: [string, RegExp][] = [
    [truncated, /^aegle: .*truncated\.json.*(ends|truncat|cut)/i],
    [unknown, /^aegle: .*notes\.txt.*(format|recogni)/i],
    [brokenMsh, /^aegle: .*broken-msh\.hl7.*MSH/],
  ];
  for (const [file, message] of cases) {
    const run = await aegle(env, 'import', file, '--patient', 'alice', '--as', 'alice');
    assert.equal(run.code, 1, file);
    assert.match(run.stderr, message);
    assert.equal(run.stdout, '');
  }
  assert.deepEqual(await ids(), listed, 'the record list is unchanged');
});

test('import shows progress on a terminal only', { timeout: 60_000 }, async () => {
  const file = join(fixtures, 'vcf', 'vcf_file.vcf');
  const run = async (isTTY: boolean) => {
    const stderr = new PassThrough();
    const err: Buffer[] = [];
    stderr.on('data', (b: Buffer) => err.push(b));
    const stdout = new PassThrough();
    stdout.resume();
    const code = await runCli(['import', file, '--patient', 'alice', '--as', 'alice'], {
      stdout,
      stderr,
      stdin: Readable.from([]),
      env,
      isTTY,
    });
    assert.equal(code, 0, Buffer.concat(err).toString());
    return Buffer.concat(err).toString();
  };
  const onTerminal = await run(true);
  assert.match(onTerminal, /\rimporting vcf_file\.vcf \d+\/36 records/);
  assert.match(onTerminal, /36\/36 records/);
  assert.equal(await run(false), '', 'nothing extra when piped');
});

test('import of several files: each its own import, all or nothing per file, results in order', {
  timeout: 120_000,
}, async () => {
  const ids = aliceRecordIds;
  const files = ['ADT-A01-02.hl7', 'ORU-R01-01.hl7', 'ADT-A04-02.hl7'].map((f) =>
    join(fixtures, 'hl7v2', f),
  );
  const before = await ids();
  const run = await aegle(env, 'import', ...files, '--patient', 'alice', '--as', 'alice', '--json');
  assert.equal(run.code, 0, run.stderr);
  const imported = JSON.parse(run.stdout) as {
    file: string;
    importId: string;
    manifest: string;
    records: { id: string; resourceType: string }[];
  }[];
  assert.deepEqual(
    imported.map((i) => i.file),
    files,
  );
  assert.equal(new Set(imported.map((i) => i.importId)).size, 3, 'three imports');
  assert.ok(imported.every((i) => i.records.some((r) => r.resourceType === 'Patient')));
  assert.ok(imported[1]?.records.some((r) => r.resourceType === 'Observation'));
  const after = await ids();
  const written = imported.flatMap((i) => [i.manifest, ...i.records.map((r) => r.id)]);
  assert.deepEqual(
    [...after].filter((id) => !before.has(id)).sort(),
    written.sort(),
    'exactly the records each import names',
  );

  // A bad file among good ones: the good files in flight beside it are imported, the bad one
  // leaves nothing, the file after them is not started; the error says which is which.
  const unknown = join(home, 'letter.txt');
  await writeFile(unknown, 'Dear doctor,\nthe results are attached.\n');
  const good = ['SIU-S12-01.hl7', 'ADT-A08-02.hl7', 'MDM-T02-01.hl7']
    .slice(0, FILES_IN_FLIGHT - 1)
    .map((f) => join(fixtures, 'hl7v2', f));
  const notStarted = join(fixtures, 'hl7v2', 'VXU.hl7');
  const listedBefore = await ids();
  const failed = await aegle(
    env,
    'import',
    good[0] as string,
    unknown,
    ...good.slice(1),
    notStarted,
    '--patient',
    'alice',
    '--as',
    'alice',
  );
  assert.equal(failed.code, 1);
  assert.equal(failed.stdout, '');
  const names = good.map((f) => basename(f)).join(', ');
  assert.ok(
    failed.stderr.startsWith('aegle: ') &&
      failed.stderr.includes('letter.txt') &&
      failed.stderr.includes(`(imported: ${names}; 1 file(s) not started)`),
    failed.stderr,
  );
  assert.match(failed.stderr, /import letter\.txt and the files not started/);
  assert.equal(failed.stderr.split('\n').length, 2, 'one line');
  const listedAfter = await ids();
  const added = [...listedAfter].filter((id) => !listedBefore.has(id));
  // The good files' records and manifests, nothing of the others.
  let expected = 0;
  for (const file of good) {
    const again = await aegle(env, 'import', file, '--patient', 'alice', '--as', 'alice', '--json');
    assert.equal(again.code, 0, again.stderr);
    expected += (JSON.parse(again.stdout) as { records: unknown[] }).records.length + 1;
  }
  assert.equal(added.length, expected);
});
