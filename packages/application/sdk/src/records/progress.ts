/** How far a transfer has got. `totalBytes` is absent when the size is not known in advance. */
export type Progress = { bytesDone: number; totalBytes?: number };

/** Called as bytes flow; it must be cheap, since it runs once per chunk (up to 1 MiB). */
export type OnProgress = (progress: Progress) => void;

/** Passes a byte stream through unchanged, reporting the running byte count after each chunk. */
export async function* countProgress(
  source: AsyncIterable<Uint8Array>,
  onProgress: OnProgress | undefined,
  totalBytes?: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  let bytesDone = 0;
  for await (const chunk of source) {
    bytesDone += chunk.length;
    yield chunk;
    onProgress?.(totalBytes === undefined ? { bytesDone } : { bytesDone, totalBytes });
  }
}
