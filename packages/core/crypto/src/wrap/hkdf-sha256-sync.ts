import { HkdfSha256, InvalidParamError } from '@hpke/core';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

type Bytes = ArrayBufferLike | ArrayBufferView;

function view(bytes: Bytes): Uint8Array {
  return ArrayBuffer.isView(bytes)
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : new Uint8Array(bytes);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * @hpke/core's HKDF-SHA256 with its three primitives computed by @noble/hashes (RFC 5869,
 * synchronously) instead of WebCrypto. The labelled steps, the suite id and every check stay
 * @hpke/core's own. Why: WebCrypto makes each HMAC of the key schedule a round trip to a worker
 * thread, twelve per wrapped key, which made wrapping a key cost about 0.9 ms where the
 * arithmetic takes a few microseconds. That matters when a FHIR import wraps one key per resource.
 * The CFRG vectors check this class bit for bit (hpke-vectors.test.ts).
 */
export class HkdfSha256Sync extends HkdfSha256 {
  override async extract(salt: Bytes, ikm: Bytes): Promise<ArrayBuffer> {
    const saltBytes = view(salt);
    if (saltBytes.byteLength !== 0 && saltBytes.byteLength !== this.hashSize) {
      throw new InvalidParamError('The salt length must be the same as the hashSize');
    }
    return toArrayBuffer(extract(sha256, view(ikm), saltBytes));
  }

  override async expand(prk: Bytes, info: Bytes, len: number): Promise<ArrayBuffer> {
    return toArrayBuffer(expand(sha256, view(prk), view(info), len));
  }

  override async extractAndExpand(
    salt: Bytes,
    ikm: Bytes,
    info: Bytes,
    len: number,
  ): Promise<ArrayBuffer> {
    // As @hpke/core's own: any salt, no length check (WebCrypto's HKDF takes any).
    return toArrayBuffer(expand(sha256, extract(sha256, view(ikm), view(salt)), view(info), len));
  }
}
