import { open } from 'node:fs/promises';
import {
  ARCHIVE_MAGIC,
  type ArchiveHeader,
  type ArchiveRecord,
  READABLE_ARCHIVE_VERSIONS,
} from './archive-format.ts';
import { readArchiveLines } from './archive-lines.ts';
import { ArchiveFormatError } from './errors.ts';

/** An archived record as scanned: its description, and its ciphertext to read when needed. */
export type ArchivedRecord = Omit<ArchiveRecord, 'ciphertext' | 'chunks' | 'ciphertextSize'> & {
  ciphertextSize: number;
  /** The ciphertext, read from the file again on each call (constant memory). */
  ciphertext: () => AsyncIterable<Uint8Array>;
};

export type ScannedArchive = { header: ArchiveHeader; records: ArchivedRecord[] };

/** Whether a file starts like an Aegle archive (read from its first bytes only). */
export async function isArchive(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(ARCHIVE_MAGIC.length);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return bytesRead === buffer.length && buffer.toString('utf8') === ARCHIVE_MAGIC;
  } finally {
    await handle.close();
  }
}

function parseLine(text: string, n: number, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ArchiveFormatError(source, `line ${n} is not JSON (a truncated file?)`);
  }
}

/** A chunk line's base64 (a JSON string), checked. */
function chunkBase64(value: unknown, n: number, source: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new ArchiveFormatError(source, `line ${n} is not a ciphertext chunk`);
  }
  return value;
}

/**
 * Reads an archive through once, checking its shape: the header, every record line, and (version
 * 2) that each record's chunk lines are all there and add up to its ciphertext size. Keeps only
 * the records' descriptions and where their chunks are; any defect names the line. Version 1
 * records carry their ciphertext inline, which is kept (such archives are small by nature).
 */
export async function scanArchive(path: string, source: string): Promise<ScannedArchive> {
  let header: ArchiveHeader | undefined;
  const records: ArchivedRecord[] = [];
  // The record whose chunk lines are being read (version 2).
  let open:
    | {
        record: ArchivedRecord;
        chunks: number;
        seen: number;
        bytes: number;
        start: number;
        firstLine: number;
      }
    | undefined;
  let n = 0;
  const closeRecord = (end: number) => {
    if (!open) return;
    if (open.seen !== open.chunks || open.bytes !== open.record.ciphertextSize) {
      throw new ArchiveFormatError(
        source,
        `record ${records.length} has ${open.bytes} of its ${open.record.ciphertextSize} ciphertext bytes (a truncated file?)`,
      );
    }
    const range = { start: open.start, end };
    const firstLine = open.firstLine;
    open.record.ciphertext = async function* () {
      let at = firstLine;
      for await (const line of readArchiveLines(path, range)) {
        if (line.text !== '') {
          yield Buffer.from(chunkBase64(parseLine(line.text, at, source), at, source), 'base64');
        }
        at++;
      }
    };
    open = undefined;
  };
  let lastEnd = 0;
  for await (const line of readArchiveLines(path)) {
    n++;
    lastEnd = line.end;
    if (line.text === '') continue;
    const value = parseLine(line.text, n, source);
    if (!header) {
      const h = value as ArchiveHeader;
      if (h.format !== 'aegle-archive' || !READABLE_ARCHIVE_VERSIONS.includes(h.version)) {
        throw new ArchiveFormatError(
          source,
          `version ${String(h.version)} is not one of ${READABLE_ARCHIVE_VERSIONS.join(', ')}`,
        );
      }
      header = h;
      continue;
    }
    if (open && open.seen < open.chunks) {
      // Counted, not decoded: the bytes are decoded when the record is read.
      const base64 = chunkBase64(value, n, source);
      open.seen++;
      open.bytes += Buffer.byteLength(base64, 'base64');
      continue;
    }
    closeRecord(line.start);
    records.push(recordFrom(value, header.version, n, source));
    const record = records.at(-1) as ArchivedRecord;
    if (header.version >= 2) {
      open = {
        record,
        chunks: (value as ArchiveRecord).chunks as number,
        seen: 0,
        bytes: 0,
        start: line.end + 1,
        firstLine: n + 1,
      };
    }
  }
  closeRecord(lastEnd + 1);
  if (!header) throw new ArchiveFormatError(source, 'it is empty');
  if (records.length !== header.count) {
    throw new ArchiveFormatError(
      source,
      `it holds ${records.length} of the ${header.count} records its header announces (a truncated file?)`,
    );
  }
  return { header, records };
}

function recordFrom(value: unknown, version: number, n: number, source: string): ArchivedRecord {
  const r = value as ArchiveRecord;
  const described =
    typeof r.record?.recordId === 'string' &&
    typeof r.entry?.signature === 'string' &&
    typeof r.wrappedKey === 'string' &&
    typeof r.metadata === 'string';
  const v1 = version === 1 && typeof r.ciphertext === 'string';
  const v2 =
    version >= 2 &&
    Number.isSafeInteger(r.ciphertextSize) &&
    (r.ciphertextSize as number) >= 0 &&
    Number.isSafeInteger(r.chunks) &&
    (r.chunks as number) >= 0;
  if (!described || !(v1 || v2)) {
    throw new ArchiveFormatError(source, `line ${n} is not an archived record`);
  }
  const { ciphertext: inline, chunks: _, ciphertextSize: __, ...rest } = r;
  if (v1) {
    const bytes = Buffer.from(inline as string, 'base64');
    return {
      ...rest,
      ciphertextSize: bytes.length,
      ciphertext: async function* () {
        yield new Uint8Array(bytes);
      },
    };
  }
  return {
    ...rest,
    ciphertextSize: r.ciphertextSize as number,
    // Set once the record's chunk lines have been counted (scanArchive's closeRecord).
    ciphertext: () => {
      throw new ArchiveFormatError(source, `line ${n}'s record was not scanned whole`);
    },
  };
}
