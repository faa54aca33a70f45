import { DhkemX25519HkdfSha256, KemId } from '@hpke/core';
import { utf8ToBytes } from '../bytes.ts';
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
    const suiteId = new Uint8Array(5);
    suiteId.set(utf8ToBytes('KEM'));
    new DataView(suiteId.buffer).setUint16(3, KemId.DhkemX25519HkdfSha256);
    kdf.init(suiteId);
    this._kdf = kdf;
  }
}
