import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  assertIdentityName,
  IdentityExistsError,
  InvalidIdentityFileError,
  type KeyStore,
  type StoredIdentity,
} from '@aegle/sdk';

/**
 * Identities as files: `<home>/identities/<name>.json`, mode 0600 in a 0700 directory, each
 * written to a temp file, fsynced and renamed into place so a crash never leaves half a keystore.
 * The files hold encrypted keystores only.
 */
export class FileKeyStore implements KeyStore {
  readonly directory: string;

  constructor(home: string) {
    this.directory = join(home, 'identities');
  }

  async list(): Promise<StoredIdentity[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const identities: StoredIdentity[] = [];
    for (const file of names.filter((n) => n.endsWith('.json')).sort()) {
      const identity = await this.get(file.slice(0, -'.json'.length));
      if (identity) identities.push(identity);
    }
    return identities;
  }

  async get(name: string): Promise<StoredIdentity | undefined> {
    assertIdentityName(name);
    let text: string;
    try {
      text = await readFile(this.#path(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as StoredIdentity;
    } catch {
      throw new InvalidIdentityFileError(`${this.#path(name)} is not JSON`);
    }
  }

  async add(identity: StoredIdentity): Promise<void> {
    assertIdentityName(identity.name);
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const target = this.#path(identity.name);
    const temp = join(this.directory, `.${identity.name}.${randomBytes(6).toString('hex')}.tmp`);
    const file = await open(temp, 'wx', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(identity, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      // link-then-unlink would also refuse an existing name; a check plus rename is enough for a
      // single-user directory and keeps the write atomic.
      if (await this.get(identity.name)) throw new IdentityExistsError(identity.name);
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
    const dir = await open(this.directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  #path(name: string): string {
    return join(this.directory, `${name}.json`);
  }
}
