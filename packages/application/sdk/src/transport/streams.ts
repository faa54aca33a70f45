import type { OnProgress } from '../records/progress.ts';

/**
 * An async iterable as a web ReadableStream (what fetch takes as a streaming body), pulled one
 * chunk at a time so that a slow network slows the producer instead of filling memory.
 * Progress counts bytes handed to the network.
 */
export function readableFromIterable(
  source: AsyncIterable<Uint8Array>,
  onProgress?: OnProgress,
  totalBytes?: number,
): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let bytesDone = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) {
          controller.close();
          return;
        }
        bytesDone += next.value.length;
        controller.enqueue(next.value);
        onProgress?.(totalBytes === undefined ? { bytesDone } : { bytesDone, totalBytes });
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A fetch Response's body as an async iterable, with a reader (browsers without async iteration
 * of streams have one), releasing the stream if the consumer stops early.
 *
 * The body is locked at once, not at the first read: Node's fetch (undici) cancels the unlocked,
 * unread body of a Response that is garbage collected, which would end a download early (a
 * caller typically unwraps a key between getting the response and reading it) and look like a
 * truncation.
 */
export function iterableFromResponse(
  response: Response,
  onProgress?: OnProgress,
  totalBytes?: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = response.body?.getReader();
  return (async function* () {
    if (!reader) return;
    let bytesDone = 0;
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        bytesDone += value.length;
        yield value;
        onProgress?.(totalBytes === undefined ? { bytesDone } : { bytesDone, totalBytes });
      }
    } finally {
      if (!finished) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
  })();
}
