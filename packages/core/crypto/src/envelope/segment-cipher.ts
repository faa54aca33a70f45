/**
 * AES-256-GCM over one segment, bound to one key. Two implementations exist: node:crypto
 * (synchronous, AES-NI, the fast path) and WebCrypto (browsers). package.json `imports`
 * picks one as `#segment-cipher`; both must produce identical bytes.
 */
export type SegmentCipher = {
  /**
   * Returns ciphertext || 16-byte tag, as one or more consecutive parts (node:crypto gives the
   * body and the tag apart, which saves copying every segment once more). May return
   * synchronously.
   */
  seal(
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
  ): readonly Uint8Array[] | Promise<readonly Uint8Array[]>;
  /**
   * Returns the plaintext, or `undefined` if the tag does not verify. No plaintext is ever
   * returned for a segment that failed authentication.
   */
  open(
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array | undefined | Promise<Uint8Array | undefined>;
};

export type CreateSegmentCipher = (key: Uint8Array) => Promise<SegmentCipher>;
