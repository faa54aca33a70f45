import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { aegle } from './run-cli.testing.ts';

let home: string;
let env: Record<string, string>;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aegle-cli-'));
  env = { AEGLE_HOME: home, AEGLE_PASSPHRASE: 'a long test passphrase' };
});
after(() => rm(home, { recursive: true, force: true }));

test('account create, list, export and import, with --json', async () => {
  const created = await aegle(
    env,
    'account',
    'create',
    '--name',
    'alice',
    '--role',
    'patient',
    '--json',
  );
  assert.equal(created.code, 0, created.stderr);
  const alice = JSON.parse(created.stdout);
  assert.equal(alice.name, 'alice');
  assert.equal(alice.role, 'patient');
  assert.match(alice.address, /^0x[0-9a-fA-F]{40}$/);

  const file = join(home, 'identities', 'alice.json');
  assert.equal((await stat(file)).mode & 0o777, 0o600, 'identity files are private');
  assert.equal((await stat(join(home, 'identities'))).mode & 0o777, 0o700);

  const list = await aegle(env, 'account', 'list', '--json');
  assert.deepEqual(
    JSON.parse(list.stdout).map((i: { name: string }) => i.name),
    ['alice'],
  );
  const human = await aegle(env, 'account', 'list');
  assert.match(human.stdout, new RegExp(`alice\\tpatient\\t${alice.address}`));

  const exportPath = join(home, 'alice-export.json');
  const exported = await aegle(env, 'account', 'export', 'alice', '--out', exportPath);
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal(JSON.parse(await readFile(exportPath, 'utf8')).keystore.address, alice.address);

  const otherHome = join(home, 'other');
  const otherEnv = { ...env, AEGLE_HOME: otherHome };
  const wrong = await aegle(
    { ...otherEnv, AEGLE_PASSPHRASE: 'wrong' },
    'account',
    'import',
    exportPath,
  );
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^aegle: .*passphrase.*\n$/i, 'one line saying what went wrong');
  const imported = await aegle(otherEnv, 'account', 'import', exportPath, '--json');
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(JSON.parse(imported.stdout).address, alice.address);
});

test('errors: one line on stderr, non-zero exit, and nothing secret echoed', async () => {
  const duplicate = await aegle(env, 'account', 'create', '--name', 'bob', '--role', 'patient');
  assert.equal(duplicate.code, 0, duplicate.stderr);
  const again = await aegle(env, 'account', 'create', '--name', 'bob', '--role', 'patient');
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);
  assert.equal(again.stderr.trim().split('\n').length, 1);
  assert.ok(!again.stderr.includes(env.AEGLE_PASSPHRASE as string));

  const badRole = await aegle(env, 'account', 'create', '--name', 'carol', '--role', 'doctor');
  assert.equal(badRole.code, 1);
  assert.match(badRole.stderr, /not a role; use one of: patient, provider/);

  const missing = await aegle(env, 'account', 'create', '--name', 'carol');
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /needs --name and --role/);

  const unknown = await aegle(env, 'frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"; run `aegle help`/);

  const badOption = await aegle(env, 'account', 'list', '--colour');
  assert.equal(badOption.code, 2);

  const noPassphrase = await aegle(
    { AEGLE_HOME: home },
    'account',
    'create',
    '--name',
    'dan',
    '--role',
    'patient',
  );
  assert.equal(noPassphrase.code, 1);
  assert.match(noPassphrase.stderr, /AEGLE_PASSPHRASE/);

  const json = await aegle(env, 'account', 'export', 'nobody', '--json');
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.stderr).error.name, 'UnknownIdentityError');
});

test('help lists every command', async () => {
  const help = await aegle(env, 'help');
  assert.equal(help.code, 0);
  for (const path of ['account create', 'account list', 'account export', 'account import']) {
    assert.ok(help.stdout.includes(`aegle ${path}`), path);
  }
});
