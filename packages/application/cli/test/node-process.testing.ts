// Test support: `aegle node start` as a real child process (its own anvil, its own data dir), the
// way an operator runs it, stopped with SIGTERM like Ctrl-C.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const repo = join(import.meta.dirname, '..', '..', '..', '..');
const nodeBinary = join(repo, 'node_modules', '.bin', 'node');
const bin = join(repo, 'packages', 'application', 'cli', 'bin', 'aegle.js');

export type NodeProcess = {
  url: string;
  rpcUrl: string;
  child: ChildProcess;
  stop(): Promise<number | null>;
};

/** Starts `aegle node start --port 0 --json` and resolves once it prints where it listens. */
export async function startNodeProcess(
  env: Record<string, string>,
  args: string[] = [],
): Promise<NodeProcess> {
  const child = spawn(nodeBinary, [bin, 'node', 'start', '--port', '0', '--json', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = once(child, 'exit');
  const first = await Promise.race([
    (async () => {
      for await (const line of lines) return line;
      return undefined;
    })(),
    exited.then(() => undefined),
  ]);
  if (!first) {
    throw new Error(`aegle node start exited before listening: ${stderr.slice(-2000)}`);
  }
  child.stdout?.resume();
  const started = JSON.parse(first) as { url: string; rpcUrl: string };
  return {
    ...started,
    child,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await exited;
      return code as number | null;
    },
  };
}
