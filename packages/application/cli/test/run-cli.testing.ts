import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../src/run-cli.ts';

export type CliResult = { code: number; stdout: string; stderr: string };

/** Runs the CLI in-process with captured output and the given environment. */
export async function aegle(
  env: Record<string, string | undefined>,
  ...argv: string[]
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await runCli(argv, {
    stdout,
    stderr,
    stdin: Readable.from([]),
    env,
    isTTY: false,
  });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
