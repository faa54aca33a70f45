import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AnvilCrashedError, AnvilStartError } from './errors.ts';
import { openRotatingLog, type RotatingLog } from './rotating-log.ts';

export type StartAnvilOptions = {
  /** The node's data directory; anvil's state lives in `<dataDir>/chain/anvil-state.json`. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 (the default) lets the OS choose a free one. */
  port?: number;
  /** Chain id of a new chain (ignored when state is loaded). Default 31337. */
  chainId?: number;
  /** How often anvil dumps its state while running, in seconds, so a kill -9 loses little. */
  stateIntervalSeconds?: number;
  /** Called once if anvil exits without `stop()` having been called. */
  onCrash?: (error: AnvilCrashedError) => void;
  /** How long to wait for the RPC to answer, in ms. Default 15000. */
  startTimeoutMs?: number;
  /** How long stop() waits for the state dump after SIGTERM before SIGKILL, in ms. Default 30000. */
  stopTimeoutMs?: number;
};

export type EmbeddedAnvil = {
  rpcUrl: string;
  port: number;
  pid: number;
  statePath: string;
  /** SIGTERM, then wait for the exit so the state dump completes. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when anvil has exited for any reason; carries the crash error if it was unexpected. */
  exited: Promise<AnvilCrashedError | undefined>;
};

const require = createRequire(import.meta.url);

/** The platform's anvil binary from `@foundry-rs/anvil-<os>-<arch>`; no install script needed. */
export function anvilBinaryPath(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'anvil');
  } catch (cause) {
    throw new AnvilStartError(`no anvil binary for ${process.platform}-${process.arch}`, {
      hint: `install ${pkg}, or run the node in external mode with an RPC URL`,
      cause,
    });
  }
}

/**
 * Start anvil as a child process with its state persisted in the data directory.
 * `--state` loads the file if it exists and dumps to it on SIGTERM; `--state-interval` also dumps
 * periodically so a hard kill loses at most that interval.
 */
export async function startAnvil(options: StartAnvilOptions): Promise<EmbeddedAnvil> {
  const chainDir = join(options.dataDir, 'chain');
  mkdirSync(chainDir, { recursive: true });
  const statePath = join(chainDir, 'anvil-state.json');
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--state',
    statePath,
    '--state-interval',
    String(options.stateIntervalSeconds ?? 1),
    '--chain-id',
    String(options.chainId ?? 31337),
    // No pre-funded dev accounts: their keys are public. Accounts are funded explicitly.
    '--accounts',
    '0',
  ];
  // Capped: anvil logs a line per RPC call, for as long as the node runs.
  const log = openRotatingLog(join(chainDir, 'anvil.log'));
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));

  let stopping = false;
  let started = false;
  // If this process exits without stop(), do not leave anvil running on its own.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const exited = new Promise<AnvilCrashedError | undefined>((resolve) => {
    child.once('close', (code, signal) => {
      log.end();
      process.off('exit', killOnExit);
      if (stopping) return resolve(undefined);
      const error = new AnvilCrashedError(code, signal);
      // A failure during start-up is reported by startAnvil's rejection, not as a crash.
      if (started) options.onCrash?.(error);
      resolve(error);
    });
  });

  try {
    const port = await waitForListening(child, log, options.startTimeoutMs ?? 15_000, exited);
    const rpcUrl = `http://127.0.0.1:${port}`;
    await waitForRpc(rpcUrl, options.startTimeoutMs ?? 15_000);
    started = true;
    return handle(rpcUrl, port);
  } catch (error) {
    stopping = true;
    child.kill('SIGKILL');
    await exited;
    throw error;
  }

  function handle(rpcUrl: string, port: number): EmbeddedAnvil {
    let stopped: Promise<void> | undefined;
    return {
      rpcUrl,
      port,
      pid: child.pid ?? -1,
      statePath,
      exited,
      stop() {
        stopped ??= (async () => {
          // Already exited (a crash): nothing to stop, and the crash stays reported as one.
          if (child.exitCode !== null || child.signalCode !== null) {
            await exited;
            return;
          }
          stopping = true;
          child.kill('SIGTERM');
          // anvil dumps its state on SIGTERM; a hung dump must not hang the node's shutdown.
          const timer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 30_000);
          await exited;
          clearTimeout(timer);
        })();
        return stopped;
      },
    };
  }
}

/** Reads anvil's stdout until it announces its port. */
function waitForListening(
  child: ChildProcess,
  log: RotatingLog,
  timeoutMs: number,
  exited: Promise<AnvilCrashedError | undefined>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    // Only the start-up lines are searched; later output (a line per RPC call) goes to the log
    // alone, so nothing accumulates while the node runs.
    let buffer: string | undefined = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new AnvilStartError('anvil did not start listening in time', {
          hint: 'see <dataDir>/chain/anvil.log',
        }),
      );
    }, timeoutMs);
    child.once('error', (cause) => {
      clearTimeout(timer);
      reject(
        new AnvilStartError('could not spawn anvil', {
          cause,
          hint: 'check the anvil binary is executable',
        }),
      );
    });
    void exited.then((crash) => {
      clearTimeout(timer);
      reject(
        new AnvilStartError(`anvil exited during start-up (code ${crash?.exitCode ?? 'unknown'})`, {
          hint: 'see <dataDir>/chain/anvil.log; a corrupt anvil-state.json or a taken port are the usual causes',
        }),
      );
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (buffer === undefined) return;
      buffer += chunk.toString('utf8');
      const match = /Listening on [^\s:]+:(\d+)/.exec(buffer);
      if (match?.[1]) {
        clearTimeout(timer);
        buffer = undefined;
        resolve(Number(match[1]));
      }
    });
  });
}

async function waitForRpc(rpcUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      throw new AnvilStartError('anvil did not answer JSON-RPC in time', {
        hint: 'see <dataDir>/chain/anvil.log',
      });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
