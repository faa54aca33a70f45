import type { Address } from '@aegle/crypto';
import { BaseError } from '@aegle/errors';
import { type Hex, hexToBytes, type PublicClient } from 'viem';
import { accountsAbi, aegleForwarderAbi } from '../signing/contracts.ts';

/** Where a client looks up what it must not take from a node on trust. */
export type KeyDirectory = {
  /** The account's registered X25519 encryption public key. */
  encryptionKeyOf(address: Address): Promise<Uint8Array>;
};

/** An account has no encryption key on chain, so nothing can be wrapped for it. */
export class MissingEncryptionKeyError extends BaseError {
  override name = 'MissingEncryptionKeyError';
  constructor() {
    super('This account has no encryption key registered on chain.', {
      hint: 'The account must register (aegle account create registers it) before keys can be wrapped for it.',
    });
  }
}

export type ChainDirectory = KeyDirectory & {
  /** The forwarder's next nonce for `address`: what a new ForwardRequest must sign. */
  forwarderNonce(address: Address): Promise<bigint>;
};

/**
 * Reads keys and nonces from the chain itself (any JSON-RPC endpoint), so a writer wraps data
 * keys for the keys the accounts registered, not for keys a node says they have.
 */
export function createChainDirectory(options: {
  client: Pick<PublicClient, 'readContract'>;
  accounts: Hex;
  forwarder?: Hex;
}): ChainDirectory {
  return {
    async encryptionKeyOf(address) {
      const key = await options.client.readContract({
        address: options.accounts,
        abi: accountsAbi,
        functionName: 'encryptionKeyOf',
        args: [address],
      });
      if (key === '0x') throw new MissingEncryptionKeyError();
      return hexToBytes(key);
    },
    async forwarderNonce(address) {
      if (!options.forwarder) throw new TypeError('createChainDirectory: no forwarder address');
      return options.client.readContract({
        address: options.forwarder,
        abi: aegleForwarderAbi,
        functionName: 'nonces',
        args: [address],
      });
    },
  };
}
