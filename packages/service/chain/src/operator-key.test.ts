import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadOrCreateOperatorKey, operatorKeyPath, readOperatorKey } from './operator-key.ts';

const dir = mkdtempSync(join(tmpdir(), 'aegle-operator-key-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('creates a key with mode 0600 once, then loads the same key', () => {
  const path = operatorKeyPath(dir);
  const created = loadOrCreateOperatorKey(path);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.match(readFileSync(path, 'utf8'), /^0x[0-9a-f]{64}\n$/);
  assert.equal(loadOrCreateOperatorKey(path).address, created.address);
});

test('refuses a key file others can read, and a malformed one', () => {
  const path = join(dir, 'loose.key');
  writeFileSync(path, `0x${'11'.repeat(32)}\n`, { mode: 0o644 });
  chmodSync(path, 0o644);
  assert.throws(() => readOperatorKey(path), { name: 'OperatorKeyError', message: /chmod 600/ });
  chmodSync(path, 0o600);
  assert.equal(readOperatorKey(path).address.length, 42);
  writeFileSync(path, 'not a key\n');
  assert.throws(() => readOperatorKey(path), { name: 'OperatorKeyError' });
});
