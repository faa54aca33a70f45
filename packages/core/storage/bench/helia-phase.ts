// One measured phase of ingest-helia.bench.ts, in its own process so its peak RSS is its own.
//   add <input> <blockDir>   @helia/unixfs addByteStream into a blockstore-fs store; prints {cid, ms}
//   cat <blockDir> <cid>     @helia/unixfs cat of it; prints {ms}
import { createReadStream } from 'node:fs';
import { unixfs } from '@helia/unixfs';
import { FsBlockstore } from 'blockstore-fs';
import { CID } from 'multiformats/cid';
import { drain, INPUT_SIZE, peakRssMb } from './bench-support.ts';

const [phase, a, b] = process.argv.slice(2) as [string, string, string];

if (phase === 'add') {
  const blockstore = new FsBlockstore(b);
  await blockstore.open();
  const fs = unixfs({ blockstore });
  const start = performance.now();
  const cid = await fs.addByteStream(createReadStream(a, { highWaterMark: 1024 * 1024 }));
  const ms = performance.now() - start;
  await blockstore.close();
  console.log(JSON.stringify({ cid: cid.toString(), ms, peakRssMb: peakRssMb() }));
} else if (phase === 'cat') {
  const blockstore = new FsBlockstore(a);
  await blockstore.open();
  const fs = unixfs({ blockstore });
  const start = performance.now();
  const bytes = await drain(fs.cat(CID.parse(b)));
  const ms = performance.now() - start;
  await blockstore.close();
  if (bytes !== INPUT_SIZE) throw new Error(`read ${bytes} bytes, expected ${INPUT_SIZE}`);
  console.log(JSON.stringify({ ms, peakRssMb: peakRssMb() }));
} else {
  throw new Error('usage: helia-phase.ts add <input> <blockDir> | cat <blockDir> <cid>');
}
