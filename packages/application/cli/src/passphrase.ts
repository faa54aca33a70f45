import type { CliContext } from './context.ts';
import { PassphraseUnavailableError } from './errors.ts';

/**
 * The passphrase for `name`: AEGLE_PASSPHRASE if set (scripts, tests), else a prompt on the
 * terminal with echo off. Never logged, never part of an error message.
 */
export async function readPassphrase(ctx: CliContext, prompt: string): Promise<string> {
  const fromEnv = ctx.io.env.AEGLE_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const stdin = ctx.io.stdin as NodeJS.ReadStream;
  if (!ctx.io.isTTY || typeof stdin.setRawMode !== 'function') {
    throw new PassphraseUnavailableError();
  }
  ctx.io.stderr.write(`${prompt}: `);
  stdin.setRawMode(true);
  stdin.resume();
  let value = '';
  try {
    for await (const chunk of stdin) {
      for (const char of String(chunk)) {
        if (char === '\r' || char === '\n') return value;
        if (char === '\u0003') throw new PassphraseUnavailableError();
        if (char === '\u007f') value = value.slice(0, -1);
        else value += char;
      }
    }
    return value;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    ctx.io.stderr.write('\n');
  }
}
