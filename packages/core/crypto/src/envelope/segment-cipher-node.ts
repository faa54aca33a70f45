import { createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import type { CreateSegmentCipher, SegmentCipher } from './segment-cipher.ts';

// The Node path: node:crypto's synchronous AES-GCM runs on AES-NI and avoids the thread-pool
// hop WebCrypto makes per call, which is what lets ingest run near memory-bandwidth speed.

const TAG_LENGTH = 16;

export const createSegmentCipher: CreateSegmentCipher = async (key) => {
  // A KeyObject is created once per stream, so each segment does not copy the raw key again.
  const secret = createSecretKey(key);
  const cipher: SegmentCipher = {
    seal(nonce, plaintext, aad) {
      const gcm = createCipheriv('aes-256-gcm', secret, nonce, { authTagLength: TAG_LENGTH });
      gcm.setAAD(aad);
      const body = gcm.update(plaintext);
      gcm.final();
      // Body and tag as two parts: joining them would copy every segment once more, which at
      // ingest speed is a gigabyte of garbage per gigabyte encrypted.
      return [body, gcm.getAuthTag()];
    },
    open(nonce, sealed, aad) {
      if (sealed.length < TAG_LENGTH) return undefined;
      const bodyLength = sealed.length - TAG_LENGTH;
      const gcm = createDecipheriv('aes-256-gcm', secret, nonce, { authTagLength: TAG_LENGTH });
      gcm.setAAD(aad);
      gcm.setAuthTag(sealed.subarray(bodyLength));
      const plaintext = gcm.update(sealed.subarray(0, bodyLength));
      try {
        gcm.final(); // throws if the tag does not verify: the plaintext above is then dropped
      } catch {
        plaintext.fill(0);
        return undefined;
      }
      return plaintext;
    },
  };
  return cipher;
};
