// Child process of crash-safety.test.ts: stores `size` seeded bytes as one object and reports
// progress on stdout ("progress <bytes yielded>", then "committed <cid>"), then stays alive until
// the test kills it with SIGKILL. It never closes the store: a kill is the only way it ends.
import { ObjectStore } from '../src/index.ts';
import { seededBytes } from './seeded-bytes.ts';

const [dataDir, account, sizeText, seed] = process.argv.slice(2);
if (!dataDir || !account || !sizeText || !seed) {
  throw new Error('usage: crash-writer.ts <dataDir> <account> <size> <seed>');
}
const size = Number(sizeText);
const store = await ObjectStore.open(dataDir);

async function* withProgress(source: AsyncIterable<Uint8Array>) {
  let yielded = 0;
  for await (const piece of source) {
    yield piece;
    yielded += piece.length;
    process.stdout.write(`progress ${yielded}\n`);
  }
}

const { cid } = await store.put({
  account,
  size,
  source: withProgress(seededBytes(seed, size, 1024 * 1024)),
});
process.stdout.write(`committed ${cid}\n`);
setInterval(() => {}, 60_000);
