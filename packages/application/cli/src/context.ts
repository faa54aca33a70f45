import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { FileKeyStore } from './identity/file-key-store.ts';

/** Everything a command may touch of the outside world, so tests can run the CLI in-process. */
export type CliIo = {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: Record<string, string | undefined>;
  /** Whether stdout/stderr are a terminal (progress bars, prompts). */
  isTTY: boolean;
  /** Resolves when the process should stop (SIGINT/SIGTERM), for long-running commands. */
  waitForStop?: () => Promise<void>;
};

export const DEFAULT_NODE_PORT = 7700;

export type GlobalOptions = { as?: string; node?: string; json: boolean; onBehalfOf?: string };

export class CliContext {
  readonly io: CliIo;
  readonly options: GlobalOptions;
  readonly home: string;
  readonly keyStore: FileKeyStore;

  constructor(io: CliIo, options: GlobalOptions) {
    this.io = io;
    this.options = options;
    this.home = io.env.AEGLE_HOME || join(homedir(), '.aegle');
    this.keyStore = new FileKeyStore(this.home);
  }

  /** `--node`, else AEGLE_NODE, else the local default port. */
  get nodeUrl(): string {
    return (
      this.options.node ||
      this.io.env.AEGLE_NODE ||
      `http://127.0.0.1:${DEFAULT_NODE_PORT}`
    ).replace(/\/+$/, '');
  }

  /** Prints a result: its JSON with --json, else the human text. */
  print(result: unknown, human: string | (() => string)): void {
    if (this.options.json) this.io.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const text = typeof human === 'function' ? human() : human;
      if (text) this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }
}
