// Every shared fixture is recognised from its content alone; anything else is refused clearly.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { FIXTURES } from '../convert/test-support.ts';
import { type DetectedFormat, detectFormat } from './detect-format.ts';
import { TruncatedInputError, UnknownFormatError } from './errors.ts';

const FOLDERS: [string, (name: string) => DetectedFormat][] = [
  ['fhir/valid', (name) => (name.startsWith('Bundle-') ? 'fhir-bundle' : 'fhir-json')],
  // Invalid FHIR is still FHIR: detection says so, validation then rejects it.
  ['fhir/invalid', () => 'fhir-json'],
  ['synthea', () => 'fhir-bundle'],
  ['hl7v2', () => 'hl7v2'],
  ['dicom', () => 'dicom'],
  ['vcf', () => 'vcf'],
  ['device/apple-health', () => 'apple-health-xml'],
  ['device/fitbit', () => 'fitbit-json'],
  ['device/withings', () => 'withings-json'],
  ['device/openmhealth', () => 'openmhealth-json'],
];

describe('detectFormat on every fixture', () => {
  for (const [folder, expected] of FOLDERS) {
    const files = readdirSync(`${FIXTURES}${folder}`).sort();
    test(`${folder} (${files.length} files)`, () => {
      assert.ok(files.length > 0);
      for (const name of files) {
        const bytes = readFileSync(`${FIXTURES}${folder}/${name}`);
        // The name is deliberately misleading: only the content counts.
        assert.equal(detectFormat(bytes, { file: 'renamed.txt' }), expected(name), name);
        // Text formats are also recognised from a string.
        if (folder !== 'dicom') assert.equal(detectFormat(bytes.toString('utf8')), expected(name));
      }
    });
  }

  test('the device CSV and compressed VCF', () => {
    assert.equal(
      detectFormat(
        Buffer.from('timestamp,type,value,unit\n2024-03-01T08:30:00Z,heart-rate,72,bpm\n'),
      ),
      'device-csv',
    );
    assert.equal(detectFormat(gzipSync(readFileSync(`${FIXTURES}vcf/vcf_file.vcf`))), 'vcf');
    // A byte-order mark and leading blank lines do not hide the format.
    assert.equal(detectFormat(Buffer.from('\uFEFF\n\n{"resourceType":"Patient"}')), 'fhir-json');
  });
});

describe('detectFormat refuses what it does not know', () => {
  const unknown: [string, Uint8Array | string, RegExp][] = [
    ['empty', new Uint8Array(0), /it is empty/],
    ['whitespace', '  \n\t', /it is empty/],
    [
      'zip archive',
      Buffer.from('PK\u0003\u0004\u0014\u0000\u0000\u0000'),
      /first bytes match no known format/,
    ],
    ['PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n'), /first bytes match no known format/],
    [
      'HTML error page',
      '<!DOCTYPE html><html><body>502</body></html>',
      /XML but not an Apple Health export/,
    ],
    ['plain text', 'Dear doctor,\nplease find attached', /first bytes match no known format/],
    [
      'JSON of another kind',
      '{"name":"x","version":"1.0.0"}',
      /neither FHIR nor a known device export/,
    ],
    ['JSON that is not an object', '[1,2,3]', /holds no object/],
    ['malformed JSON', '{"resourceType": Patient}', /not well-formed JSON/],
    ['gzip of something else', gzipSync(Buffer.from('hello')), /only VCF is read compressed/],
    ['a CSV with other columns', 'date,steps\n2024-01-01,5\n', /first bytes match no known format/],
  ];
  for (const [label, input, reason] of unknown) {
    test(label, () => {
      assert.throws(
        () => detectFormat(input, { file: 'upload.bin' }),
        (error: unknown) => {
          assert.ok(error instanceof UnknownFormatError);
          assert.equal(error.name, 'UnknownFormatError');
          assert.equal(error.file, 'upload.bin');
          assert.match(error.message, /^File "upload\.bin" is in no format Aegle can import: /);
          assert.match(error.message, reason);
          assert.ok(error.hint?.includes('fhir-json'));
          return true;
        },
      );
    });
  }

  test('truncated JSON and a DICOM file cut inside its preamble are TruncatedInputError', () => {
    const bundle = readFileSync(
      `${FIXTURES}synthea/Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json`,
    );
    for (const cut of [10, Math.floor(bundle.length / 2), bundle.length - 3]) {
      assert.throws(
        () => detectFormat(bundle.subarray(0, cut), { file: 'liz.json' }),
        (error: unknown) =>
          error instanceof TruncatedInputError &&
          error.name === 'TruncatedInputError' &&
          error.format === 'JSON' &&
          /^File "liz\.json" looks like JSON but is truncated: /.test(error.message) &&
          typeof error.hint === 'string',
        String(cut),
      );
    }
    // A zeroed preamble (as most writers leave it) with nothing after it. CT_small's preamble
    // holds a few bytes of its own, and a cut inside such a preamble is not recognisable.
    const dicom = readFileSync(`${FIXTURES}dicom/RG3_J2KI.dcm`);
    assert.throws(
      () => detectFormat(dicom.subarray(0, 100)),
      (error: unknown) => error instanceof TruncatedInputError && error.format === 'DICOM',
    );
  });
});
