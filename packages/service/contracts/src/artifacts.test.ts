import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifactsDir, compileContracts } from './compile.ts';

// The artifacts are committed so nothing at run time needs solc; this keeps them honest.
const fresh = compileContracts();

test('committed artifacts match a fresh compile of the Solidity sources', () => {
  const committed = readdirSync(artifactsDir).sort();
  assert.deepEqual(
    committed,
    fresh.map((a) => a.fileName).sort(),
    'artifact files differ: run node packages/service/contracts/scripts/build.ts',
  );
  for (const artifact of fresh) {
    const onDisk = readFileSync(join(artifactsDir, artifact.fileName), 'utf8');
    assert.ok(
      onDisk === artifact.source,
      `${artifact.fileName} is stale: run node packages/service/contracts/scripts/build.ts`,
    );
  }
});

test('every deployable contract has an ABI and creation bytecode', () => {
  for (const artifact of fresh) {
    assert.match(artifact.source, /Abi = \[/);
    assert.match(artifact.source, /Bytecode = '0x[0-9a-f]{100,}' as const;/);
  }
});
