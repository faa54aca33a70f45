// The load generator of api-read.bench.ts, run in its own process so that it does not share the
// node's event loop. Reads its job from the JSON file named by argv[2], prints autocannon's figures as one JSON line.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

type Job = { url: string; token: string; paths: string[]; connections: number; durationS: number };

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (options: unknown) => Promise<{
  requests: { average: number };
  latency: { p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}>;

const job = JSON.parse(await readFile(process.argv[2] ?? '', 'utf8')) as Job;
let next = 0;
const result = await autocannon({
  url: job.url,
  connections: job.connections,
  duration: job.durationS,
  headers: { authorization: `Bearer ${job.token}` },
  requests: [
    {
      method: 'GET',
      // Rotate over many records, so reads are not all served by one hot row.
      setupRequest: (request: Record<string, unknown>) => ({
        ...request,
        path: job.paths[next++ % job.paths.length],
      }),
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    req_per_s: result.requests.average,
    p99_ms: result.latency.p99,
    mean_ms: result.latency.average,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  })}\n`,
);
