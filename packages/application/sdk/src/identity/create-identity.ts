import {
  type Account,
  createAccount,
  type EncryptKeystoreOptions,
  encryptKeystore,
} from '@aegle/crypto';
import { IdentityExistsError } from './errors.ts';
import { assertIdentityName } from './identity-name.ts';
import type { KeyStore, Role, StoredIdentity } from './key-store.ts';
import { assertRole } from './role.ts';

export type CreateIdentityOptions = {
  name: string;
  role: Role | string;
  passphrase: string;
  keyStore: KeyStore;
  /** Only tests lower the scrypt cost. */
  keystoreOptions?: EncryptKeystoreOptions;
};

/**
 * Creates a fresh account (signing and encryption keys), encrypts it under the passphrase and
 * stores it. Returns the unlocked account for immediate use; only the encrypted form is stored.
 */
export async function createIdentity(
  options: CreateIdentityOptions,
): Promise<{ identity: StoredIdentity; account: Account }> {
  const name = assertIdentityName(options.name);
  const role = assertRole(options.role);
  if (await options.keyStore.get(name)) throw new IdentityExistsError(name);
  const account = createAccount();
  const keystore = await encryptKeystore(account, options.passphrase, options.keystoreOptions);
  const identity: StoredIdentity = { name, role, keystore };
  await options.keyStore.add(identity);
  return { identity, account };
}
