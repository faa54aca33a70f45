import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotGrantedError, RateLimitedError } from './errors.ts';
import { retryWhenRateLimited } from './retry-when-rate-limited.ts';

const limited = () => new RateLimitedError({ status: 429, type: 'rate-limited' });

test('a call refused with 429 runs again after growing pauses, until it answers', async () => {
  const pauses: number[] = [];
  let calls = 0;
  const answer = await retryWhenRateLimited(
    async () => {
      calls++;
      if (calls < 4) throw limited();
      return 'stored';
    },
    { sleep: async (ms) => void pauses.push(ms) },
  );
  assert.equal(answer, 'stored');
  assert.equal(calls, 4);
  assert.equal(pauses.length, 3);
  // 250, 500, 1000 ms, each with up to as much again at random.
  for (const [i, pause] of pauses.entries()) {
    assert.ok(pause >= 250 * 2 ** i && pause <= 500 * 2 ** i, `pause ${i}: ${pause}`);
  }
});

test('any other error is thrown at once, and a 429 past the patience is thrown too', async () => {
  let calls = 0;
  await assert.rejects(
    retryWhenRateLimited(async () => {
      calls++;
      throw new NotGrantedError({ status: 403, type: 'not-granted' });
    }),
    { name: 'NotGrantedError' },
  );
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(
    retryWhenRateLimited(
      async () => {
        calls++;
        throw limited();
      },
      { patienceMs: 100, sleep: async () => {} },
    ),
    { name: 'RateLimitedError' },
  );
  assert.equal(calls, 1, 'the first pause (250 ms) is already past 100 ms of patience');
});
