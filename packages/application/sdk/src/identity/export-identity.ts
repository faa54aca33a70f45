import { UnknownIdentityError } from './errors.ts';
import type { KeyStore } from './key-store.ts';

/**
 * The portable form of an identity: JSON text of `{name, role, keystore}`. The keys inside stay
 * encrypted under the same passphrase, so the file is as safe to move as the keystore itself.
 */
export async function exportIdentity(keyStore: KeyStore, name: string): Promise<string> {
  const identity = await keyStore.get(name);
  if (!identity) throw new UnknownIdentityError(name);
  return `${JSON.stringify(identity, null, 2)}\n`;
}
