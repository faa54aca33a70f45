/**
 * Maps an (async) iterable with up to `concurrency` calls in flight, yielding results in input
 * order. The first failure is thrown once its turn comes; calls already started still settle.
 */
export async function* parallelMap<T, R>(
  source: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R, void, undefined> {
  const window: Promise<R>[] = [];
  for await (const item of source) {
    const result = fn(item);
    // Awaited in order below; this handler only keeps a later failure from being "unhandled"
    // while an earlier result is awaited.
    result.catch(() => {});
    window.push(result);
    if (window.length >= concurrency) yield await (window.shift() as Promise<R>);
  }
  while (window.length > 0) yield await (window.shift() as Promise<R>);
}
