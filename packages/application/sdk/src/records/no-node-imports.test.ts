// The SDK runs in browsers: its own modules (tests and test support aside) import no node:*
// built-in. What the packages it depends on import is their concern (see docs/KEYS.md, "Browsers").
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';

const src = path.resolve(import.meta.dirname, '..');

test('no module under sdk/src imports a node: built-in', async () => {
  const files = (await readdir(src, { recursive: true })).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.testing.ts'),
  );
  assert.ok(files.length > 10);
  const offenders: string[] = [];
  for (const file of files) {
    const text = await readFile(path.join(src, file), 'utf8');
    if (/(from|import)\s*\(?\s*['"]node:/.test(text) || /\bBuffer\./.test(text))
      offenders.push(file);
  }
  assert.deepEqual(offenders, []);
});

test('the SDK reaches storage only through its browser-safe entry, @aegle/storage/unixfs', async () => {
  const files = (await readdir(src, { recursive: true })).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.testing.ts'),
  );
  const offenders: string[] = [];
  for (const file of files) {
    const text = await readFile(path.join(src, file), 'utf8');
    if (/from\s*['"]@aegle\/(storage|chain|node)['"]/.test(text)) offenders.push(file);
  }
  assert.deepEqual(offenders, []);
});
