import { randomBytes } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { verifyMessage } from 'viem';
import { parseSiweMessage } from 'viem/siwe';
import { NodeConfigError, SignInRejectedError } from './errors.ts';
import type { Hex } from './ports.ts';
import type { Sessions } from './sessions.ts';

export type SignInOptions = {
  /** The RFC 3986 authority clients must put in the message (host[:port] of this node as users reach it). */
  domain: string;
  chainId: number;
  /** How long an issued nonce may be used. Default 5 minutes. */
  nonceTtlMs?: number;
  /** Tolerated clock difference for `issuedAt` in the future. Default 60 s. */
  clockSkewMs?: number;
};

/**
 * Sign-In with Ethereum (EIP-4361). A nonce is issued, stored with an expiry, and consumed by the
 * first sign-in that uses it, so a captured message and signature cannot be replayed. The message
 * must name this node's domain and chain, be within its validity window, and carry a valid
 * signature of its address (EOA, recovered with secp256k1).
 */
export class SignIn {
  readonly #o: Required<SignInOptions>;
  readonly #sessions: Sessions;
  readonly #addNonce: StatementSync;
  readonly #useNonce: StatementSync;
  readonly #purge: StatementSync;

  constructor(db: DatabaseSync, sessions: Sessions, options: SignInOptions) {
    assertSignInDomain(options.domain);
    this.#o = { nonceTtlMs: 5 * 60_000, clockSkewMs: 60_000, ...options };
    this.#sessions = sessions;
    this.#addNonce = db.prepare('INSERT INTO siwe_nonces (nonce, expires_at) VALUES (?, ?)');
    this.#useNonce = db.prepare('DELETE FROM siwe_nonces WHERE nonce = ? AND expires_at > ?');
    this.#purge = db.prepare('DELETE FROM siwe_nonces WHERE expires_at <= ?');
  }

  get domain(): string {
    return this.#o.domain;
  }

  get chainId(): number {
    return this.#o.chainId;
  }

  issueNonce(now = Date.now()): { nonce: string; expiresAt: number } {
    this.#purge.run(now);
    // 128 bits, hex: alphanumeric as EIP-4361 requires.
    const nonce = randomBytes(16).toString('hex');
    const expiresAt = now + this.#o.nonceTtlMs;
    this.#addNonce.run(nonce, expiresAt);
    return { nonce, expiresAt };
  }

  /** Verifies the message and signature, consumes the nonce, and opens a session. */
  async signIn(
    message: string,
    signature: Hex,
    now = Date.now(),
  ): Promise<{ token: string; address: Hex; expiresAt: number }> {
    const reject = (reason: string, hint: string) => new SignInRejectedError(reason, hint);
    let fields: ReturnType<typeof parseSiweMessage>;
    try {
      fields = parseSiweMessage(message);
    } catch {
      throw reject(
        'malformed',
        'Send an EIP-4361 message as created by viem/siwe createSiweMessage.',
      );
    }
    const { address, domain, chainId, nonce, issuedAt, expirationTime, notBefore, version } =
      fields;
    if (!address || !domain || !chainId || !nonce || !issuedAt || version !== '1') {
      throw reject(
        'malformed',
        'The message needs address, domain, chain id, nonce, issued-at and version 1.',
      );
    }
    if (domain !== this.#o.domain)
      throw reject('wrong-domain', `Sign a message for the domain ${this.#o.domain}.`);
    if (chainId !== this.#o.chainId)
      throw reject('wrong-chain', `Sign a message for chain id ${this.#o.chainId}.`);
    if (expirationTime && expirationTime.getTime() <= now)
      throw reject('expired', 'Sign a fresh message.');
    if (notBefore && notBefore.getTime() > now)
      throw reject('not-yet-valid', 'Wait until the message is valid.');
    if (
      issuedAt.getTime() > now + this.#o.clockSkewMs ||
      issuedAt.getTime() < now - this.#o.nonceTtlMs
    ) {
      throw reject('stale', 'Get a new nonce and sign a fresh message; check your clock.');
    }
    let valid = false;
    try {
      valid = await verifyMessage({ address, message, signature });
    } catch {
      valid = false;
    }
    if (!valid)
      throw reject('bad-signature', 'Sign the message with the key of the address it names.');
    // Consumed only once everything else holds: a forged attempt cannot burn someone's nonce.
    if (Number(this.#useNonce.run(nonce, now).changes) !== 1) {
      throw reject(
        'unknown-nonce',
        'The nonce was already used or has expired: get a new one from POST /auth/nonce.',
      );
    }
    const session = this.#sessions.create(address, now);
    return {
      token: session.token,
      address: address.toLowerCase() as Hex,
      expiresAt: session.expiresAt,
    };
  }
}

/** host, host:port or [IPv6]:port, as EIP-4361 (RFC 3986 authority, no user info) allows. */
const AUTHORITY =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Refuses a sign-in domain no message could match: a URL (scheme, path) instead of a host. Every
 * sign-in would otherwise fail with wrong-domain, and only at the first user's attempt.
 */
export function assertSignInDomain(domain: string): void {
  if (!AUTHORITY.test(domain)) {
    throw new NodeConfigError(`"${domain}" is not a sign-in domain.`, {
      hint: 'Give the host users reach this node by, with its port if not the default: node.example.org, localhost:7700.',
    });
  }
}
