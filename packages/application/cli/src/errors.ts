import { BaseError } from '@aegle/errors';

/** The command line itself is wrong: unknown command, missing or malformed option. */
export class UsageError extends BaseError {
  override name = 'UsageError';
  constructor(message: string, hint = 'run `aegle help` for the commands and their options') {
    super(message, { hint });
  }
}

export class PassphraseUnavailableError extends BaseError {
  override name = 'PassphraseUnavailableError';
  constructor() {
    super('a passphrase is needed and there is no terminal to ask for it', {
      hint: 'set AEGLE_PASSPHRASE for scripts, or run the command in a terminal',
    });
  }
}
