import type { DatabaseSync } from 'node:sqlite';
import { type Address, type Hex, stringToHex } from 'viem';
import { currentGrant, standingAnchor } from './queries.ts';
import { statement } from './statement.ts';

/** Consents.PURPOSE_OWNER: bytes32("owner"). */
export const PURPOSE_OWNER: Hex = stringToHex('owner', { size: 32 });

export type MayReadReason =
  | 'owner'
  | 'record-grant'
  | 'category-grant'
  | 'no-grant'
  | 'grant-expired'
  | 'grant-revoked'
  | 'unknown-record'
  | 'record-invalid';

export type MayReadAnswer = {
  allowed: boolean;
  /** The purpose of the grant that allows it (PURPOSE_OWNER for the patient). */
  purpose?: Hex | undefined;
  reason: MayReadReason;
};

/**
 * May `reader` read record `recordId` at `atTime` (unix seconds), and for which purpose? Answered
 * from the index with Consents.canRead's rule: the patient always may; otherwise a record grant in
 * force wins over a category grant in force. The record's patient and category come from its
 * standing anchor; a record whose every anchor was proven invalid is refused.
 */
export function mayRead(
  db: DatabaseSync,
  reader: Address,
  recordId: Hex,
  atTime: number | bigint,
): MayReadAnswer {
  const anchor = standingAnchor(db, recordId);
  if (!anchor) {
    const anyAnchor = statement(
      db,
      'SELECT 1 FROM direct_anchors WHERE record_id = ?1 UNION ALL SELECT 1 FROM batch_entries WHERE record_id = ?1 LIMIT 1',
    ).get(recordId.toLowerCase());
    return { allowed: false, reason: anyAnchor ? 'record-invalid' : 'unknown-record' };
  }
  const r = reader.toLowerCase() as Address;
  if (r === anchor.patient && !/^0x0{40}$/.test(r)) {
    return { allowed: true, purpose: PURPOSE_OWNER, reason: 'owner' };
  }
  const t = Number(atTime);
  const byRecord = currentGrant(db, {
    patient: anchor.patient,
    grantee: r,
    scope: 0,
    target: recordId,
  });
  if (byRecord && !byRecord.revoked && byRecord.expiresAt > t) {
    return { allowed: true, purpose: byRecord.purpose, reason: 'record-grant' };
  }
  const byCategory = currentGrant(db, {
    patient: anchor.patient,
    grantee: r,
    scope: 1,
    target: anchor.category,
  });
  if (byCategory && !byCategory.revoked && byCategory.expiresAt > t) {
    return { allowed: true, purpose: byCategory.purpose, reason: 'category-grant' };
  }
  const grants = [byRecord, byCategory].filter((g) => g !== undefined);
  if (grants.some((g) => !g.revoked)) return { allowed: false, reason: 'grant-expired' };
  if (grants.length > 0) return { allowed: false, reason: 'grant-revoked' };
  return { allowed: false, reason: 'no-grant' };
}
