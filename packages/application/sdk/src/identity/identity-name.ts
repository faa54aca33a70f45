import { InvalidIdentityNameError } from './errors.ts';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Identity names become file names and command-line arguments, so they are kept to lower-case
 * letters, digits, dot, dash and underscore, starting with a letter or digit, at most 64 long.
 */
export function assertIdentityName(name: string): string {
  if (!NAME.test(name)) throw new InvalidIdentityNameError(name);
  return name;
}
