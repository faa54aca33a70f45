// How a release of a record becomes a leaf of an AuditLog commit (StandardMerkleTree compatible).

type Hex = `0x${string}`;

/** One release of a record to someone other than its patient. */
export type AuditEntry = {
  recordId: Hex;
  patient: Hex;
  /** Who received the record. */
  reader: Hex;
  /** Why, as a bytes32 label (the purpose of the consent that allowed it). */
  purpose: Hex;
  /** Unix seconds. */
  releasedAt: bigint;
};

/** leaf = keccak256(keccak256(abi.encode(recordId, patient, reader, purpose, releasedAt))). */
export const auditEntryLeafEncoding = [
  'bytes32',
  'address',
  'address',
  'bytes32',
  'uint64',
] as const;

export function auditEntryLeafValues(e: AuditEntry): [Hex, Hex, Hex, Hex, bigint] {
  return [e.recordId, e.patient, e.reader, e.purpose, e.releasedAt];
}
