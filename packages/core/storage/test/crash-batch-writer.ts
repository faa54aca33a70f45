// Child process of crash-safety.test.ts: stores batches of small objects with putMany, one after
// another, and reports each on stdout ("committed <batch> <cid,cid,…>") once putMany returns,
// until the test kills it with SIGKILL. The next batch's bytes are made before a batch is
// reported, so that a kill sent on a report lands inside the next putMany. Object `i` of batch
// `b` is batchObject(b, i). It never closes the store: a kill is the only way it ends.
import { ObjectStore } from '../src/index.ts';
import { batchObject, OBJECTS_PER_BATCH } from './batch-objects.ts';

const [dataDir, account] = process.argv.slice(2);
if (!dataDir || !account) throw new Error('usage: crash-batch-writer.ts <dataDir> <account>');
const store = await ObjectStore.open(dataDir);
const inputsOf = (batch: number) =>
  Promise.all(
    Array.from({ length: OBJECTS_PER_BATCH }, async (_, i) => ({
      account,
      bytes: await batchObject(batch, i),
    })),
  );
let inputs = await inputsOf(0);
for (let batch = 0; ; batch++) {
  const stored = await store.putMany(inputs);
  inputs = await inputsOf(batch + 1);
  process.stdout.write(`committed ${batch} ${stored.map((s) => s.cid.toString()).join(',')}\n`);
}
