/** An EIP-55 checksummed Ethereum address: the account id on the chain. */
export type Address = `0x${string}`;

/**
 * An Aegle account: a secp256k1 key that signs chain transactions (its address is the account
 * id) and a separate X25519 key pair that receives wrapped data keys.
 *
 * Two keys instead of one so that the signing key never touches encryption code paths, and the
 * encryption key can be rotated without changing the account's identity on chain.
 */
export type Account = {
  address: Address;
  signingPrivateKey: Uint8Array;
  encryptionPrivateKey: Uint8Array;
  encryptionPublicKey: Uint8Array;
};
