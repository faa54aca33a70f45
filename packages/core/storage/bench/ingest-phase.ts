// One measured phase of ingest.bench.ts, in its own process so its peak RSS is its own.
//   put  <input> <dataDir>   read the file → encryptStream → ObjectStore.put; prints {cid, ms}
//   get  <dataDir> <cid>     ObjectStore.get (every block re-hashed) → decryptStream; prints {ms}
// The data key comes in AEGLE_BENCH_KEY (hex), never on the command line.
import { ciphertextLength, decryptStream, encryptStream } from '@aegle/crypto';
import { ObjectStore } from '../src/index.ts';
import { drain, INPUT_SIZE, peakRssMb, readFileInPlace } from './bench-support.ts';

const ACCOUNT = '0x00000000000000000000000000000000000000b1';
const key = Buffer.from(process.env.AEGLE_BENCH_KEY ?? '', 'hex');
const [phase, a, b] = process.argv.slice(2) as [string, string, string];

if (phase === 'put') {
  const store = await ObjectStore.open(b);
  store.setLimit(ACCOUNT, 2 * INPUT_SIZE);
  const start = performance.now();
  const { cid } = await store.put({
    account: ACCOUNT,
    size: ciphertextLength(INPUT_SIZE),
    source: encryptStream(readFileInPlace(a), key),
  });
  const ms = performance.now() - start;
  await store.close();
  console.log(JSON.stringify({ cid: cid.toString(), ms, peakRssMb: peakRssMb() }));
} else if (phase === 'get') {
  const store = await ObjectStore.open(a);
  const start = performance.now();
  const bytes = await drain(decryptStream(store.get(b), key));
  const ms = performance.now() - start;
  await store.close();
  if (bytes !== INPUT_SIZE) throw new Error(`read ${bytes} bytes, expected ${INPUT_SIZE}`);
  console.log(JSON.stringify({ ms, peakRssMb: peakRssMb() }));
} else {
  throw new Error('usage: ingest-phase.ts put <input> <dataDir> | get <dataDir> <cid>');
}
