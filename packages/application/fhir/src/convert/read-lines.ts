import { createGunzip } from 'node:zlib';

export type TextSource =
  | string
  | Uint8Array
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array>;

const GZIP_MAGIC = [0x1f, 0x8b];

async function* chunksOf(source: TextSource): AsyncGenerator<Uint8Array | string> {
  if (typeof source === 'string' || source instanceof Uint8Array) {
    yield source;
    return;
  }
  yield* source as AsyncIterable<Uint8Array | string>;
}

/**
 * Yields the text of a source chunk by chunk, decoding UTF-8 across chunk boundaries. A gzip or
 * BGZF (multi-member gzip, as bgzip writes) source is decompressed on the fly.
 */
export async function* readTextChunks(source: TextSource): AsyncGenerator<string> {
  let chunks: AsyncIterable<Uint8Array | string> = chunksOf(source);
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const head = first.value;
  const rest: AsyncIterable<Uint8Array | string> = {
    [Symbol.asyncIterator]: () => ({
      next: () => iterator.next(),
    }),
  };
  async function* replay() {
    yield head;
    yield* rest;
  }
  chunks = replay();
  if (typeof head !== 'string' && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
    const gunzip = createGunzip();
    const feed = (async () => {
      for await (const chunk of replay()) {
        if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once('drain', resolve));
      }
      gunzip.end();
    })();
    feed.catch((error: unknown) => gunzip.destroy(error as Error));
    chunks = gunzip as AsyncIterable<Uint8Array>;
  }
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const tail = decoder.decode();
  if (tail !== '') yield tail;
}

/**
 * Yields the lines of a text source one at a time (without their \n or \r\n), holding only the
 * current chunk and one partial line in memory: genome files and health exports are gigabytes.
 * `end.lastLineTerminated` is set once the source is exhausted.
 */
export async function* readLines(
  source: TextSource,
  end: { lastLineTerminated?: boolean } = {},
): AsyncGenerator<string> {
  let partial = '';
  for await (const text of readTextChunks(source)) {
    partial += text;
    let start = 0;
    for (
      let newline = partial.indexOf('\n');
      newline !== -1;
      newline = partial.indexOf('\n', start)
    ) {
      const line = partial.slice(start, newline);
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
      start = newline + 1;
    }
    partial = partial.slice(start);
  }
  // Whether the text ended with a line break: an unterminated last line may be a cut-off one.
  end.lastLineTerminated = partial === '';
  if (partial !== '') yield partial.endsWith('\r') ? partial.slice(0, -1) : partial;
}
