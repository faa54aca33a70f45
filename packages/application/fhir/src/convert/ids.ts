import { createHash } from 'node:crypto';

/**
 * A UUID derived from a namespace and the natural key of a source record (message control id and
 * segment index, DICOM UIDs, a device reading's type, time and source...).
 *
 * Why not random: re-importing the same file, or an export that overlaps an earlier one, must give
 * the same resource ids so that the import is idempotent and duplicates are recognisable. The
 * layout is that of a name-based UUID (RFC 9562 version 8 "custom", SHA-256 based), so it is a
 * valid FHIR id and a valid urn:uuid.
 */
export function deterministicUuid(namespace: string, ...key: readonly (string | number)[]): string {
  const hash = createHash('sha256');
  hash.update(namespace);
  for (const part of key) {
    hash.update('\u0000');
    hash.update(String(part));
  }
  const bytes = hash.digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80; // version 8
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function urnUuid(id: string): string {
  return `urn:uuid:${id}`;
}
