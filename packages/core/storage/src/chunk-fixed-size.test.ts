import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkFixedSize } from './chunk-fixed-size.ts';

async function chunks(inputs: Uint8Array[], size: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of chunkFixedSize(inputs, size)) out.push(chunk);
  return out;
}

test('cuts across input boundaries into exact chunks, the last one shorter, bytes in order', async () => {
  const inputs = [Uint8Array.of(1, 2, 3), Uint8Array.of(4), Uint8Array.of(5, 6, 7, 8, 9, 10, 11)];
  const out = await chunks(inputs, 4);
  assert.deepEqual(
    out.map((c) => [...c]),
    [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11],
    ],
  );
});

test('an empty stream gives one empty chunk (as the importer, so an empty file has a CID)', async () => {
  assert.deepEqual(await chunks([], 4), [new Uint8Array(0)]);
  assert.deepEqual(await chunks([new Uint8Array(0)], 4), [new Uint8Array(0)]);
});

test('chunks lying inside one input are views of it, not copies', async () => {
  const input = new Uint8Array(12).map((_, i) => i);
  const out = await chunks([input], 4);
  assert.equal(out.length, 3);
  for (const chunk of out) assert.equal(chunk.buffer, input.buffer);
});

test('an exact multiple yields no trailing empty chunk', async () => {
  const out = await chunks([new Uint8Array(8)], 4);
  assert.deepEqual(
    out.map((c) => c.length),
    [4, 4],
  );
});

test('release gets each input once it is all copied, and never an input a chunk is a view of', async () => {
  const copiedA = Uint8Array.of(1, 2, 3); // into the first assembled chunk
  const copiedB = Uint8Array.of(4, 5); // completes it, then starts the next
  const viewed = new Uint8Array(9).map((_, i) => 6 + i); // holds whole chunks: views of it
  const copiedC = Uint8Array.of(15); // fills the last partial chunk
  const released: Uint8Array[] = [];
  const out: number[][] = [];
  for await (const chunk of chunkFixedSize(
    [copiedA, copiedB, viewed, copiedC],
    4,
    (size) => new Uint8Array(size),
    (input) => {
      released.push(input);
      input.fill(0); // as freeLeaf would: the bytes are gone
    },
  )) {
    out.push([...chunk]);
  }
  assert.deepEqual(released, [copiedA, copiedB, copiedC]);
  // Every byte survived its input's release: they were copied before it.
  assert.deepEqual(out, [
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [9, 10, 11, 12],
    [13, 14, 15],
  ]);
});
