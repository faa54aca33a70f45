import { BaseError } from '@aegle/errors';

/** A relayed on-chain call (grant, revocation, guardian, registration) did not go through. */
export class IntentFailedError extends BaseError {
  override name = 'IntentFailedError';
  readonly kind: string;
  constructor(kind: string, options: { detail?: string | undefined } = {}) {
    super(
      `The ${kind} transaction failed on chain${options.detail ? ` (${options.detail})` : ''}.`,
      {
        hint: 'Check the request (registered accounts, a live grant to revoke, an expiry in the future) and try again.',
      },
    );
    this.kind = kind;
  }
}

/** A relayed call was still not on chain when the client stopped waiting. */
export class IntentTimeoutError extends BaseError {
  override name = 'IntentTimeoutError';
  constructor(kind: string) {
    super(`The ${kind} transaction is not confirmed yet.`, {
      hint: 'The node is still relaying it; check again later, or check that the node reaches its chain.',
    });
  }
}

/** The account is not registered on chain, so nobody can wrap keys for it and it cannot act. */
export class NotRegisteredError extends BaseError {
  override name = 'NotRegisteredError';
  constructor(who = 'This account') {
    super(`${who} is not registered on chain.`, {
      hint: 'Register it first (aegle account register --as NAME).',
    });
  }
}

/** The client needs a chain connection (RPC) or a deployment field it was not given. */
export class ClientConfigError extends BaseError {
  override name = 'ClientConfigError';
  constructor(message: string, hint: string) {
    super(message, { hint });
  }
}

/** This call needs the account to hold a role on chain (e.g. the authority to certify). */
export class MissingRoleError extends BaseError {
  override name = 'MissingRoleError';
  constructor(role: string) {
    super(`This account does not hold the ${role} role on chain.`, {
      hint: 'Ask the chain operator to grant the role (aegle authority add NAME on the node machine).',
    });
  }
}
