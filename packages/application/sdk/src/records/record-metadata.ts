import { decryptStream, encryptBytes } from '@aegle/crypto';
import { type Hex, sha256 } from 'viem';
import { IntegrityError, InvalidRecordOptionError } from './errors.ts';
import { integrityErrorFrom } from './integrity-error-from.ts';
import { once } from './once.ts';

/**
 * What describes a record but must stay private: the node stores it encrypted and sees only the
 * category. Any JSON-serialisable fields may be added.
 */
export type RecordMetadata = {
  /** FHIR resource type, e.g. `Observation`, when the record is a FHIR resource. */
  resourceType?: string;
  /** MIME type of the plaintext, e.g. `application/fhir+json` or `application/dicom`. */
  contentType?: string;
  fileName?: string;
  /** Plaintext bytes. */
  size?: number;
  [field: string]: unknown;
};

/** The most metadata an envelope holds: metadata is a description, not a second record. */
export const MAX_METADATA_BYTES = 64 * 1024;

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let length = 0;
  for await (const part of source) {
    parts.push(part);
    length += part.length;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Encrypts metadata under the record's data key as a small envelope of its own (same stream
 * format as the content, with its own salt and nonces), so whoever can read the record can read
 * its description, and nobody else. `metadataHash` (sha2-256 of the envelope) goes into the
 * signed anchor entry, which binds the envelope to the record.
 */
export async function encryptMetadata(
  metadata: RecordMetadata,
  dataKey: Uint8Array,
): Promise<{ envelope: Uint8Array; metadataHash: Hex }> {
  const json = new TextEncoder().encode(JSON.stringify(metadata));
  if (json.length > MAX_METADATA_BYTES) {
    throw new InvalidRecordOptionError('metadata', `more than ${MAX_METADATA_BYTES} bytes of JSON`);
  }
  const envelope = await encryptBytes(json, dataKey);
  return { envelope, metadataHash: sha256(envelope) };
}

/**
 * Decrypts a metadata envelope. With `expectedHash` (the anchored metadataHash), an envelope the
 * node swapped gives `IntegrityError` before any decryption.
 */
export async function decryptMetadata(
  envelope: Uint8Array,
  dataKey: Uint8Array,
  expectedHash?: Hex,
): Promise<RecordMetadata> {
  if (expectedHash !== undefined && sha256(envelope).toLowerCase() !== expectedHash.toLowerCase()) {
    throw new IntegrityError('metadata-mismatch');
  }
  let json: Uint8Array;
  try {
    json = await collect(decryptStream(once(envelope), dataKey));
  } catch (error) {
    throw integrityErrorFrom(error);
  }
  return JSON.parse(new TextDecoder().decode(json)) as RecordMetadata;
}
