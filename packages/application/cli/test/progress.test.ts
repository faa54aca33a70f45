// Output conventions against a real node: a progress bar on a terminal only (stderr), nothing
// extra when piped; `aegle help` lists every command.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { type RunningNode, startNode } from '@aegle/node';
import { COMMANDS } from '../src/commands/index.ts';
import { writeNodeFile } from '../src/node-file.ts';
import { runCli } from '../src/run-cli.ts';
import { aegle } from './run-cli.testing.ts';

let home: string;
let env: Record<string, string>;
let node: RunningNode;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aegle-cli-progress-'));
  env = { AEGLE_HOME: home, AEGLE_PASSPHRASE: 'a long test passphrase' };
  node = await startNode({ dataDir: join(home, 'node'), port: 0, logFile: false });
  const d = node.chain.deployment;
  await writeNodeFile(home, {
    url: node.url,
    rpcUrl: node.chain.rpcUrl,
    dataDir: join(home, 'node'),
    pid: process.pid,
    mode: 'embedded',
    deployment: { chainId: d.chainId, deployedAtBlock: d.deployedAtBlock, contracts: d.contracts },
  });
  const created = await aegle(env, 'account', 'create', '--name', 'alice', '--role', 'patient');
  assert.equal(created.code, 0, created.stderr);
});
after(async () => {
  await node?.close();
  await rm(home, { recursive: true, force: true });
});

async function run(isTTY: boolean, ...argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await runCli(argv, { stdout, stderr, stdin: Readable.from([]), env, isTTY });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

test('a progress bar on a terminal, nothing extra when piped', { timeout: 60_000 }, async () => {
  const file = join(home, 'big.bin');
  await writeFile(file, randomBytes(8 * 1024 * 1024));
  const tty = await run(true, 'record', 'add', file, '--category', 'Imaging', '--as', 'alice');
  assert.equal(tty.code, 0, tty.stderr);
  assert.match(tty.stderr, /\rupload \[#+\.*\] [\d.]+\/[\d.]+ MB/);
  const id = tty.stdout.split('\t')[0] as string;

  const piped = await run(false, 'record', 'add', file, '--category', 'Imaging', '--as', 'alice');
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stderr, '', 'nothing on stderr when not a terminal');
  assert.match(piped.stdout, /^0x[0-9a-f]{64}\tImaging\t/);

  const download = await run(
    true,
    'record',
    'get',
    id,
    '--out',
    join(home, 'copy.bin'),
    '--as',
    'alice',
  );
  assert.equal(download.code, 0, download.stderr);
  assert.match(download.stderr, /\rdownload \[/);
  const json = await run(
    true,
    'record',
    'get',
    id,
    '--out',
    join(home, 'copy2.bin'),
    '--as',
    'alice',
    '--json',
  );
  assert.equal(json.stderr, '', '--json output has no progress bar');
});

test('help lists every command', async () => {
  const help = await aegle(env, 'help');
  assert.equal(help.code, 0);
  for (const command of COMMANDS)
    assert.ok(help.stdout.includes(`aegle ${command.path}`), command.path);
  assert.ok(COMMANDS.length >= 20);
});
