import { RateLimitedError } from './errors.ts';

/** How long a call keeps being retried while the node rate-limits this session. Default 120 s. */
export const RATE_LIMIT_PATIENCE_MS = 120_000;

/**
 * Runs `call` again, with growing random pauses (250 ms, doubling up to 5 s), while the node
 * answers 429: a node limits requests per session, and a large import is a burst of them. Only
 * for calls that are safe to repeat after a 429 (the node refused them before doing anything):
 * a batch of records already signed, a stream that `call` opens afresh.
 */
export async function retryWhenRateLimited<T>(
  call: () => Promise<T>,
  options: { patienceMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + (options.patienceMs ?? RATE_LIMIT_PATIENCE_MS);
  let pause = 250;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof RateLimitedError) || Date.now() + pause > deadline) throw error;
      await sleep(pause + Math.random() * pause);
      pause = Math.min(pause * 2, 5_000);
    }
  }
}
