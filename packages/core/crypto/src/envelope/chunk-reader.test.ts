import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkReader } from './chunk-reader.ts';
import { chunked, patternBytes } from './streams.testing.ts';

async function segmentsOf(bytes: Uint8Array, chunkSizes: number[], size: number) {
  const out: { bytes: number[]; last: boolean }[] = [];
  for await (const s of new ChunkReader(chunked(bytes, chunkSizes)).segments(size)) {
    out.push({ bytes: [...s.bytes], last: s.last });
  }
  return out;
}

test('segments are exact-size, only the final one is marked last, whatever the chunking', async () => {
  const data = patternBytes(23);
  for (const chunkSizes of [[1], [4], [5], [7, 1, 9], [23], [100]]) {
    const segments = await segmentsOf(data, chunkSizes, 5);
    assert.deepEqual(
      segments.map((s) => s.bytes.length),
      [5, 5, 5, 5, 3],
    );
    assert.deepEqual(
      segments.map((s) => s.last),
      [false, false, false, false, true],
    );
    assert.deepEqual(
      segments.flatMap((s) => s.bytes),
      [...data],
    );
  }
});

test('a multiple of the segment size ends with a full last segment; empty input gives one empty segment', async () => {
  assert.deepEqual(
    (await segmentsOf(patternBytes(10), [3], 5)).map((s) => [s.bytes.length, s.last]),
    [
      [5, false],
      [5, true],
    ],
  );
  assert.deepEqual(await segmentsOf(new Uint8Array(0), [1], 5), [{ bytes: [], last: true }]);
});

test('empty chunks are skipped and do not count as more data', async () => {
  async function* source() {
    yield new Uint8Array([1, 2, 3, 4, 5]);
    yield new Uint8Array(0);
    yield new Uint8Array(0);
  }
  const out = [];
  for await (const s of new ChunkReader(source()).segments(5)) out.push([s.bytes.length, s.last]);
  assert.deepEqual(out, [[5, true]]);
});

test('read() returns what is there, then segments() continues after it', async () => {
  const reader = new ChunkReader(chunked(patternBytes(12), [2, 3]));
  assert.deepEqual([...(await reader.read(4))], [...patternBytes(12).subarray(0, 4)]);
  const rest = [];
  for await (const s of reader.segments(4)) rest.push(...s.bytes);
  assert.deepEqual(rest, [...patternBytes(12).subarray(4)]);
  const short = new ChunkReader(chunked(patternBytes(3)));
  assert.equal((await short.read(10)).length, 3);
});

test('a source that yields something other than bytes is refused', async () => {
  async function* strings() {
    yield 'text' as unknown as Uint8Array;
  }
  await assert.rejects(new ChunkReader(strings()).read(1), TypeError);
});

test('close() releases the source early', async () => {
  let finished = false;
  async function* source() {
    try {
      for (;;) yield new Uint8Array(8);
    } finally {
      finished = true;
    }
  }
  const reader = new ChunkReader(source());
  await reader.read(3);
  await reader.close();
  assert.equal(finished, true);
});

test('a stream shorter than a segment is held in a buffer of its own size, not a whole segment', async () => {
  const size = 1024 * 1024;
  for (const chunkSizes of [[3000], [1000, 1000, 1000]]) {
    const segments: Uint8Array[] = [];
    for await (const s of new ChunkReader(chunked(patternBytes(3000), chunkSizes)).segments(size)) {
      segments.push(s.bytes);
    }
    assert.equal(segments.length, 1);
    assert.equal(segments[0]?.length, 3000);
    // One chunk: its exact copy. Several: the segment spans chunks, so a segment buffer is made.
    const held = segments[0]?.buffer.byteLength;
    assert.equal(held, chunkSizes.length === 1 ? 3000 : size);
  }
});

test('a source that reuses its buffer after each chunk still gives the right segments', async () => {
  const data = patternBytes(50);
  const shared = new Uint8Array(7);
  async function* reusing() {
    for (let i = 0; i < data.length; i += 7) {
      const piece = data.subarray(i, i + 7);
      shared.set(piece);
      yield shared.subarray(0, piece.length);
      shared.fill(0xee);
    }
  }
  const out: number[] = [];
  for await (const s of new ChunkReader(reusing()).segments(16)) out.push(...s.bytes);
  assert.deepEqual(out, [...data]);
});
