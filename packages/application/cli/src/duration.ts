import { UsageError } from './errors.ts';

const UNITS: Record<string, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
};

/** `30d`, `12h`, `90m`, `45s`, `2w`, `1y` as seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhdwy])$/.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `"${text}" is not a duration`,
      'use a number and a unit: 30d, 12h, 90m, 45s, 2w or 1y',
    );
  }
  return Number(match[1]) * (UNITS[match[2] as string] as number);
}
