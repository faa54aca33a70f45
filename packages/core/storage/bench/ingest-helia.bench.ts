// The peer to ingest.bench.ts: @helia/unixfs addByteStream of the same 1 GiB plaintext into a
// blockstore-fs store (no encryption, one copy, no fsync), then its cat. Prints
// {"bench":"ingest-helia",…} and {"bench":"read-helia",…}, each phase in its own process.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import {
  INPUT_SIZE,
  measurePrimitives,
  rate,
  report,
  runPhase,
  settleDisk,
  writeInputFile,
} from './bench-support.ts';

const PHASE = path.join(import.meta.dirname, 'helia-phase.ts');
const { dir, file } = await writeInputFile();
try {
  const primitives = measurePrimitives();
  const blockDir = path.join(dir, 'blocks');
  const add = await runPhase(PHASE, ['add', file, blockDir], {});
  report('ingest-helia', rate(INPUT_SIZE, add.ms), primitives, add.peakRssMb);
  settleDisk();
  const cat = await runPhase(PHASE, ['cat', blockDir, String(add.cid)], {});
  report('read-helia', rate(INPUT_SIZE, cat.ms), primitives, cat.peakRssMb);
} finally {
  await rm(dir, { recursive: true, force: true });
}
