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

/** The CLI found a node but not the chain it anchors to (RPC URL and contract addresses). */
export class NoChainError extends BaseError {
  override name = 'NoChainError';
  constructor(url: string) {
    super(`the node at ${url} did not say which chain it uses`, {
      hint: 'set AEGLE_RPC_URL and AEGLE_DEPLOYMENT (a deployment.json), or start the node with `aegle node start`',
    });
  }
}

/** A FHIR resource failed validation; the CLI prints its OperationOutcome. */
export class FhirInvalidError extends BaseError {
  override name = 'FhirInvalidError';
  readonly outcome: unknown;
  constructor(outcome: {
    issue?: readonly {
      diagnostics?: string | undefined;
      expression?: readonly string[] | undefined;
    }[];
  }) {
    const first = outcome.issue?.[0];
    const where = first?.expression?.[0] ? ` at ${first.expression[0]}` : '';
    super(
      `the FHIR resource is not valid R4${first?.diagnostics ? `: ${first.diagnostics}${where}` : ''}`,
      {
        hint: 'fix the resource (aegle fhir validate FILE prints every issue) and retry',
      },
    );
    this.outcome = outcome;
  }
}

/** An audit entry the node served does not lead to a root the chain holds. */
export class AuditMismatchError extends BaseError {
  override name = 'AuditMismatchError';
  constructor() {
    super('an audit entry does not match the chain', {
      hint: 'the chain is the reference: report the node to its operator',
    });
  }
}

/** A scrub found blocks with no good copy left on any replica. */
export class ScrubUnrecoverableError extends BaseError {
  override name = 'ScrubUnrecoverableError';
  constructor(count: number) {
    super(`${count} block(s) have no good copy on any replica`, {
      hint: 'restore the store from a backup, or fetch those blocks from another node',
    });
  }
}
