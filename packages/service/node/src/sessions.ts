import { createHash, randomBytes } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Hex } from './ports.ts';

export type Session = { address: Hex; expiresAt: number };

/** Session tokens carry this prefix, so secret scanners and log filters can recognise them. */
export const SESSION_TOKEN_PREFIX = 'aegle_s_';

/**
 * Opaque session tokens: 256 random bits, handed to the client once and stored only as their
 * SHA-256. Chosen over HMAC-signed tokens because a stored session can be revoked (sign-out, a
 * stolen token) and expires in one place, there is no signing key to guard or rotate, and a leaked
 * database yields no usable token (a 256-bit random secret needs no salt or slow hash). A lookup
 * is one indexed read, cheap next to the request it authorises.
 */
export class Sessions {
  readonly #insert: StatementSync;
  readonly #get: StatementSync;
  readonly #delete: StatementSync;
  readonly #purge: StatementSync;
  readonly #ttlMs: number;

  constructor(db: DatabaseSync, options: { ttlMs?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? 15 * 60_000;
    this.#insert = db.prepare(
      'INSERT INTO sessions (token_hash, address, created_at, expires_at) VALUES (?, ?, ?, ?)',
    );
    this.#get = db.prepare('SELECT address, expires_at FROM sessions WHERE token_hash = ?');
    this.#delete = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
    this.#purge = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  }

  create(address: Hex, now = Date.now()): { token: string; expiresAt: number } {
    const token = SESSION_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = now + this.#ttlMs;
    this.#insert.run(hashToken(token), address.toLowerCase(), now, expiresAt);
    return { token, expiresAt };
  }

  /** The live session of `token`, or undefined if it is unknown (forged) or expired. */
  resolve(token: string, now = Date.now()): Session | undefined {
    if (!token.startsWith(SESSION_TOKEN_PREFIX) || token.length > 128) return undefined;
    const row = this.#get.get(hashToken(token)) as Record<string, unknown> | undefined;
    if (!row || Number(row.expires_at) <= now) return undefined;
    return { address: row.address as Hex, expiresAt: Number(row.expires_at) };
  }

  revoke(token: string): void {
    this.#delete.run(hashToken(token));
  }

  purgeExpired(now = Date.now()): number {
    return Number(this.#purge.run(now).changes);
  }
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
