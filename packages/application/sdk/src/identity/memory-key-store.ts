import { IdentityExistsError } from './errors.ts';
import type { KeyStore, StoredIdentity } from './key-store.ts';

/** Identities kept in memory only: for tests and for apps that must not persist keys. */
export class MemoryKeyStore implements KeyStore {
  readonly #identities = new Map<string, StoredIdentity>();

  async list(): Promise<StoredIdentity[]> {
    return [...this.#identities.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<StoredIdentity | undefined> {
    return this.#identities.get(name);
  }

  async add(identity: StoredIdentity): Promise<void> {
    if (this.#identities.has(identity.name)) throw new IdentityExistsError(identity.name);
    this.#identities.set(identity.name, structuredClone(identity));
  }
}
