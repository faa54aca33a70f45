// Benchmark support: a whole node (embedded anvil, real store, outbox anchoring on chain) in a
// process of its own, as `aegle node start` runs it but without the per-session rate limit
// (600 requests a minute by default), which would cap any import at a few records a second and
// measure the limiter rather than the pipeline. Prints {"url","rpcUrl","deployment"} and runs
// until SIGTERM.
import { startNode } from '@aegle/node';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: fhir-import-node.ts DATA_DIR');
const node = await startNode({
  dataDir,
  port: 0,
  logFile: false,
  node: { http: { rateLimit: false } },
});
process.stdout.write(
  `${JSON.stringify({ url: node.url, rpcUrl: node.chain.rpcUrl, deployment: node.chain.deployment })}\n`,
);
process.once('SIGTERM', () => {
  node.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
