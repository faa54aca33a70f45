// Loads the CFRG HPKE test vectors from the shared fixtures (see /work/shared/fixtures/SOURCES.md).
import { readFile } from 'node:fs/promises';

export type HpkeVector = {
  mode: 0 | 1 | 2 | 3;
  kem_id: number;
  kdf_id: number;
  aead_id: number;
  info: string;
  ikmR: string;
  ikmE: string;
  ikmS?: string;
  skRm: string;
  skEm: string;
  skSm?: string;
  pkRm: string;
  pkEm: string;
  pkSm?: string;
  psk?: string;
  psk_id?: string;
  enc: string;
  encryptions: { aad: string; ciphertext: string; nonce: string; plaintext: string }[];
  exports: { exporter_context: string; L: number; exported_value: string }[];
};

// packages/core/crypto/src/wrap → repository root is five levels up; shared sits beside it.
const FIXTURE = new URL(
  '../../../../../../shared/fixtures/hpke/x25519-hkdf-sha256.json',
  import.meta.url,
);

export async function loadHpkeVectors(): Promise<HpkeVector[]> {
  return JSON.parse(await readFile(FIXTURE, 'utf8')) as HpkeVector[];
}
