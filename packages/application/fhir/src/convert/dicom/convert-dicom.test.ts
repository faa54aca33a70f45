// DICOM Part 10 (/work/shared/fixtures/dicom) → Patient, ImagingStudy and the file's
// DocumentReference. Expected values are read from each file with dicom-parser directly, and
// checked against the table in SOURCES.md.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import dicomParser from 'dicom-parser';
import { DicomParseError } from '../errors.ts';
import type { Resource } from '../fhir-types.ts';
import {
  assertReferencesResolve,
  assertValidFhir,
  at,
  fixture,
  resourcesOf,
} from '../test-support.ts';
import { convertDicom, convertDicomInstances, SOURCE_FILE_EXTENSION } from './convert-dicom.ts';
import { readDicom } from './read-dicom.ts';
import { readDicomFile } from './read-dicom-file.ts';

// From SOURCES.md: modality, PatientName, PatientID, BirthDate, Sex, StudyDate.
const KNOWN: Record<string, [string, string, string, string, string, string]> = {
  'CT_small.dcm': ['CT', 'CompressedSamples^CT1', '1CT1', '', 'O', '20040119'],
  'MR_small.dcm': ['MR', 'CompressedSamples^MR1', '4MR1', '', 'F', '20040826'],
  'RG3_J2KI.dcm': ['CR', 'CompressedSamples^RG3', '11RG3', '19790408', 'F', '20040826'],
  'US1_J2KI.dcm': ['US', 'CompressedSamples^US1', '13US1', '', 'M', '20040826'],
  'test-SR.dcm': ['SR', 'Test^S R', '', '', '', ''],
};
const GENDER: Record<string, string> = { M: 'male', F: 'female', O: 'other' };

function tagsOf(bytes: Uint8Array) {
  const dataSet = dicomParser.parseDicom(bytes);
  const get = (tag: string) => dataSet.string(tag)?.trim() ?? '';
  return {
    study: get('x0020000d'),
    series: get('x0020000e'),
    instance: get('x00080018'),
    sopClass: get('x00080016'),
    modality: get('x00080060'),
    name: get('x00100010'),
    id: get('x00100020'),
    birth: get('x00100030'),
    sex: get('x00100040'),
    studyDate: get('x00080020'),
    seriesNumber: get('x00200011'),
    accession: get('x00080050'),
    hasPixels: dataSet.elements.x7fe00010 !== undefined,
  };
}

function one(resources: Resource[], type: string): Resource {
  const list = resources.filter((resource) => resource.resourceType === type);
  assert.equal(list.length, 1, type);
  return list[0] as Resource;
}

describe('convertDicom on every fixture', () => {
  for (const [file, known] of Object.entries(KNOWN)) {
    test(file, () => {
      const bytes = fixture(`dicom/${file}`);
      const tags = tagsOf(bytes);
      const [modality, name, id, birth, sex, studyDate] = known;
      assert.deepEqual(
        [tags.modality, tags.name, tags.id, tags.birth, tags.sex, tags.studyDate],
        known,
        'dicom-parser agrees with SOURCES.md',
      );
      const result = convertDicom({ bytes, attachmentUrl: 'urn:example:stored', file });
      assertValidFhir(result.bundle);
      assertReferencesResolve(result.bundle);
      const resources = result.bundle.entry.map((entry) => entry.resource);
      for (const resource of resources) assertValidFhir(resource);
      const study = one(resources, 'ImagingStudy');
      const patient = one(resources, 'Patient');
      const document = one(resources, 'DocumentReference');

      assert.deepEqual(at(study, 'identifier', 0), {
        system: 'urn:dicom:uid',
        value: `urn:oid:${tags.study}`,
      });
      // AccessionNumber (0008,0050), when the file has one, as an ACSN identifier.
      assert.equal(at(study, 'identifier', 1, 'value'), tags.accession || undefined);
      assert.deepEqual(study.modality, [
        { system: 'http://dicom.nema.org/resources/ontology/DCM', code: modality },
      ]);
      assert.equal(study.numberOfSeries, 1);
      assert.equal(study.numberOfInstances, 1);
      assert.equal(study.status, 'available');
      assert.deepEqual(study.subject, { reference: `urn:uuid:${patient.id}` });
      if (studyDate !== '') {
        const date = `${studyDate.slice(0, 4)}-${studyDate.slice(4, 6)}-${studyDate.slice(6)}`;
        assert.ok(String(study.started).startsWith(date), String(study.started));
      } else assert.equal(study.started, undefined);
      const series = (study.series as Record<string, unknown>[])[0];
      assert.equal(series?.uid, tags.series);
      assert.equal(at(series, 'modality', 'code'), modality);
      assert.equal(series?.numberOfInstances, 1);
      assert.equal(series?.number, Number(tags.seriesNumber));
      assert.deepEqual(at(series, 'instance', 0, 'uid'), tags.instance);
      assert.deepEqual(at(series, 'instance', 0, 'sopClass'), {
        system: 'urn:ietf:rfc:3986',
        code: `urn:oid:${tags.sopClass}`,
      });

      // PN family^given, PatientID, sex, birth date.
      const [family, given] = name.split('^');
      assert.deepEqual(patient.name, [{ use: 'official', family, given: [given] }]);
      assert.deepEqual(patient.identifier, id === '' ? undefined : [{ value: id }]);
      assert.equal(patient.gender, GENDER[sex]);
      assert.equal(
        patient.birthDate,
        birth === '' ? undefined : `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`,
      );

      // The file: a DocumentReference with its size and SHA-1, referenced by the study and back.
      assert.deepEqual(at(document, 'content', 0, 'attachment'), {
        contentType: 'application/dicom',
        url: 'urn:example:stored',
        size: bytes.length,
        hash: createHash('sha1').update(bytes).digest('base64'),
      });
      assert.deepEqual(document.masterIdentifier, {
        system: 'urn:dicom:uid',
        value: `urn:oid:${tags.instance}`,
      });
      assert.deepEqual(at(document, 'context', 'related'), [{ reference: `urn:uuid:${study.id}` }]);
      assert.deepEqual(study.extension, [
        { url: SOURCE_FILE_EXTENSION, valueReference: { reference: `urn:uuid:${document.id}` } },
      ]);
    });
  }
});

describe('several files, one study', () => {
  test('instances of the same study merge into its series; a subject replaces the DICOM patient', () => {
    const bytes = fixture('dicom/MR_small.dcm');
    const tags = readDicom(bytes);
    const second = { ...tags, sopInstanceUid: `${tags.sopInstanceUid}.2`, instanceNumber: 2 };
    const otherSeries = {
      ...tags,
      seriesInstanceUid: `${tags.seriesInstanceUid}.9`,
      sopInstanceUid: `${tags.sopInstanceUid}.3`,
    };
    const result = convertDicomInstances([{ tags }, { tags: second }, { tags: otherSeries }], {
      subject: { reference: 'Patient/p1' },
    });
    const resources = result.bundle.entry.map((entry) => entry.resource);
    assertValidFhir(result.bundle);
    assert.equal(resourcesOf(result.bundle, 'Patient').length, 0);
    const study = one(resources, 'ImagingStudy');
    assert.deepEqual(study.subject, { reference: 'Patient/p1' });
    const series = study.series as Record<string, unknown>[];
    assert.deepEqual(
      series.map((s) => [s.uid, s.numberOfInstances]),
      [
        [tags.seriesInstanceUid, 2],
        [otherSeries.seriesInstanceUid, 1],
      ],
    );
    assert.equal(study.numberOfSeries, 2);
    assert.equal(study.numberOfInstances, 3);
    // Without a stored file, nothing is linked, and that is reported.
    assert.equal(resourcesOf(result.bundle, 'DocumentReference').length, 0);
    assert.equal(study.extension, undefined);
    assert.equal(result.skipped.length, 3);
  });
});

describe('truncated and broken files', () => {
  const dir = mkdtemp(join(tmpdir(), 'aegle-dicom-'));
  after(async () => rmSync(await dir, { recursive: true, force: true }));

  const cases: [string, number][] = [];
  for (const file of ['CT_small.dcm', 'RG3_J2KI.dcm', 'US1_J2KI.dcm', 'test-SR.dcm']) {
    const size = fixture(`dicom/${file}`).length;
    for (const keep of [140, 600, Math.floor(size / 2), size - 1]) cases.push([file, keep]);
  }

  test('cut anywhere: DicomParseError from memory and from disk, never a result', async () => {
    for (const [file, keep] of cases) {
      const bytes = fixture(`dicom/${file}`).subarray(0, keep);
      const label = `${file} cut to ${keep} bytes`;
      assert.throws(
        () => convertDicom({ bytes, file }),
        (error: unknown) => {
          assert.ok(error instanceof DicomParseError, label);
          assert.equal(error.name, 'DicomParseError');
          assert.equal(error.file, file);
          assert.ok(error.entry, label);
          assert.match(error.message, /truncated/, label);
          assert.ok(error.hint?.includes('complete Part 10 file'), label);
          return true;
        },
      );
      const path = join(await dir, `${keep}-${file}`);
      writeFileSync(path, bytes);
      await assert.rejects(readDicomFile(path, file), DicomParseError, label);
    }
  });

  test('from disk, without the pixel data in memory, the attributes equal those read in memory', async () => {
    for (const file of Object.keys(KNOWN)) {
      const bytes = fixture(`dicom/${file}`);
      const path = join(await dir, file);
      writeFileSync(path, bytes);
      assert.deepEqual(await readDicomFile(path, file), readDicom(bytes, file), file);
    }
  });

  test('not DICOM, or a required UID missing: DicomParseError naming the place', () => {
    assert.throws(
      () => readDicom(new Uint8Array(200), 'zeros.dcm'),
      (error: unknown) =>
        error instanceof DicomParseError &&
        error.entry === 'preamble' &&
        /no "DICM" prefix/.test(error.message),
    );
    const bytes = Buffer.from(fixture('dicom/MR_small.dcm'));
    // Overwrite the StudyInstanceUID tag (0020,000D) with a private tag: the study UID is gone.
    const tag = Buffer.from([0x20, 0x00, 0x0d, 0x00]);
    const offset = bytes.indexOf(tag, 132);
    assert.ok(offset > 0);
    bytes.writeUInt16LE(0x0009, offset);
    assert.throws(
      () => readDicom(bytes),
      (error: unknown) =>
        error instanceof DicomParseError &&
        error.entry === 'tag (0020,000D)' &&
        /StudyInstanceUID/.test(error.message),
    );
  });
});
