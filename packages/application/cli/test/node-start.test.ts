import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startNodeProcess } from './node-process.testing.ts';
import { aegle } from './run-cli.testing.ts';

test('aegle node start --allow-origin, --domain: those web apps may call the node from browsers, no other; sign-in names the domain', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'aegle-node-start-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const app = 'http://localhost:5173';
  const node = await startNodeProcess({ AEGLE_HOME: home }, [
    '--allow-origin',
    app,
    '--allow-origin',
    'https://app.example.org',
    '--domain',
    'node.example.org',
  ]);
  t.after(() => node.stop());
  for (const origin of [app, 'https://app.example.org']) {
    const response = await fetch(`${node.url}/info`, { headers: { origin } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), origin);
  }
  const other = await fetch(`${node.url}/info`, { headers: { origin: 'https://evil.example' } });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  const nonce = await fetch(`${node.url}/auth/nonce`, { method: 'POST' });
  assert.equal(((await nonce.json()) as { domain: string }).domain, 'node.example.org');
});

test('aegle node start refuses an origin with a path at once, in one line, naming it', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'aegle-node-start-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const result = await aegle(
    { AEGLE_HOME: home, AEGLE_ALLOW_ORIGINS: 'http://localhost:5173, https://app.example.org/web' },
    'node',
    'start',
    '--port',
    '0',
  );
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /https:\/\/app\.example\.org\/web/);
  assert.match(result.stderr, /scheme, host and port/);
});

test('aegle node start refuses a URL for --domain before it starts a chain, in one line, naming it', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'aegle-node-start-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const result = await aegle(
    { AEGLE_HOME: home },
    'node',
    'start',
    '--port',
    '0',
    '--domain',
    'https://node.example.org',
  );
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /https:\/\/node\.example\.org/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
  // Refused before the chain: nothing of one was started or written.
  assert.equal(existsSync(join(home, 'node', 'chain')), false);
});
