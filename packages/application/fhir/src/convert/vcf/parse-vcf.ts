import { VcfParseError } from '../errors.ts';
import { readLines, type TextSource } from '../read-lines.ts';

export type VcfHeader = {
  fileformat: string;
  /** Every ## line, as written (the header of a VCF is small even when the body is not). */
  meta: string[];
  samples: string[];
};

export type VcfRecord = {
  line: number;
  chrom: string;
  pos: number;
  ids: string[];
  ref: string;
  alts: string[];
  filter: string;
  info: Map<string, string | true>;
  /** Per sample, FORMAT key → value (only when the file has samples). */
  samples: Map<string, string>[];
};

export type VcfEvent =
  | { kind: 'header'; header: VcfHeader }
  | { kind: 'record'; record: VcfRecord };

/**
 * Streams a VCF 4.x file: first one `header` event, then one `record` event per data line, in
 * constant memory (one line at a time). Structural faults throw VcfParseError naming the line.
 */
export async function* parseVcf(source: TextSource, file?: string): AsyncGenerator<VcfEvent> {
  let lineNumber = 0;
  let header: VcfHeader | undefined;
  const meta: string[] = [];
  const at = (entry: string) => ({ file, entry });
  const end: { lastLineTerminated?: boolean } = {};
  const lines = readLines(source, end)[Symbol.asyncIterator]();
  // One line of look-ahead: the last line is only known to be the last once the next read ends.
  let current = await nextLine(lines, file);
  while (!current.done) {
    const line = current.value;
    current = await nextLine(lines, file);
    const last = current.done === true;
    lineNumber++;
    if (lineNumber === 1) {
      const match = /^##fileformat=(VCFv4\.\d+)\s*$/.exec(line);
      if (match === null)
        throw new VcfParseError('the first line is not ##fileformat=VCFv4.x', at('line 1'));
      meta.push(line);
      continue;
    }
    if (header === undefined) {
      if (line.startsWith('##')) {
        meta.push(line);
        continue;
      }
      if (!line.startsWith('#CHROM')) {
        throw new VcfParseError(
          'the #CHROM header line is missing before the first record',
          at(`line ${lineNumber}`),
        );
      }
      const columns = line.slice(1).split('\t');
      const fixed = ['CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO'];
      if (fixed.some((name, index) => columns[index] !== name)) {
        throw new VcfParseError(
          'the #CHROM line does not name the eight fixed columns',
          at(`line ${lineNumber}`),
        );
      }
      header = {
        fileformat: (meta[0] ?? '').slice('##fileformat='.length).trim(),
        meta,
        samples: columns.length > 9 ? columns.slice(9) : [],
      };
      yield { kind: 'header', header };
      continue;
    }
    if (line.trim() === '') continue;
    if (last && end.lastLineTerminated === false && looksCut(line, header)) {
      throw new VcfParseError(
        'the last line has no line break and ends inside a record (truncated)',
        at(`line ${lineNumber}`),
        'Copy the file again from its source: a VCF cut short cannot be imported.',
      );
    }
    yield { kind: 'record', record: parseRecord(line, lineNumber, header, file) };
  }
  if (lineNumber === 0) throw new VcfParseError('the file is empty', at('line 1'));
  if (header === undefined) {
    throw new VcfParseError(
      'the file ends before the #CHROM header line (truncated?)',
      at(`line ${lineNumber}`),
    );
  }
}

async function nextLine(
  lines: AsyncIterator<string>,
  file: string | undefined,
): Promise<IteratorResult<string>> {
  try {
    return await lines.next();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !code.startsWith('Z_')) throw error;
    // zlib's errors ("unexpected end of file") name no line: the compressed stream itself broke.
    throw new VcfParseError(
      'the compressed (gzip/BGZF) stream is corrupt or cut short (truncated?)',
      { file, entry: 'compressed data' },
      'Copy the file again from its source, or check it with "bgzip -t".',
    );
  }
}

/**
 * Whether an unterminated last line is likely cut off rather than merely missing its final line
 * break (which some writers do). The spec lets sample columns drop trailing FORMAT fields, so this
 * is a heuristic: more columns than declared, or a last sample with fewer fields than FORMAT
 * names, counts as cut. A file cut exactly at a line break is indistinguishable from a shorter
 * file.
 */
function looksCut(line: string, header: VcfHeader): boolean {
  const columns = line.split('\t');
  if (header.samples.length === 0) return columns.length < 8;
  if (columns.length !== 9 + header.samples.length) return true;
  const formatCount = (columns[8] ?? '').split(':').length;
  const lastSample = columns.at(-1) ?? '';
  return lastSample.split(':').length < formatCount;
}

function parseRecord(
  line: string,
  lineNumber: number,
  header: VcfHeader,
  file?: string,
): VcfRecord {
  const columns = line.split('\t');
  const at = { file, entry: `line ${lineNumber}` };
  const expected = header.samples.length > 0 ? 9 + header.samples.length : 8;
  if (columns.length < expected) {
    throw new VcfParseError(
      `the record has ${columns.length} columns, the header declares ${expected} (truncated line?)`,
      at,
    );
  }
  const [
    chrom = '',
    posText = '',
    id = '',
    ref = '',
    alt = '',
    ,
    filter = '',
    infoText = '',
    format = '',
  ] = columns;
  const pos = Number(posText);
  if (chrom === '' || !Number.isInteger(pos) || pos < 0)
    throw new VcfParseError('CHROM or POS is not valid', at);
  if (!/^[ACGTNacgtn]+$/.test(ref))
    throw new VcfParseError('REF is not a sequence of A, C, G, T, N', at);
  const info = new Map<string, string | true>();
  if (infoText !== '.') {
    for (const entry of infoText.split(';')) {
      const equals = entry.indexOf('=');
      if (equals === -1) info.set(entry, true);
      else info.set(entry.slice(0, equals), entry.slice(equals + 1));
    }
  }
  const keys = format.split(':');
  const samples = header.samples.map((_, index) => {
    const values = (columns[9 + index] ?? '').split(':');
    const sample = new Map(keys.map((key, k) => [key, values[k] ?? '.']));
    const genotype = sample.get('GT');
    if (genotype !== undefined && !/^(\.|\d+)([/|](\.|\d+))*$/.test(genotype)) {
      throw new VcfParseError(`the GT of sample ${index + 1} is malformed`, at);
    }
    return sample;
  });
  return {
    line: lineNumber,
    chrom,
    pos,
    ids: id === '.' ? [] : id.split(';'),
    ref,
    alts: alt === '.' ? [] : alt.split(','),
    filter,
    info,
    samples,
  };
}
