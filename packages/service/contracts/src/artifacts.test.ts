import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { artifactsDir, type CompiledArtifact, compileContracts, solidityDir } from './compile.ts';

// The artifacts are committed so nothing at run time needs solc; this keeps them honest. The
// compile runs inside the test (a full solc-js compile, several seconds), never from a cache.
let fresh: CompiledArtifact[] = [];

test('committed artifacts match a fresh compile of the Solidity sources', () => {
  fresh = compileContracts();
  assert.ok(fresh.length >= 8, `expected every contract, got ${fresh.map((a) => a.name)}`);
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
  assert.ok(fresh.length > 0);
  for (const artifact of fresh) {
    assert.match(artifact.source, /Abi = \[/);
    assert.match(artifact.source, /Bytecode = '0x[0-9a-f]{100,}' as const;/);
  }
});

test('a changed Solidity source yields a different artifact (the comparison can fail)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aegle-solc-'));
  try {
    // The smallest contract keeps this compile short.
    copyFileSync(join(solidityDir, 'NaiveAnchor.sol'), join(dir, 'NaiveAnchor.sol'));
    const original = compileContracts({ solidityDir: dir });
    const source = readFileSync(join(dir, 'NaiveAnchor.sol'), 'utf8');
    writeFileSync(
      join(dir, 'NaiveAnchor.sol'),
      source.replace(
        'error AlreadyAnchored(bytes32 recordId);',
        'error AlreadyAnchored(bytes32 id);',
      ),
    );
    const changed = compileContracts({ solidityDir: dir });
    assert.equal(original[0]?.source, readFileSync(join(artifactsDir, 'NaiveAnchor.ts'), 'utf8'));
    assert.notEqual(changed[0]?.source, original[0]?.source);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
