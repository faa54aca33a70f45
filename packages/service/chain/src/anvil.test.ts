import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startAnvil } from './anvil.ts';
import type { AnvilCrashedError } from './errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'aegle-anvil-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a corrupt state file fails the start with AnvilStartError, not a crash report', async () => {
  const dataDir = join(dir, 'corrupt');
  mkdirSync(join(dataDir, 'chain'), { recursive: true });
  writeFileSync(join(dataDir, 'chain', 'anvil-state.json'), '{"not":"a state"');
  const crashes: AnvilCrashedError[] = [];
  await assert.rejects(startAnvil({ dataDir, onCrash: (e) => crashes.push(e) }), {
    name: 'AnvilStartError',
  });
  assert.equal(crashes.length, 0);
});

test('starts on a free port, answers JSON-RPC, and a stop dumps the state file', async () => {
  const anvil = await startAnvil({ dataDir: join(dir, 'fresh'), chainId: 4242 });
  try {
    assert.ok(anvil.port > 0);
    const response = await fetch(anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    });
    assert.equal(((await response.json()) as { result: string }).result, '0x1092');
  } finally {
    await anvil.stop();
  }
  assert.equal(await anvil.exited, undefined);
  assert.ok(statSync(anvil.statePath).size > 0);
});
