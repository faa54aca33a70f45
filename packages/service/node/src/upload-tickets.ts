import { randomBytes } from 'node:crypto';
import type { AnchorPayload } from './merkle-batch.ts';
import type { Hex } from './ports.ts';

export type UploadTicket = {
  id: string;
  caller: Hex;
  recordId: Hex;
  patient: Hex;
  category: Hex;
  size: number;
  wrappedKeys: Array<{ recipient: Hex; wrappedKey: Uint8Array }>;
  entry: AnchorPayload;
  expiresAt: number;
};

/**
 * Uploads announced (POST /records) but not yet sent (PUT /records/uploads/:id). In memory only:
 * nothing is stored or acknowledged until the content arrives, so a restart just makes the client
 * announce again. A ticket is taken (single use) when its content starts arriving, and given back
 * if that upload fails; a record id is held by at most one ticket or upload at a time.
 */
export class UploadTickets {
  readonly #tickets = new Map<string, UploadTicket>();
  readonly #recordIds = new Map<string, string>();
  readonly #ttlMs: number;

  constructor(options: { ttlMs?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? 15 * 60_000;
  }

  /** Opens a ticket, or returns undefined if another live ticket holds the record id. */
  open(ticket: Omit<UploadTicket, 'id' | 'expiresAt'>, now: number): UploadTicket | undefined {
    this.#sweep(now);
    if (this.#recordIds.has(ticket.recordId)) return undefined;
    const full: UploadTicket = {
      ...ticket,
      id: randomBytes(16).toString('hex'),
      expiresAt: now + this.#ttlMs,
    };
    this.#tickets.set(full.id, full);
    this.#recordIds.set(full.recordId, full.id);
    return full;
  }

  /** Takes the caller's ticket out (single use); undefined if unknown, expired or someone else's. */
  take(id: string, caller: Hex, now: number): UploadTicket | undefined {
    const ticket = this.#tickets.get(id);
    if (!ticket || ticket.caller !== caller || ticket.expiresAt <= now) return undefined;
    this.#tickets.delete(id);
    return ticket;
  }

  /** Gives a taken ticket back after a failed upload, so the client may send the content again. */
  giveBack(ticket: UploadTicket): void {
    this.#tickets.set(ticket.id, ticket);
  }

  /** The upload finished (or was refused for good): frees its record id. */
  finish(ticket: UploadTicket): void {
    this.#tickets.delete(ticket.id);
    if (this.#recordIds.get(ticket.recordId) === ticket.id) this.#recordIds.delete(ticket.recordId);
  }

  #sweep(now: number): void {
    for (const [id, ticket] of this.#tickets) {
      if (ticket.expiresAt <= now) {
        this.#tickets.delete(id);
        if (this.#recordIds.get(ticket.recordId) === id) this.#recordIds.delete(ticket.recordId);
      }
    }
  }
}
