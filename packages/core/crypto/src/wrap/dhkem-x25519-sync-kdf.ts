import { DhkemX25519HkdfSha256, KemId } from '@hpke/core';
import { HkdfSha256Sync } from './hkdf-sha256-sync.ts';

/**
 * @hpke/core's DHKEM(X25519, HKDF-SHA256), whose ExtractAndExpand of the shared secret runs on
 * HkdfSha256Sync instead of two WebCrypto round trips. X25519 stays WebCrypto's. The KDF is
 * initialised with the KEM's suite id, concat("KEM", I2OSP(kem_id, 2)) (RFC 9180, section 4.1),
 * as @hpke/core's Dhkem does for its own. The CFRG vectors check it (hpke-vectors.test.ts).
 */
export class DhkemX25519SyncKdf extends DhkemX25519HkdfSha256 {
  constructor() {
    super();
    const kdf = new HkdfSha256Sync();
    kdf.init(
      new Uint8Array([
        0x4b,
        0x45,
        0x4d,
        KemId.DhkemX25519HkdfSha256 >> 8,
        KemId.DhkemX25519HkdfSha256 & 0xff,
      ]),
    );
    this._kdf = kdf;
  }
}
