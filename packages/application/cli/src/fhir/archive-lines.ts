import { createReadStream } from 'node:fs';

/** One line of a file, without its `\n` (or `\r\n`), and where it sits in bytes. */
export type ArchiveLine = { text: string; start: number; end: number };

/**
 * The lines of a file (or of the byte range `start`..`end`, exclusive), with their byte offsets,
 * so that a reader can come back to a record's lines later without keeping them. Memory: one
 * line and one read buffer.
 */
export async function* readArchiveLines(
  path: string,
  range: { start?: number; end?: number } = {},
): AsyncGenerator<ArchiveLine, void, undefined> {
  const start = range.start ?? 0;
  if (range.end !== undefined && range.end <= start) return;
  const stream = createReadStream(path, {
    start,
    ...(range.end !== undefined && { end: range.end - 1 }),
    highWaterMark: 1 << 20,
  });
  let pending: Buffer[] = [];
  let pendingStart = start;
  let offset = start;
  const line = (parts: Buffer[], end: number): ArchiveLine => {
    let text = Buffer.concat(parts).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { text, start: pendingStart, end };
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      pending.push(chunk.subarray(from, nl));
      yield line(pending, offset + nl);
      pending = [];
      pendingStart = offset + nl + 1;
      from = nl + 1;
    }
    if (from < chunk.length) pending.push(chunk.subarray(from));
    offset += chunk.length;
  }
  if (pending.length > 0) yield line(pending, offset);
}
