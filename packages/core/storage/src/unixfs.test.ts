import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { sha256 as nobleSha256 } from './sha256/sha256-noble.ts';
import { sha256 as nodeSha256 } from './sha256/sha256-node.ts';

const srcDir = new URL('./', import.meta.url);

/** Every local module reachable from `entry`, following relative and `#sha256` (browser) imports. */
async function browserImportGraph(entry: string): Promise<Map<string, string[]>> {
  const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
  const browserTarget = (specifier: string) =>
    String(manifest.imports[specifier].default).replace('./src/', '');
  const graph = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (graph.has(file)) continue;
    const source = await readFile(new URL(file, srcDir), 'utf8');
    const specifiers = [...source.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)].map(
      (m) => m[1] as string,
    );
    graph.set(file, specifiers);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        queue.push(new URL(specifier, new URL(file, srcDir)).pathname.split('/src/').pop() ?? '');
      } else if (specifier.startsWith('#')) {
        queue.push(browserTarget(specifier));
      }
    }
  }
  return graph;
}

test('@aegle/storage/unixfs reaches no node:* module on the browser path', async () => {
  const graph = await browserImportGraph('unixfs.ts');
  assert.ok(graph.has('build-unixfs-dag.ts') && graph.has('sha256/sha256-noble.ts'));
  assert.ok(!graph.has('sha256/sha256-node.ts'));
  for (const [file, specifiers] of graph) {
    for (const specifier of specifiers) {
      assert.ok(!specifier.startsWith('node:'), `${file} imports ${specifier}`);
    }
  }
});

test('the Node and browser SHA-256 agree (FIPS 180-2 "abc", and 1 MiB of pattern)', () => {
  const abc = new TextEncoder().encode('abc');
  assert.equal(
    Buffer.from(nobleSha256(abc)).toString('hex'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  assert.deepEqual(Buffer.from(nodeSha256(abc)), Buffer.from(nobleSha256(abc)));
  const big = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff);
  assert.deepEqual(Buffer.from(nodeSha256(big)), Buffer.from(nobleSha256(big)));
});
