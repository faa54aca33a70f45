// Runs every benchmark file (packages/*/*/bench/*.bench.ts), each in its own Node process so that
// peak-RSS figures are the benchmark's own, and passes their JSON lines through to stdout.
// Usage: npm run bench [-- name-filter]
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

const filter = process.argv[2];
const files = globSync('packages/*/*/bench/*.bench.ts')
  .filter((file) => !filter || file.includes(filter))
  .sort();
let failed = 0;
for (const file of files) {
  const run = spawnSync(process.execPath, [file], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) {
    failed++;
    console.error(`bench: ${file} exited with ${run.status ?? run.signal}`);
  }
}
if (files.length === 0) console.error('bench: no benchmark files matched');
process.exitCode = failed > 0 ? 1 : 0;
