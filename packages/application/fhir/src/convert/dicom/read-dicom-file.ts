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
        if (pixels !== undefined && !whole) {
          await checkPixelDataExtent(handle, size, pixels, transferSyntax === BIG_ENDIAN, file);
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
  bigEndian: boolean,
  file: string | undefined,
): Promise<void> {
  const truncated = () =>
    new DicomParseError('the file ends inside the pixel data (truncated)', {
      file,
      entry: `tag ${formatTag(PIXEL_DATA)}`,
    });
  const start = pixels.dataOffset ?? 0;
  if (!pixels.hadUndefinedLength) {
    if (start + pixels.length > size) throw truncated();
    return;
  }
  // Encapsulated pixel data: items (FFFE,E000) with explicit lengths, then (FFFE,E0DD).
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  let position = start;
  for (;;) {
    if ((await readFully(handle, header, position)) < 8) throw truncated();
    const group = view.getUint16(0, !bigEndian);
    const element = view.getUint16(2, !bigEndian);
    const length = view.getUint32(4, !bigEndian);
    if (group !== 0xfffe || (element !== ITEM && element !== SEQUENCE_DELIMITER)) {
      throw new DicomParseError('the encapsulated pixel data are not a sequence of items', {
        file,
        entry: `tag ${formatTag(PIXEL_DATA)}`,
      });
    }
    if (element === SEQUENCE_DELIMITER) return;
    position += 8 + length;
    if (position > size) throw truncated();
  }
}
