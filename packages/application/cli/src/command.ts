import type { ParseArgsOptionsConfig } from 'node:util';
import type { CliContext } from './context.ts';

export type ParsedArgs = {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
};

/** One `aegle` command: its words, its own options, and what it does. */
export type Command = {
  /** The words that select it, e.g. `account create`. */
  path: string;
  summary: string;
  /** Shown by `aegle help`: the arguments after the path. */
  usage: string;
  options?: ParseArgsOptionsConfig;
  /** How many positional arguments it takes. */
  positionals?: { min: number; max: number };
  run(ctx: CliContext, args: ParsedArgs): Promise<void>;
};

/** A string option's value, or undefined. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}
