import { open } from 'node:fs/promises';
import { DicomParseError } from '../errors.ts';
import {
  attributesOf,
  checkPreamble,
  type DataSet,
  type DicomAttributes,
  formatTag,
  parseDataSet,
} from './read-dicom.ts';

const PIXEL_DATA = 'x7fe00010';
const FIRST_READ = 256 * 1024;
const ITEM = 0xe000;
const SEQUENCE_DELIMITER = 0xe0dd;
const DEFLATED = '1.2.840.10008.1.2.1.99';
const BIG_ENDIAN = '1.2.840.10008.1.2.2';
const IMPLICIT_VR = '1.2.840.10008.1.2';
// Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2).
const LONG_VRS = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);

/**
 * Reads the attributes of a DICOM Part 10 file on disk without loading its pixel data: the data
 * set is parsed from a growing prefix of the file up to the Pixel Data element's header, and the
 * pixel data are then only checked to be complete (their declared length, or the chain of
 * fragment items up to the sequence delimiter), reading 8 bytes per fragment. A 2 GB
 * multi-frame study costs a few hundred kilobytes of memory.
 */
export async function readDicomFile(path: string, file?: string): Promise<DicomAttributes> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    let length = Math.min(size, FIRST_READ);
    for (;;) {
      const prefix = new Uint8Array(length);
      await readFully(handle, prefix, 0);
      checkPreamble(prefix, file);
      let dataSet: DataSet | undefined;
      let failure: DicomParseError | undefined;
      try {
        dataSet = parseDataSet(prefix, file, PIXEL_DATA);
      } catch (error) {
        if (!(error instanceof DicomParseError)) throw error;
        failure = error;
      }
      const whole = length === size;
      const transferSyntax = dataSet?.string('x00020010')?.trim();
      const needsWhole = transferSyntax === DEFLATED;
      if (
        dataSet !== undefined &&
        (whole || (dataSet.elements[PIXEL_DATA] !== undefined && !needsWhole))
      ) {
        const attributes = attributesOf(dataSet, file);
        const pixels = dataSet.elements[PIXEL_DATA];
        // Parsing stopped at the pixel data's header: whether they are all there is checked apart.
        if (pixels !== undefined) {
          await checkPixelDataExtent(handle, size, pixels, transferSyntax ?? '', file);
        }
        return attributes;
      }
      if (whole) throw failure ?? new DicomParseError('the data set could not be read', { file });
      // The prefix ended inside the header: read twice as much and parse again.
      length = Math.min(size, length * 2);
    }
  } finally {
    await handle.close();
  }
}

async function readFully(
  handle: Awaited<ReturnType<typeof open>>,
  buffer: Uint8Array,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

async function checkPixelDataExtent(
  handle: Awaited<ReturnType<typeof open>>,
  size: number,
  pixels: { dataOffset?: number; length: number; hadUndefinedLength?: boolean },
  transferSyntax: string,
  file: string | undefined,
): Promise<void> {
  const littleEndian = transferSyntax !== BIG_ENDIAN;
  const explicitVr = transferSyntax !== IMPLICIT_VR;
  const truncated = () =>
    new DicomParseError('the file ends inside or after the pixel data (truncated)', {
      file,
      entry: `tag ${formatTag(PIXEL_DATA)}`,
    });
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  let position = pixels.dataOffset ?? 0;
  if (!pixels.hadUndefinedLength) {
    position += pixels.length;
  } else {
    // Encapsulated pixel data: items (FFFE,E000) with explicit lengths, then (FFFE,E0DD).
    for (;;) {
      if ((await readFully(handle, header.subarray(0, 8), position)) < 8) throw truncated();
      const group = view.getUint16(0, littleEndian);
      const element = view.getUint16(2, littleEndian);
      const length = view.getUint32(4, littleEndian);
      if (group !== 0xfffe || (element !== ITEM && element !== SEQUENCE_DELIMITER)) {
        throw new DicomParseError('the encapsulated pixel data are not a sequence of items', {
          file,
          entry: `tag ${formatTag(PIXEL_DATA)}`,
        });
      }
      position += 8 + (element === ITEM ? length : 0);
      if (element === SEQUENCE_DELIMITER) break;
      if (position > size) throw truncated();
    }
  }
  // Elements after the pixel data (trailing padding, signatures) must end exactly with the file.
  while (position < size) {
    if ((await readFully(handle, header.subarray(0, 8), position)) < 8) throw truncated();
    let headerLength = 8;
    let length = view.getUint32(4, littleEndian);
    if (explicitVr) {
      const vr = String.fromCharCode(header[4] ?? 0, header[5] ?? 0);
      if (LONG_VRS.has(vr)) {
        if ((await readFully(handle, header, position)) < 12) throw truncated();
        headerLength = 12;
        length = view.getUint32(8, littleEndian);
      } else {
        length = view.getUint16(6, littleEndian);
      }
    }
    // An undefined length this late would need a full parse; the rest is not checked.
    if (length === 0xffffffff) return;
    position += headerLength + length;
  }
  if (position > size) throw truncated();
}
