// The node:crypto and WebCrypto segment ciphers must be interchangeable: same bytes out, and
// each decrypts the other's output.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { generateDataKey } from './data-key.ts';
import { decryptStreamWith } from './decrypt-stream-with.ts';
import { encryptStreamWith } from './encrypt-stream-with.ts';
import { createSegmentCipher as createNodeCipher } from './segment-cipher-node.ts';
import { createSegmentCipher as createWebCryptoCipher } from './segment-cipher-webcrypto.ts';
import { chunked, collect, patternBytes } from './streams.testing.ts';

const randomness = { salt: patternBytes(32, 3), noncePrefix: patternBytes(7, 4) };
const implementations = [
  ['node', createNodeCipher],
  ['webcrypto', createWebCryptoCipher],
] as const;

test('node:crypto and WebCrypto produce byte-identical streams', async () => {
  const dek = generateDataKey();
  for (const length of [0, 1, 1000, 65_536, 200_001]) {
    const plaintext = patternBytes(length, length + 5);
    const outputs = await Promise.all(
      implementations.map(([, create]) =>
        collect(
          encryptStreamWith(
            chunked(plaintext, [4096, 999]),
            dek,
            { randomness, segmentSize: 4096 },
            create,
          ),
        ),
      ),
    );
    assert.deepEqual(outputs[0], outputs[1], `length ${length}`);
  }
});

test("each implementation decrypts the other one's output", async () => {
  const dek = generateDataKey();
  const plaintext = patternBytes(300_000, 11);
  for (const [encryptName, encryptWith] of implementations) {
    const ciphertext = await collect(
      encryptStreamWith(chunked(plaintext, [70_000]), dek, {}, encryptWith),
    );
    for (const [decryptName, decryptWith] of implementations) {
      const decrypted = await collect(
        decryptStreamWith(chunked(ciphertext, [5000]), dek, decryptWith),
      );
      assert.deepEqual(decrypted, plaintext, `${encryptName} → ${decryptName}`);
    }
  }
});

test('the package maps #segment-cipher to node:crypto under Node and to WebCrypto elsewhere', async () => {
  const manifest = JSON.parse(
    await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
  );
  assert.deepEqual(manifest.imports['#segment-cipher'], {
    node: './src/envelope/segment-cipher-node.ts',
    default: './src/envelope/segment-cipher-webcrypto.ts',
  });
  const selected = await import('#segment-cipher');
  assert.equal(selected.createSegmentCipher, createNodeCipher);
});

test("no module on the browser path imports node:* (only the package's Node-only imports may)", async () => {
  const root = new URL('../', import.meta.url);
  // The "node" targets of package.json's "imports" (#segment-cipher, #hpke-primitives): browsers
  // resolve those names to their "default" targets instead.
  const manifest = JSON.parse(
    await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { imports: Record<string, { node?: string; default: string }> };
  const nodeOnly = Object.values(manifest.imports).flatMap((target) =>
    target.node ? [target.node.replace(/^\.\/src\//, '')] : [],
  );
  assert.deepEqual(nodeOnly.sort(), [
    'envelope/segment-cipher-node.ts',
    'wrap/hpke-primitives-node.ts',
  ]);
  const files = (await readdir(root, { recursive: true })).filter(
    (file) =>
      file.endsWith('.ts') &&
      !file.endsWith('.test.ts') &&
      !file.endsWith('.testing.ts') &&
      !nodeOnly.includes(file),
  );
  assert.ok(files.length > 20, `found only ${files.length} source files`);
  for (const file of files) {
    const source = await readFile(new URL(file, root), 'utf8');
    assert.doesNotMatch(source, /from ['"]node:|import\(['"]node:|require\(/, file);
  }
});
