import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import {
  ARCHIVE_MAGIC,
  ARCHIVE_VERSION,
  type ArchiveHeader,
  type ArchiveRecord,
} from './archive-format.ts';
import { ArchiveFormatError } from './errors.ts';

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

/** Reads a whole archive, checking its shape; any defect names the line. */
export async function readArchive(
  path: string,
  source: string,
): Promise<{ header: ArchiveHeader; records: ArchiveRecord[] }> {
  const lines = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let header: ArchiveHeader | undefined;
  const records: ArchiveRecord[] = [];
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ArchiveFormatError(source, `line ${n} is not JSON (a truncated file?)`);
    }
    if (!header) {
      const h = value as ArchiveHeader;
      if (h.format !== 'aegle-archive' || h.version !== ARCHIVE_VERSION) {
        throw new ArchiveFormatError(
          source,
          `version ${String(h.version)} is not ${ARCHIVE_VERSION}`,
        );
      }
      header = h;
      continue;
    }
    const r = value as ArchiveRecord;
    if (
      typeof r.record?.recordId !== 'string' ||
      typeof r.entry?.signature !== 'string' ||
      typeof r.wrappedKey !== 'string' ||
      typeof r.ciphertext !== 'string' ||
      typeof r.metadata !== 'string'
    ) {
      throw new ArchiveFormatError(source, `line ${n} is not an archived record`);
    }
    records.push(r);
  }
  if (!header) throw new ArchiveFormatError(source, 'it is empty');
  if (records.length !== header.count) {
    throw new ArchiveFormatError(
      source,
      `it holds ${records.length} of the ${header.count} records its header announces (a truncated file?)`,
    );
  }
  return { header, records };
}
