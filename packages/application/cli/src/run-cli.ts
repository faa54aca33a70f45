import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { BaseError } from '@aegle/errors';
import type { Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { CliContext, type CliIo, type GlobalOptions } from './context.ts';
import { UsageError } from './errors.ts';

/** Options every command accepts. */
const GLOBAL_OPTIONS: ParseArgsOptionsConfig = {
  as: { type: 'string' },
  node: { type: 'string' },
  json: { type: 'boolean' },
  'on-behalf-of': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/**
 * Runs one `aegle` command line and returns the exit code. Errors become one line on stderr (the
 * message and what to do next) and a non-zero code; with --json, a JSON object instead.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  try {
    const { command, rest } = findCommand(argv);
    if (!command) {
      io.stdout.write(helpText());
      return argv.length === 0 || argv[0] === 'help' || argv.includes('--help') ? 0 : 2;
    }
    const parsed = parseArgs({
      args: rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help) {
      io.stdout.write(`usage: aegle ${command.path} ${command.usage}\n  ${command.summary}\n`);
      return 0;
    }
    const { min, max } = command.positionals ?? { min: 0, max: 0 };
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(
        `${command.path} takes ${min === max ? min : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`} argument(s)`,
        `usage: aegle ${command.path} ${command.usage}`,
      );
    }
    const global: GlobalOptions = {
      as: parsed.values.as as string | undefined,
      node: parsed.values.node as string | undefined,
      json: parsed.values.json === true,
      onBehalfOf: parsed.values['on-behalf-of'] as string | undefined,
    };
    await command.run(new CliContext(io, global), parsed);
    return 0;
  } catch (error) {
    return reportError(io, error, json);
  }
}

function findCommand(argv: readonly string[]): { command?: Command; rest: string[] } {
  const words = argv.filter((a) => !a.startsWith('-'));
  let best: Command | undefined;
  for (const command of COMMANDS) {
    const path = command.path.split(' ');
    if (path.every((word, i) => words[i] === word)) {
      if (!best || path.length > best.path.split(' ').length) best = command;
    }
  }
  if (!best) {
    if (words.length > 0 && words[0] !== 'help') {
      throw new UsageError(`unknown command "${words.slice(0, 2).join(' ')}"`);
    }
    return { rest: [] };
  }
  // Drop the command's words (the first occurrences, in order) and keep everything else.
  const rest = [...argv];
  for (const word of best.path.split(' ')) rest.splice(rest.indexOf(word), 1);
  return { command: best, rest };
}

function reportError(io: CliIo, error: unknown, json: boolean): number {
  const code = error instanceof UsageError || isParseArgsError(error) ? 2 : 1;
  const name = error instanceof Error ? error.name : 'Error';
  const message =
    error instanceof BaseError
      ? error.shortMessage
      : error instanceof Error
        ? error.message
        : String(error);
  const hint = error instanceof BaseError ? error.hint : undefined;
  if (json) {
    io.stderr.write(`${JSON.stringify({ error: { name, message, hint } })}\n`);
  } else {
    // SDK messages are sentences; the hint follows after a semicolon, not a full stop.
    const line = hint ? `${message.replace(/\.$/, '')}; ${hint}` : message;
    io.stderr.write(`aegle: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
  }
  return code;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

export function helpText(): string {
  const lines = COMMANDS.map(
    (c) => `${`  aegle ${c.path} ${c.usage}`.trimEnd()}\n      ${c.summary}`,
  );
  return [
    'usage: aegle <command> [options]',
    '',
    ...lines,
    '',
    'options for every command:',
    '  --as NAME            act as this local identity (keys in AEGLE_HOME, default ~/.aegle)',
    '  --node URL           the node to talk to (default AEGLE_NODE, else http://127.0.0.1:7700)',
    '  --on-behalf-of NAME  act as the guardian of NAME',
    '  --json               machine-readable output',
    '',
    'AEGLE_PASSPHRASE gives the passphrase to scripts; otherwise the terminal asks for it.',
    '',
  ].join('\n');
}
