// convertToFhir, the import entry point, on every shared fixture and on bad input.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { TruncatedInputError, UnknownFormatError } from '../detect/errors.ts';
import { FhirValidationError } from '../validate/fhir-validation-error.ts';
import { validateResource } from '../validate/validate-resource.ts';
import {
  attachmentPlaceholder,
  fillAttachmentUrls,
  parseAttachmentPlaceholder,
} from './attachment.ts';
import { type ConvertToFhirResult, convertToFhir } from './convert-to-fhir.ts';
import { SOURCE_FILE_EXTENSION } from './dicom/convert-dicom.ts';
import {
  ConversionError,
  DeviceDataError,
  DicomParseError,
  Hl7ParseError,
  VcfParseError,
} from './errors.ts';
import type { Resource } from './fhir-types.ts';
import { at, FIXTURES } from './test-support.ts';

const NOW = new Date('2026-01-02T03:04:05Z');
const OPTIONS = { now: NOW, utcOffset: '+01:00' };
const dir = mkdtempSync(join(tmpdir(), 'aegle-convert-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FOLDERS: [string, string][] = [
  ['fhir/valid', ''],
  ['synthea', 'fhir-bundle'],
  ['hl7v2', 'hl7v2'],
  ['dicom', 'dicom'],
  ['vcf', 'vcf'],
  ['device/apple-health', 'apple-health-xml'],
  ['device/fitbit', 'fitbit-json'],
  ['device/withings', 'withings-json'],
  ['device/openmhealth', 'openmhealth-json'],
];

/** Every `Type/id` reference of the resources names one of them (outside ones are absolute). */
function assertReferencesResolve(result: ConvertToFhirResult): void {
  const keys = new Set(result.resources.map((r) => `${r.resourceType}/${r.id}`));
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'reference' && typeof inner === 'string') {
          assert.ok(!inner.startsWith('urn:uuid:'), `${inner} left as a urn:uuid`);
          if (!inner.startsWith('#') && /^[A-Z][A-Za-z]+\/[^/]+$/.test(inner))
            assert.ok(keys.has(inner), `${inner} does not resolve`);
        } else visit(inner);
      }
    }
  };
  result.resources.forEach(visit);
}

describe('convertToFhir on every fixture, from a path and from bytes', () => {
  for (const [folder, format] of FOLDERS) {
    const files = readdirSync(`${FIXTURES}${folder}`).sort();
    test(`${folder} (${files.length} files)`, async () => {
      for (const name of files) {
        const path = `${FIXTURES}${folder}/${name}`;
        const fromPath = await convertToFhir(path, OPTIONS);
        const fromBytes = await convertToFhir(readFileSync(path), { ...OPTIONS, sourceName: name });
        const expected = format || (name.startsWith('Bundle-') ? 'fhir-bundle' : 'fhir-json');
        assert.equal(fromPath.format, expected, name);
        assert.equal(fromBytes.format, expected, name);
        assert.ok(fromPath.resources.length > 0, name);
        for (const resource of fromPath.resources) {
          assert.ok(validateResource(resource).valid, `${name}: ${resource.resourceType}`);
          assert.equal(typeof resource.id, 'string');
        }
        // HL7's examples point at resources they do not include; everything else is whole.
        if (folder !== 'fhir/valid') assertReferencesResolve(fromPath);
        assert.deepEqual(fromBytes.resources, fromPath.resources, name);
        assert.deepEqual(fromBytes.skipped, fromPath.skipped, name);
        assert.deepEqual(
          fromBytes.attachments.map(({ bytes: _, ...rest }) => rest),
          fromPath.attachments.map(({ path: _, ...rest }) => rest),
        );
      }
    });
  }

  test('a file: URL works like a path', async () => {
    const url = pathToFileURL(`${FIXTURES}hl7v2/VXU.hl7`);
    const result = await convertToFhir(url, OPTIONS);
    assert.equal(result.format, 'hl7v2');
  });

  test('JSON after a byte-order mark and many blank lines is read as JSON, whole', async () => {
    const patient = { resourceType: 'Patient', id: 'blank-lines', gender: 'female' };
    const bytes = new TextEncoder().encode(`\uFEFF${'\n'.repeat(40)}${JSON.stringify(patient)}`);
    const file = join(dir, 'blank-lines.json');
    writeFileSync(file, bytes);
    for (const input of [file, bytes]) {
      const result = await convertToFhir(input, OPTIONS);
      assert.equal(result.format, 'fhir-json');
      assert.deepEqual(result.resources, [patient]);
    }
  });
});

describe('what convertToFhir returns', () => {
  test('HL7 v2: Type/id references, one Provenance naming every resource and MSH-10', async () => {
    const result = await convertToFhir(
      `${FIXTURES}hl7v2/ORU_R01_2.5.1_SampleTestCase6.hl7`,
      OPTIONS,
    );
    const provenance = result.resources.find((r) => r.resourceType === 'Provenance') as Resource;
    const others = result.resources.filter((r) => r !== provenance);
    assert.deepEqual(
      provenance.target,
      others.map((r) => ({ reference: `${r.resourceType}/${r.id}` })),
    );
    assert.equal(
      at(provenance, 'entity', 0, 'what', 'identifier', 'value'),
      'NIST-100929111015653',
    );
  });

  test('DICOM: the file as an attachment with a placeholder the study and its DocumentReference use', async () => {
    const path = `${FIXTURES}dicom/US1_J2KI.dcm`;
    const bytes = readFileSync(path);
    const result = await convertToFhir(path);
    const [attachment] = result.attachments;
    assert.ok(attachment);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    assert.deepEqual(
      { ...attachment },
      {
        name: 'US1_J2KI.dcm',
        contentType: 'application/dicom',
        size: bytes.length,
        sha256,
        url: `urn:aegle:attachment:sha256:${sha256}`,
        path,
      },
    );
    assert.equal(parseAttachmentPlaceholder(attachment.url), sha256);
    const study = result.resources.find((r) => r.resourceType === 'ImagingStudy') as Resource;
    const document = result.resources.find(
      (r) => r.resourceType === 'DocumentReference',
    ) as Resource;
    assert.deepEqual(study.extension, [
      {
        url: SOURCE_FILE_EXTENSION,
        valueReference: { reference: `DocumentReference/${document.id}` },
      },
    ]);
    assert.deepEqual(at(document, 'context', 'related'), [
      { reference: `ImagingStudy/${study.id}` },
    ]);
    assert.deepEqual(at(document, 'content', 0, 'attachment'), {
      contentType: 'application/dicom',
      url: attachment.url,
      size: bytes.length,
      hash: createHash('sha1').update(bytes).digest('base64'),
    });
    // The storage layer fills the placeholder in once the file is stored.
    const filled = fillAttachmentUrls(result.resources, { [attachment.url]: 'ipfs://bafyexample' });
    const filledDocument = filled.find((r) => r.resourceType === 'DocumentReference');
    assert.equal(at(filledDocument, 'content', 0, 'attachment', 'url'), 'ipfs://bafyexample');
    assert.equal(
      at(document, 'content', 0, 'attachment', 'url'),
      attachment.url,
      'input unchanged',
    );
    assert.throws(() => fillAttachmentUrls(result.resources, {}), TypeError);
  });

  test('VCF: every variant Observation is derivedFrom the DocumentReference of the file', async () => {
    const path = `${FIXTURES}vcf/NB6TK328_filtered.vcf`;
    const bytes = readFileSync(path);
    const subject = { reference: 'Patient/me' };
    for (const [input, contentType] of [
      [bytes, 'text/x-vcf'],
      [gzipSync(bytes), 'application/gzip'],
    ] as const) {
      const result = await convertToFhir(input, { subject, sourceName: 'NB6TK328.vcf' });
      const document = result.resources[0] as Resource;
      assert.equal(document.resourceType, 'DocumentReference');
      const observations = result.resources.slice(1);
      assert.equal(observations.length, 5);
      for (const o of observations) {
        assert.deepEqual(o.derivedFrom, [{ reference: `DocumentReference/${document.id}` }]);
        assert.deepEqual(o.subject, subject);
      }
      const [attachment] = result.attachments;
      assert.equal(attachment?.contentType, contentType);
      assert.equal(attachment?.size, input.length);
      assert.equal(
        attachment?.url,
        attachmentPlaceholder(createHash('sha256').update(input).digest('hex')),
      );
      assert.equal(at(document, 'content', 0, 'attachment', 'url'), attachment?.url);
      assert.equal(at(document, 'content', 0, 'attachment', 'title'), 'NB6TK328.vcf');
    }
  });

  test('progress is reported while a file is read', async () => {
    const path = `${FIXTURES}device/apple-health/export6s3sample.xml`;
    const seen: number[] = [];
    await convertToFhir(path, {
      onProgress: ({ bytesRead, totalBytes }) => seen.push(bytesRead / totalBytes),
    });
    assert.ok(seen.length >= 1);
    assert.equal(seen.at(-1), 1);
  });
});

describe('bad input: a clear typed error, and no result', () => {
  function write(name: string, content: Uint8Array | string): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }
  async function rejects(
    path: string,
    type: new (...args: never[]) => Error,
    name: string,
    reason: RegExp,
    options = {},
  ): Promise<void> {
    await assert.rejects(convertToFhir(path, options), (error: unknown) => {
      assert.ok(error instanceof type, `${path}: ${String(error)}`);
      const typed = error as Error & { hint?: string };
      assert.equal(typed.name, name);
      assert.match(typed.message, reason);
      assert.ok(typed.message.includes(path.split('/').at(-1) as string), 'names the file');
      assert.ok(typeof typed.hint === 'string' && typed.hint.length > 10, 'has a hint');
      return true;
    });
  }

  test('truncated JSON (a Synthea patient cut in half)', async () => {
    const bytes = readFileSync(
      `${FIXTURES}synthea/Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json`,
    );
    const path = write('liz.json', bytes.subarray(0, bytes.length >> 1));
    await rejects(
      path,
      TruncatedInputError,
      'TruncatedInputError',
      /looks like JSON but is truncated/,
    );
  });

  test('truncated DICOM (cut inside the pixel data, and inside the header)', async () => {
    const bytes = readFileSync(`${FIXTURES}dicom/RG3_J2KI.dcm`);
    const inPixels = write('rg3-pixels.dcm', bytes.subarray(0, bytes.length - 5000));
    await rejects(
      inPixels,
      DicomParseError,
      'DicomParseError',
      /at tag \(7FE0,0010\): the file ends inside or after the pixel data \(truncated\)/,
    );
    const inHeader = write('rg3-header.dcm', bytes.subarray(0, 700));
    await rejects(inHeader, DicomParseError, 'DicomParseError', /truncated/);
  });

  test('truncated VCF (cut inside the last record, and a cut gzip stream)', async () => {
    const text = readFileSync(`${FIXTURES}vcf/vcf_file.vcf`, 'utf8');
    const path = write('cut.vcf', text.slice(0, text.length - 40));
    await rejects(path, VcfParseError, 'VcfParseError', /at line \d+: .*truncated/);
    const gz = gzipSync(Buffer.from(text));
    await rejects(
      write('cut.vcf.gz', gz.subarray(0, gz.length - 30)),
      VcfParseError,
      'VcfParseError',
      /cut short/,
    );
  });

  test('a file in no known format', async () => {
    await rejects(
      write('photo.json', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46])),
      UnknownFormatError,
      'UnknownFormatError',
      /in no format Aegle can import/,
    );
  });

  test('an HL7 message with a broken MSH', async () => {
    const message = readFileSync(`${FIXTURES}hl7v2/ADT-A01-02.hl7`, 'utf8');
    await rejects(
      write('adt-msh2.hl7', message.replace('MSH|^~\\&|', 'MSH|^^\\&|')),
      Hl7ParseError,
      'Hl7ParseError',
      /at MSH-2: /,
    );
    await rejects(
      write('adt-msh9.hl7', message.replace('|ADT^A01^ADT_A01|', '||')),
      Hl7ParseError,
      'Hl7ParseError',
      /at MSH-9: MSH-9 \(message type\) is empty/,
    );
  });

  test('invalid FHIR: FhirValidationError with the OperationOutcome', async () => {
    const path = `${FIXTURES}fhir/invalid/observation-missing-required-status.json`;
    await rejects(
      path,
      FhirValidationError,
      'FhirValidationError',
      /Observation\.status: Missing required element/,
    );
    const bundle = JSON.parse(
      readFileSync(`${FIXTURES}synthea/Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json`, 'utf8'),
    );
    bundle.entry[5].resource.status = 'not-a-status';
    await assert.rejects(
      convertToFhir(Buffer.from(JSON.stringify(bundle)), { sourceName: 'liz.json' }),
      (error: unknown) => {
        assert.ok(error instanceof FhirValidationError);
        assert.equal(error.file, 'liz.json');
        assert.match(
          String(error.outcome.issue[0]?.expression?.[0]),
          /^Bundle\.entry\[5\]\.resource\.status$/,
        );
        return true;
      },
    );
  });

  test('device data that cannot be placed in time, and a faulty CSV line', async () => {
    await rejects(
      `${FIXTURES}device/fitbit/fitbit-sleep-date.json`,
      DeviceDataError,
      'DeviceDataError',
      /utcOffset/,
      {},
    );
    const csv = write(
      'readings.csv',
      'timestamp,type,value,unit\n2024-03-01T08:30:00Z,heart-rate,72,bpm\n2024-03-01T08:31:00Z,heart-rate,abc,bpm\n',
    );
    await rejects(
      csv,
      DeviceDataError,
      'DeviceDataError',
      /at line 3: the value is not a decimal number/,
    );
  });

  test('every error above is a ConversionError or one of the detection/validation errors', () => {
    for (const type of [Hl7ParseError, DicomParseError, VcfParseError, DeviceDataError])
      assert.ok(type.prototype instanceof ConversionError);
  });
});
