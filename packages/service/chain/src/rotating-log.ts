import { createWriteStream, openSync, renameSync, statSync, type WriteStream } from 'node:fs';

/** A log file that never grows past about `maxBytes`, keeping one older generation. */
export type RotatingLog = { write(chunk: Buffer | string): void; end(): void };

/** Default cap of anvil.log: a long-running node's chain logs a line per RPC call. */
export const DEFAULT_LOG_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Appends to `path`; once the next write would take it past `maxBytes`, the file becomes
 * `path.1` (replacing the previous one) and a new `path` starts. So the log and its one older
 * generation hold at most twice `maxBytes`, however long the process runs, and the latest lines
 * are always in `path`. A file that is already over the cap when opened is rotated first.
 */
export function openRotatingLog(path: string, maxBytes = DEFAULT_LOG_MAX_BYTES): RotatingLog {
  let written = 0;
  try {
    written = statSync(path).size;
  } catch {
    // No log yet.
  }
  let stream: WriteStream | undefined;
  const rotate = () => {
    stream?.end();
    stream = undefined;
    try {
      renameSync(path, `${path}.1`);
    } catch {
      // Nothing to rotate (removed by an operator): start afresh anyway.
    }
    written = 0;
  };
  if (written >= maxBytes) rotate();
  return {
    write(chunk) {
      const size = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      if (written > 0 && written + size > maxBytes) rotate();
      // Opened synchronously, so a later rename moves the file this stream writes to, with any
      // writes still pending: they land in `path.1`, in order.
      stream ??= createWriteStream('', { fd: openSync(path, 'a') });
      stream.write(chunk);
      written += size;
    },
    end() {
      stream?.end();
      stream = undefined;
    },
  };
}
