import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readArchiveLines } from './archive-lines.ts';
import { scanArchive } from './read-archive.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegle-archive-stream-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

async function* pieces(...parts: number[][]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield Uint8Array.from(p);
}

test('readArchiveLines gives each line with its byte offsets, in a range too', async () => {
  const file = join(dir, 'lines.txt');
  await writeFile(file, 'ab\n\nçd\r\nlast');
  const lines = await collect(readArchiveLines(file));
  assert.deepEqual(lines, [
    { text: 'ab', start: 0, end: 2 },
    { text: '', start: 3, end: 3 },
    { text: 'çd', start: 4, end: 8 },
    { text: 'last', start: 9, end: 13 },
  ]);
  const third = lines[2] as { start: number; end: number };
  assert.deepEqual(
    (await collect(readArchiveLines(file, { start: third.start, end: third.end + 1 }))).map(
      (l) => l.text,
    ),
    ['çd'],
  );
});

const header = (count: number) =>
  JSON.stringify({
    format: 'aegle-archive',
    version: 2,
    patient: `0x${'1'.repeat(40)}`,
    deployment: { chainId: 1, records: `0x${'2'.repeat(40)}` },
    createdAt: '2026-01-01T00:00:00.000Z',
    count,
  });
const recordLine = (id: number, ciphertextSize: number, chunks: number) =>
  JSON.stringify({
    record: { recordId: `0x${String(id).padStart(64, '0')}` },
    entry: { signature: '0x' },
    wrappedKey: '0x',
    metadata: '',
    ciphertextSize,
    chunks,
  });
const chunk = (bytes: number[]) => JSON.stringify(Buffer.from(bytes).toString('base64'));

test('scanArchive finds each record’s chunks and streams them back from the file', async () => {
  const file = join(dir, 'two.aegle');
  await writeFile(
    file,
    `${[
      header(3),
      recordLine(1, 10, 3),
      chunk([1, 2, 3, 4]),
      chunk([5, 6, 7, 8]),
      chunk([9, 10]),
      recordLine(2, 0, 0),
      recordLine(3, 1, 1),
      chunk([42]),
    ].join('\n')}\n`,
  );
  const scanned = await scanArchive(file, 'two.aegle');
  assert.equal(scanned.records.length, 3);
  const bytes = async (i: number) => [
    ...Buffer.concat(await collect(scanned.records[i]?.ciphertext() ?? pieces())),
  ];
  assert.deepEqual(await bytes(0), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(await bytes(1), []);
  assert.deepEqual(await bytes(2), [42]);
  // Read again: the file is the buffer.
  assert.deepEqual(await bytes(0), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(
    scanned.records.map((r) => r.ciphertextSize),
    [10, 0, 1],
  );
});

test('scanArchive refuses a record whose chunks are missing, short or not chunks', async () => {
  const cases: [string, string[], RegExp][] = [
    [
      'missing-chunk',
      [header(2), recordLine(1, 8, 2), chunk([1, 2, 3, 4]), recordLine(2, 0, 0)],
      /line 4 is not a ciphertext chunk/,
    ],
    [
      'short',
      [header(1), recordLine(1, 8, 2), chunk([1, 2, 3, 4]), chunk([5])],
      /5 of its 8 ciphertext bytes/,
    ],
    ['cut-at-end', [header(1), recordLine(1, 8, 2), chunk([1, 2, 3, 4])], /4 of its 8/],
    [
      'cut-line',
      [header(1), recordLine(1, 4, 1), chunk([1, 2, 3, 4]).slice(0, 3)],
      /line 3 is not JSON/,
    ],
    ['count', [header(2), recordLine(1, 1, 1), chunk([1])], /1 of the 2 records/],
    ['not-base64', [header(1), recordLine(1, 1, 1), '"%%%"'], /line 3 is not a ciphertext chunk/],
  ];
  for (const [name, lines, message] of cases) {
    const file = join(dir, `${name}.aegle`);
    await writeFile(file, `${lines.join('\n')}\n`);
    await assert.rejects(scanArchive(file, name), message, name);
  }
});
