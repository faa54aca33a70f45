import type { AegleKeystore } from '@aegle/crypto';

/** The roles an account can hold on chain (see the Accounts contract). */
export const ROLES = ['patient', 'provider', 'institution', 'researcher', 'authority'] as const;
export type Role = (typeof ROLES)[number];

/**
 * One local identity: a human-chosen name, the role it was created for, and its encrypted
 * keystore. Nothing here is secret without the passphrase.
 */
export type StoredIdentity = {
  name: string;
  role: Role;
  keystore: AegleKeystore;
};

/**
 * Where a client keeps its identities. The SDK never decides where keys live: the CLI keeps them
 * in files under AEGLE_HOME, a browser app in IndexedDB, a test in memory. Every implementation
 * stores only encrypted keystores.
 */
export interface KeyStore {
  /** Every identity, sorted by name. */
  list(): Promise<StoredIdentity[]>;
  /** The identity called `name`, or undefined. */
  get(name: string): Promise<StoredIdentity | undefined>;
  /** Stores a new identity; refuses (IdentityExistsError) to overwrite one with the same name. */
  add(identity: StoredIdentity): Promise<void>;
}
