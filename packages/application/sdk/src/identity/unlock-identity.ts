import { type Account, decryptKeystore } from '@aegle/crypto';
import { UnknownIdentityError } from './errors.ts';
import type { KeyStore, StoredIdentity } from './key-store.ts';

/** Loads the identity called `name` and decrypts its keys (WrongPassphraseError if it can't). */
export async function unlockIdentity(
  keyStore: KeyStore,
  name: string,
  passphrase: string,
): Promise<{ identity: StoredIdentity; account: Account }> {
  const identity = await keyStore.get(name);
  if (!identity) throw new UnknownIdentityError(name);
  const account = await decryptKeystore(identity.keystore, passphrase);
  return { identity, account };
}
