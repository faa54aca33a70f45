import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { solidityDir } from './compile.ts';
import { Fault, Role, Scope } from './enums.ts';

/** The member names of `enum name { ... }` in a Solidity file, in declaration order. */
function solidityEnum(file: string, name: string): string[] {
  const source = readFileSync(join(solidityDir, file), 'utf8');
  const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(source)?.[1];
  assert.ok(body, `enum ${name} not found in ${file}`);
  return body
    .split(',')
    .map((member) => member.trim())
    .filter(Boolean);
}

/** A TypeScript mirror lists the same members with the values Solidity gives them (0, 1, ...). */
function assertMirrors(mirror: Record<string, number>, members: string[]) {
  assert.deepEqual(
    Object.entries(mirror),
    members.map((member, index) => [member, index]),
  );
}

test('Role, Scope and Fault mirror the Solidity enums', () => {
  assertMirrors(Role, solidityEnum('Accounts.sol', 'Role'));
  assertMirrors(Scope, solidityEnum('Consents.sol', 'Scope'));
  assertMirrors(Fault, solidityEnum('Records.sol', 'Fault'));
});
