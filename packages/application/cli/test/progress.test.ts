// Output conventions against a real node: a progress bar on a terminal only (stderr), nothing
// extra when piped; `aegle help` lists every command.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { COMMANDS } from '../src/commands/index.ts';
import { runCli } from '../src/run-cli.ts';
import { type CliNode, startCliNode } from './cli-node.testing.ts';
import { aegle } from './run-cli.testing.ts';

let home: string;
let env: Record<string, string>;
let cli: CliNode;

before(async () => {
  cli = await startCliNode('aegle-cli-progress-');
  ({ home, env } = cli);
});
after(() => cli?.close());

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
