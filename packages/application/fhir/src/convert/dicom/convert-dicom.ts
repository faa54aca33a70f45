import { createHash } from 'node:crypto';
import { referenceTo, transactionBundle } from '../bundle.ts';
import { hl7DateTime } from '../datetime.ts';
import type { Coding, ConversionResult, Reference, Resource } from '../fhir-types.ts';
import { deterministicUuid } from '../ids.ts';
import { type DicomAttributes, readDicom } from './read-dicom.ts';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const SNOMED = 'http://snomed.info/sct';

export type DicomFileInput = {
  bytes: Uint8Array;
  /**
   * Where the (encrypted) file itself is stored, or the placeholder that will be replaced by that
   * address (see attachmentPlaceholder). When given, a DocumentReference carries it as
   * content.attachment.url, and the ImagingStudy and the DocumentReference reference each other.
   */
  attachmentUrl?: string;
  /** The file name, only used to name it in errors. */
  file?: string;
};

/** One instance already read (readDicom, readDicomFile) and, optionally, its stored file. */
export type DicomInstance = {
  tags: DicomAttributes;
  stored?: {
    /** The address of the stored file, or its placeholder. */
    url: string;
    size: number;
    /** Base64 SHA-1 of the file's bytes: FHIR's Attachment.hash. */
    sha1Base64: string;
  };
};

export type DicomConvertOptions = {
  /** The patient the images belong to. When given, no Patient is made from the DICOM tags. */
  subject?: Reference;
};

/**
 * The extension by which an ImagingStudy names the DocumentReference of each stored DICOM file.
 *
 * R4 has no element for it: ImagingStudy.endpoint is for a DICOMweb/WADO server, which an
 * encrypted blob in content-addressed storage is not, and no HL7 extension applies to
 * ImagingStudy. DocumentReference.context.related points the other way and is searchable; the
 * extension lets a reader holding only the study find its files without a search.
 */
export const SOURCE_FILE_EXTENSION = 'urn:aegle:fhir:extension:source-file';

/**
 * Converts DICOM Part 10 files to FHIR R4: one ImagingStudy per StudyInstanceUID (files of the
 * same study are merged into its series and instances), a Patient from the tags of the first file
 * of each study (unless `subject` is given), and a DocumentReference per file that has an
 * `attachmentUrl`.
 *
 * Why DocumentReference for the file: Media (the R4 alternative) is for rendered images and was
 * removed in R5 in favour of DocumentReference. The DocumentReference points back at the study
 * through context.related and carries the SOP Instance UID as its masterIdentifier, so the
 * instance is findable from either side.
 */
export function convertDicom(
  files: DicomFileInput | readonly DicomFileInput[],
  options: DicomConvertOptions = {},
): ConversionResult {
  const inputs = Array.isArray(files) ? files : [files as DicomFileInput];
  const instances = inputs.map((input): DicomInstance => {
    const tags = readDicom(input.bytes, input.file);
    if (input.attachmentUrl === undefined) return { tags };
    return {
      tags,
      stored: {
        url: input.attachmentUrl,
        size: input.bytes.length,
        // FHIR's Attachment.hash is the base64 SHA-1 of the data: lets a reader check the
        // decrypted file is the one that was converted.
        sha1Base64: createHash('sha1').update(input.bytes).digest('base64'),
      },
    };
  });
  return convertDicomInstances(instances, options);
}

/** convertDicom for instances already read, e.g. with readDicomFile (no pixel data in memory). */
export function convertDicomInstances(
  instances: readonly DicomInstance[],
  options: DicomConvertOptions = {},
): ConversionResult {
  const resources: Resource[] = [];
  const skipped: string[] = [];
  const studies = new Map<string, DicomInstance[]>();
  for (const item of instances) {
    const list = studies.get(item.tags.studyInstanceUid) ?? [];
    list.push(item);
    studies.set(item.tags.studyInstanceUid, list);
  }
  for (const [studyUid, items] of studies) {
    const first = (items[0] as DicomInstance).tags;
    let subject = options.subject;
    if (subject === undefined) {
      const patient = dicomPatient(first);
      resources.push(patient);
      subject = referenceTo(patient);
    }
    const documentIds = items
      .filter((item) => item.stored !== undefined)
      .map((item) => documentReferenceId(item.tags));
    const study = imagingStudy(
      studyUid,
      items.map((item) => item.tags),
      subject,
      [...new Set(documentIds)],
    );
    resources.push(study);
    const linked = new Set<string>();
    for (const { tags, stored } of items) {
      if (stored === undefined) {
        skipped.push(
          `instance ${tags.sopInstanceUid}: no attachmentUrl given, so the file is not linked`,
        );
        continue;
      }
      if (linked.has(tags.sopInstanceUid)) continue;
      linked.add(tags.sopInstanceUid);
      resources.push(documentReference(tags, stored, subject, study));
    }
  }
  const bundleKey = instances.map((item) => item.tags.sopInstanceUid).join('|');
  return { bundle: transactionBundle(resources, `dicom|${bundleKey}`), skipped };
}

function documentReferenceId(tags: DicomAttributes): string {
  return deterministicUuid('aegle-dicom', 'file', tags.sopInstanceUid);
}

function dicomDateTime(
  date: string | undefined,
  time: string | undefined,
  offset: string | undefined,
) {
  if (date === undefined) return undefined;
  // DICOM DA/TM are the same digits as HL7 DTM once joined; TM may carry a fraction.
  const joined = `${date}${(time ?? '').replace(/[:]/g, '')}${offset ?? ''}`;
  return hl7DateTime(joined)?.dateTime ?? hl7DateTime(date)?.dateTime;
}

function dicomPatient(tags: DicomAttributes): Resource {
  const patient: Resource = {
    resourceType: 'Patient',
    id: deterministicUuid(
      'aegle-dicom',
      'patient',
      tags.issuerOfPatientId ?? '',
      tags.patientId ?? '',
      tags.patientName ?? '',
      tags.studyInstanceUid,
    ),
  };
  if (tags.patientId !== undefined) {
    patient.identifier = [
      {
        value: tags.patientId,
        ...(tags.issuerOfPatientId === undefined
          ? {}
          : { assigner: { display: tags.issuerOfPatientId } }),
      },
    ];
  }
  if (tags.patientName !== undefined) {
    // PN: family^given^middle^prefix^suffix (only the alphabetic group before any "=").
    const [family = '', given = '', middle = '', prefix = '', suffix = ''] = (
      tags.patientName.split('=')[0] ?? ''
    ).split('^');
    const name: Record<string, unknown> = { use: 'official' };
    if (family.trim() !== '') name.family = family.trim();
    const givens = [given, middle].map((x) => x.trim()).filter((x) => x !== '');
    if (givens.length > 0) name.given = givens;
    if (prefix.trim() !== '') name.prefix = [prefix.trim()];
    if (suffix.trim() !== '') name.suffix = [suffix.trim()];
    if (name.family !== undefined || name.given !== undefined) patient.name = [name];
  }
  const gender = { M: 'male', F: 'female', O: 'other' }[tags.patientSex ?? ''];
  if (gender !== undefined) patient.gender = gender;
  const birth =
    tags.patientBirthDate === undefined ? undefined : hl7DateTime(tags.patientBirthDate);
  if (birth !== undefined) patient.birthDate = birth.date;
  return patient;
}

function modalityCoding(modality: string | undefined): Coding {
  return modality === undefined
    ? { system: DCM, code: 'OT', display: 'Other' }
    : { system: DCM, code: modality };
}

function imagingStudy(
  studyUid: string,
  instances: DicomAttributes[],
  subject: Reference,
  documentIds: string[],
): Resource {
  const first = instances[0] as DicomAttributes;
  const seriesByUid = new Map<string, DicomAttributes[]>();
  for (const tags of instances) {
    const list = seriesByUid.get(tags.seriesInstanceUid) ?? [];
    if (!list.some((existing) => existing.sopInstanceUid === tags.sopInstanceUid)) list.push(tags);
    seriesByUid.set(tags.seriesInstanceUid, list);
  }
  const modalities = new Map<string, Coding>();
  const series = [...seriesByUid.entries()].map(([seriesUid, members]) => {
    const head = members[0] as DicomAttributes;
    const modality = modalityCoding(head.modality);
    modalities.set(modality.code ?? '', modality);
    const entry: Record<string, unknown> = { uid: seriesUid };
    if (head.seriesNumber !== undefined) entry.number = head.seriesNumber;
    entry.modality = modality;
    if (head.seriesDescription !== undefined) entry.description = head.seriesDescription;
    entry.numberOfInstances = members.length;
    const bodySite = bodySiteCoding(head.bodyPartExamined);
    if (bodySite !== undefined) entry.bodySite = bodySite;
    const laterality = LATERALITY[head.laterality ?? ''];
    if (laterality !== undefined) entry.laterality = laterality;
    const started = dicomDateTime(head.seriesDate, head.seriesTime, head.timezoneOffset);
    if (started !== undefined) entry.started = started;
    entry.instance = members.map((tags) => ({
      uid: tags.sopInstanceUid,
      sopClass: { system: 'urn:ietf:rfc:3986', code: `urn:oid:${tags.sopClassUid}` },
      ...(tags.instanceNumber === undefined ? {} : { number: tags.instanceNumber }),
    }));
    return entry;
  });
  const study: Resource = {
    resourceType: 'ImagingStudy',
    id: deterministicUuid('aegle-dicom', 'study', studyUid),
    ...(documentIds.length === 0
      ? {}
      : {
          extension: documentIds.map((id) => ({
            url: SOURCE_FILE_EXTENSION,
            valueReference: { reference: `urn:uuid:${id}` },
          })),
        }),
    identifier: [
      { system: 'urn:dicom:uid', value: `urn:oid:${studyUid}` },
      ...(first.accessionNumber === undefined
        ? []
        : [
            {
              type: {
                coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }],
              },
              value: first.accessionNumber,
            },
          ]),
    ],
    status: 'available',
    modality: [...modalities.values()],
    subject,
  };
  const started = dicomDateTime(first.studyDate, first.studyTime, first.timezoneOffset);
  if (started !== undefined) study.started = started;
  if (first.referringPhysician !== undefined)
    study.referrer = { display: first.referringPhysician.replaceAll('^', ' ').trim() };
  // The study-level counts (0020,1206/1208) describe the whole study even when only some of its
  // files are converted; without them, count what we were given.
  study.numberOfSeries = first.numberOfStudySeries ?? series.length;
  study.numberOfInstances = first.numberOfStudyInstances ?? instances.length;
  if (first.studyDescription !== undefined) study.description = first.studyDescription;
  study.series = series;
  return study;
}

function documentReference(
  tags: DicomAttributes,
  stored: NonNullable<DicomInstance['stored']>,
  subject: Reference,
  study: Resource,
): Resource {
  return {
    resourceType: 'DocumentReference',
    id: documentReferenceId(tags),
    masterIdentifier: { system: 'urn:dicom:uid', value: `urn:oid:${tags.sopInstanceUid}` },
    status: 'current',
    type: {
      coding: [
        { system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' },
      ],
    },
    subject,
    content: [
      {
        attachment: {
          contentType: 'application/dicom',
          url: stored.url,
          size: stored.size,
          hash: stored.sha1Base64,
        },
      },
    ],
    context: { related: [referenceTo(study)] },
  };
}

const LATERALITY: Readonly<Record<string, Coding>> = {
  L: { system: SNOMED, code: '7771000', display: 'Left' },
  R: { system: SNOMED, code: '24028007', display: 'Right' },
};

// DICOM Body Part Examined (0018,0015) defined terms to SNOMED CT, after DICOM PS3.16 Annex L.
const BODY_PART: Readonly<Record<string, Coding>> = {
  ABDOMEN: { system: SNOMED, code: '818981001', display: 'Abdomen' },
  BRAIN: { system: SNOMED, code: '12738006', display: 'Brain' },
  BREAST: { system: SNOMED, code: '76752008', display: 'Breast' },
  CHEST: { system: SNOMED, code: '51185008', display: 'Thorax' },
  EXTREMITY: { system: SNOMED, code: '66019005', display: 'Limb' },
  FOOT: { system: SNOMED, code: '56459004', display: 'Foot' },
  HAND: { system: SNOMED, code: '85562004', display: 'Hand' },
  HEAD: { system: SNOMED, code: '69536005', display: 'Head' },
  HEART: { system: SNOMED, code: '80891009', display: 'Heart' },
  KNEE: { system: SNOMED, code: '72696002', display: 'Knee' },
  NECK: { system: SNOMED, code: '45048000', display: 'Neck' },
  PELVIS: { system: SNOMED, code: '816092008', display: 'Pelvis' },
  SKULL: { system: SNOMED, code: '89546000', display: 'Skull' },
  SPINE: { system: SNOMED, code: '421060004', display: 'Spine' },
};

function bodySiteCoding(bodyPart: string | undefined): Coding | undefined {
  if (bodyPart === undefined) return undefined;
  return BODY_PART[bodyPart.toUpperCase()] ?? { display: bodyPart };
}
