import { HkdfSha256, InvalidParamError } from '@hpke/core';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type BufferSourceLike, toArrayBuffer, viewOf } from '../bytes.ts';

/**
 * @hpke/core's HKDF-SHA256 with its three primitives computed by @noble/hashes (RFC 5869,
 * synchronously) instead of WebCrypto. The labelled steps, the suite id and every check stay
 * @hpke/core's own. Why: WebCrypto makes each HMAC of the key schedule a round trip to a worker
 * thread, twelve per wrapped key, which made wrapping a key cost about 0.9 ms where the
 * arithmetic takes a few microseconds. That matters when a FHIR import wraps one key per resource.
 * The CFRG vectors check this class bit for bit (hpke-vectors.test.ts).
 */
export class HkdfSha256Sync extends HkdfSha256 {
  override async extract(salt: BufferSourceLike, ikm: BufferSourceLike): Promise<ArrayBuffer> {
    const saltBytes = viewOf(salt);
    if (saltBytes.byteLength !== 0 && saltBytes.byteLength !== this.hashSize) {
      throw new InvalidParamError('The salt length must be the same as the hashSize');
    }
    return toArrayBuffer(extract(sha256, viewOf(ikm), saltBytes));
  }

  override async expand(
    prk: BufferSourceLike,
    info: BufferSourceLike,
    len: number,
  ): Promise<ArrayBuffer> {
    return toArrayBuffer(expand(sha256, viewOf(prk), viewOf(info), len));
  }

  override async extractAndExpand(
    salt: BufferSourceLike,
    ikm: BufferSourceLike,
    info: BufferSourceLike,
    len: number,
  ): Promise<ArrayBuffer> {
    // As @hpke/core's own: any salt, no length check (WebCrypto's HKDF takes any).
    return toArrayBuffer(
      expand(sha256, extract(sha256, viewOf(ikm), viewOf(salt)), viewOf(info), len),
    );
  }
}
