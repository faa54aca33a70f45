// Builds the contracts: `node packages/service/contracts/scripts/build.ts`.
// Writes src/artifacts/<Contract>.ts (ABI `as const` + bytecode), which are committed so that
// nothing at run time needs the compiler. A test fails when they are stale.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir, compileContracts } from '../src/compile.ts';

const artifacts = compileContracts();
mkdirSync(artifactsDir, { recursive: true });
for (const old of readdirSync(artifactsDir)) rmSync(join(artifactsDir, old));
for (const artifact of artifacts)
  writeFileSync(join(artifactsDir, artifact.fileName), artifact.source);
console.log(`wrote ${artifacts.length} artifacts: ${artifacts.map((a) => a.name).join(', ')}`);
