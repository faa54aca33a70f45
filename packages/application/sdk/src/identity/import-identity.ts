import {
  type AegleKeystore,
  decryptKeystore,
  type EncryptKeystoreOptions,
  encryptKeystore,
  importEthereumKeystoreV3,
} from '@aegle/crypto';
import { IdentityExistsError, InvalidIdentityFileError } from './errors.ts';
import { assertIdentityName } from './identity-name.ts';
import type { KeyStore, Role, StoredIdentity } from './key-store.ts';
import { assertRole } from './role.ts';

export type ImportIdentityOptions = {
  keyStore: KeyStore;
  /** The file's text: an exported Aegle identity, or an Ethereum keystore v3 (geth, ethers). */
  text: string;
  /** The passphrase that opens the file. */
  passphrase: string;
  /** Name to store it under; default the name in an Aegle identity file. Required for v3 files. */
  name?: string;
  /** Role; default the role in an Aegle identity file. Required for v3 files. */
  role?: Role | string;
  /** Passphrase for the stored copy of a v3 import; default `passphrase`. */
  newPassphrase?: string;
  keystoreOptions?: EncryptKeystoreOptions;
};

/**
 * Imports an identity. The passphrase is checked before anything is stored, so a wrong one
 * leaves the key store as it was. An Ethereum v3 keystore brings its signing key; Aegle adds a
 * fresh encryption key and stores the pair as an Aegle keystore.
 */
export async function importIdentity(options: ImportIdentityOptions): Promise<StoredIdentity> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(options.text);
  } catch {
    throw new InvalidIdentityFileError('it is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new InvalidIdentityFileError('it is not a JSON object');
  }
  const record = parsed as Record<string, unknown>;
  let identity: StoredIdentity;
  if ('keystore' in record) {
    const keystore = record.keystore as AegleKeystore;
    await decryptKeystore(keystore, options.passphrase);
    const name = options.name ?? String(record.name ?? '');
    const role = options.role ?? String(record.role ?? '');
    identity = { name: assertIdentityName(name), role: assertRole(role), keystore };
  } else if (record.format === 'aegle-keystore') {
    await decryptKeystore(record, options.passphrase);
    if (!options.name || !options.role) {
      throw new InvalidIdentityFileError('a bare keystore needs a name and a role to be given');
    }
    identity = {
      name: assertIdentityName(options.name),
      role: assertRole(options.role),
      keystore: record as unknown as AegleKeystore,
    };
  } else {
    if (!options.name || !options.role) {
      throw new InvalidIdentityFileError(
        'an Ethereum keystore needs a name and a role to be given',
      );
    }
    const name = assertIdentityName(options.name);
    const role = assertRole(options.role);
    const account = await importEthereumKeystoreV3(record, options.passphrase);
    const keystore = await encryptKeystore(
      account,
      options.newPassphrase ?? options.passphrase,
      options.keystoreOptions,
    );
    identity = { name, role, keystore };
  }
  if (await options.keyStore.get(identity.name)) throw new IdentityExistsError(identity.name);
  await options.keyStore.add(identity);
  return identity;
}
