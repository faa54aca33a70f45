import dicomParser from 'dicom-parser';
import { DicomParseError } from '../errors.ts';

/** The attributes of one DICOM Part 10 file that the ImagingStudy mapping reads. */
export type DicomAttributes = {
  transferSyntaxUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  modality: string | undefined;
  studyDate: string | undefined;
  studyTime: string | undefined;
  seriesDate: string | undefined;
  seriesTime: string | undefined;
  timezoneOffset: string | undefined;
  studyDescription: string | undefined;
  seriesDescription: string | undefined;
  seriesNumber: number | undefined;
  instanceNumber: number | undefined;
  bodyPartExamined: string | undefined;
  laterality: string | undefined;
  accessionNumber: string | undefined;
  referringPhysician: string | undefined;
  patientName: string | undefined;
  patientId: string | undefined;
  issuerOfPatientId: string | undefined;
  patientBirthDate: string | undefined;
  patientSex: string | undefined;
  numberOfStudySeries: number | undefined;
  numberOfStudyInstances: number | undefined;
  hasPixelData: boolean;
};

export type DataSet = ReturnType<typeof dicomParser.parseDicom>;

// dicom-parser reports a data set it could not finish as a thrown { exception, dataSet } object.
function isPartialParse(error: unknown): error is { exception: string; dataSet: DataSet } {
  return typeof error === 'object' && error !== null && 'exception' in error && 'dataSet' in error;
}

/**
 * Reads a DICOM Part 10 file held in memory (explicit or implicit VR little endian, big endian or
 * any encapsulated transfer syntax such as JPEG 2000: pixel data are located, never decoded).
 * The whole data set is walked, so a file cut short anywhere is rejected.
 */
export function readDicom(bytes: Uint8Array, file?: string): DicomAttributes {
  checkPreamble(bytes, file);
  return attributesOf(parseDataSet(bytes, file), file);
}

export function checkPreamble(bytes: Uint8Array, file: string | undefined): void {
  if (bytes.length < 132 || new TextDecoder('latin1').decode(bytes.subarray(128, 132)) !== 'DICM') {
    throw new DicomParseError(
      bytes.length < 132
        ? `the file is only ${bytes.length} bytes long`
        : 'no "DICM" prefix at byte 128',
      { file, entry: 'preamble' },
    );
  }
}

/** dicom-parser's data set; `untilTag` stops after that element's header (pixel data). */
export function parseDataSet(
  bytes: Uint8Array,
  file: string | undefined,
  untilTag?: string,
): DataSet {
  try {
    return untilTag === undefined
      ? dicomParser.parseDicom(bytes)
      : dicomParser.parseDicom(bytes, { untilTag });
  } catch (error) {
    throw parseFailure(error, file);
  }
}

/** The error for a data set dicom-parser could not finish (also used to decide to read more). */
export function parseFailure(error: unknown, file: string | undefined): DicomParseError {
  // Library messages name offsets and tags, never values, so they are safe to keep as the cause.
  const reason = isPartialParse(error)
    ? error.exception
    : error instanceof Error
      ? error.message
      : String(error);
  const lastTag = isPartialParse(error) ? Object.keys(error.dataSet.elements).at(-1) : undefined;
  return new DicomParseError(
    `the file ends or breaks inside the data set (truncated or corrupt): ${reason}`,
    {
      file,
      entry: lastTag === undefined ? 'meta header' : `the element after ${formatTag(lastTag)}`,
    },
    { cause: error },
  );
}

/** The attributes the ImagingStudy mapping reads, from a parsed data set. */
export function attributesOf(dataSet: DataSet, file: string | undefined): DicomAttributes {
  const text = (tag: string) => {
    const value = dataSet.string(tag);
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (tag: string) => {
    const value = text(tag);
    if (value === undefined) return undefined;
    const parsed = Number.parseInt(value, 10);
    return Number.isFinite(parsed) ? parsed : undefined;
  };
  const required = (tag: string, name: string) => {
    const value = text(tag);
    if (value === undefined) {
      throw new DicomParseError(
        `the required attribute ${name} is missing (absent from the data set, or the file is truncated)`,
        {
          file,
          entry: `tag ${formatTag(tag)}`,
        },
      );
    }
    return value;
  };
  return {
    transferSyntaxUid: required('x00020010', 'TransferSyntaxUID'),
    studyInstanceUid: required('x0020000d', 'StudyInstanceUID'),
    seriesInstanceUid: required('x0020000e', 'SeriesInstanceUID'),
    sopInstanceUid: required('x00080018', 'SOPInstanceUID'),
    sopClassUid: required('x00080016', 'SOPClassUID'),
    modality: text('x00080060'),
    studyDate: text('x00080020'),
    studyTime: text('x00080030'),
    seriesDate: text('x00080021'),
    seriesTime: text('x00080031'),
    timezoneOffset: text('x00080201'),
    studyDescription: text('x00081030'),
    seriesDescription: text('x0008103e'),
    seriesNumber: integer('x00200011'),
    instanceNumber: integer('x00200013'),
    bodyPartExamined: text('x00180015'),
    laterality: text('x00200060'),
    accessionNumber: text('x00080050'),
    referringPhysician: text('x00080090'),
    patientName: text('x00100010'),
    patientId: text('x00100020'),
    issuerOfPatientId: text('x00100021'),
    patientBirthDate: text('x00100030'),
    patientSex: text('x00100040'),
    numberOfStudySeries: integer('x00201206'),
    numberOfStudyInstances: integer('x00201208'),
    hasPixelData: dataSet.elements.x7fe00010 !== undefined,
  };
}

/** x0020000d → (0020,000D), the way DICOM documents name tags. */
export function formatTag(tag: string): string {
  const hex = tag.replace(/^x/, '').toUpperCase();
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}
