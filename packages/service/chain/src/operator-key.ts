import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Hex, isHex } from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { writeFileAtomic } from './deployment.ts';
import { OperatorKeyError } from './errors.ts';

export function operatorKeyPath(dataDir: string): string {
  return join(dataDir, 'chain', 'operator.key');
}

/**
 * The node operator's chain key: it deploys, certifies as the first authority, commits batches and
 * relays users' signed requests. Created on first use with mode 0600; a key file that others can
 * read is refused rather than used, like ssh does.
 */
export function loadOrCreateOperatorKey(path: string): PrivateKeyAccount {
  if (!existsSync(path)) {
    const key = generatePrivateKey();
    writeFileAtomic(path, `${key}\n`, 0o600);
    return privateKeyToAccount(key);
  }
  return readOperatorKey(path);
}

export function readOperatorKey(path: string): PrivateKeyAccount {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new OperatorKeyError(
      `operator key file ${path} is readable by others (mode ${mode.toString(8)})`,
      {
        hint: `run chmod 600 ${path}`,
      },
    );
  }
  const text = readFileSync(path, 'utf8').trim();
  if (!isHex(text) || text.length !== 66) {
    throw new OperatorKeyError(`operator key file ${path} does not hold a 32-byte hex key`, {
      hint: 'restore the file from backup; without it the node cannot act as its chain account',
    });
  }
  return privateKeyToAccount(text as Hex);
}
