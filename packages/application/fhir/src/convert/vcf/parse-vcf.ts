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
  for await (const line of readLines(source)) {
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
    return new Map(keys.map((key, k) => [key, values[k] ?? '.']));
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
