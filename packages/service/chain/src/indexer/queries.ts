import type { DatabaseSync } from 'node:sqlite';
import type { Address, Hex } from 'viem';
import { statement } from './statement.ts';

// Read-side queries over the index. Current state is the latest event per key (see schema.ts).

const lower = (value: string): string => value.toLowerCase();

export type IndexedAccount = {
  account: Address;
  role: number;
  encryptionKey: Hex;
  registeredAt: number;
  guardian: Address | undefined;
};

export function accountOf(db: DatabaseSync, account: Address): IndexedAccount | undefined {
  const row = statement(
    db,
    `SELECT a.account, a.role, a.registered_at,
        coalesce((SELECT encryption_key FROM key_rotations k WHERE k.account = a.account
                  ORDER BY block_number DESC, log_index DESC LIMIT 1), a.encryption_key) AS encryption_key,
        (SELECT guardian FROM guardian_events g WHERE g.patient = a.account
         ORDER BY block_number DESC, log_index DESC LIMIT 1) AS guardian
       FROM accounts a WHERE a.account = ?`,
  ).get(lower(account)) as
    | {
        account: Address;
        role: number;
        registered_at: number;
        encryption_key: Hex;
        guardian: Address | null;
      }
    | undefined;
  if (!row) return undefined;
  const guardian = row.guardian && !/^0x0{40}$/.test(row.guardian) ? row.guardian : undefined;
  return {
    account: row.account,
    role: row.role,
    encryptionKey: row.encryption_key,
    registeredAt: row.registered_at,
    guardian,
  };
}

/** AccessControl membership from RoleGranted/RoleRevoked. */
export function hasRole(db: DatabaseSync, role: Hex, account: Address): boolean {
  const row = statement(
    db,
    'SELECT granted FROM role_events WHERE role = ? AND account = ? ORDER BY block_number DESC, log_index DESC LIMIT 1',
  ).get(lower(role), lower(account)) as { granted: number } | undefined;
  return row?.granted === 1;
}

export type IndexedCertificate = {
  credentialHash: Hex;
  issuedAt: number;
  expiresAt: number;
  /** When a revocation or a newer certificate ended it, if one did. */
  endedAt: number | undefined;
  issuer: Address;
};

/** Every certificate of `subject`, oldest first, as Certification keeps them. */
export function certificatesOf(db: DatabaseSync, subject: Address): IndexedCertificate[] {
  const s = lower(subject);
  const certs = statement(
    db,
    'SELECT credential_hash, issued_at, expires_at, issuer, block_number, log_index FROM certificates WHERE subject = ? ORDER BY block_number, log_index',
  ).all(s) as {
    credential_hash: Hex;
    issued_at: number;
    expires_at: number;
    issuer: Address;
    block_number: number;
    log_index: number;
  }[];
  const revocations = statement(
    db,
    'SELECT revoked_at, block_number, log_index FROM certificate_revocations WHERE subject = ? ORDER BY block_number, log_index',
  ).all(s) as { revoked_at: number; block_number: number; log_index: number }[];
  const after = (x: { block_number: number; log_index: number }, y: typeof x) =>
    x.block_number > y.block_number ||
    (x.block_number === y.block_number && x.log_index > y.log_index);
  return certs.map((c, i) => {
    const next = certs[i + 1];
    // Certification.certify ends the previous certificate if it was still running.
    let endedAt: number | undefined =
      next && c.expires_at > next.issued_at ? next.issued_at : undefined;
    const revocation = revocations.find((r) => after(r, c) && (!next || after(next, r)));
    if (revocation && (endedAt === undefined || revocation.revoked_at < endedAt)) {
      endedAt = revocation.revoked_at;
    }
    return {
      credentialHash: c.credential_hash,
      issuedAt: c.issued_at,
      expiresAt: c.expires_at,
      endedAt,
      issuer: c.issuer,
    };
  });
}

/** Certification.isCertifiedAt from the index. */
export function isCertifiedAt(db: DatabaseSync, subject: Address, timestamp: number): boolean {
  const list = certificatesOf(db, subject);
  for (let i = list.length - 1; i >= 0; i--) {
    const c = list[i] as IndexedCertificate;
    if (c.issuedAt > timestamp) continue;
    return timestamp < c.expiresAt && (c.endedAt === undefined || timestamp < c.endedAt);
  }
  return false;
}

/** Accounts.guardianAt: the guardian of `patient` at `timestamp` (an appointment counts from its block's time). */
export function guardianAt(
  db: DatabaseSync,
  patient: Address,
  timestamp: number,
): Address | undefined {
  const row = statement(
    db,
    'SELECT guardian FROM guardian_events WHERE patient = ? AND since <= ? ORDER BY block_number DESC, log_index DESC LIMIT 1',
  ).get(lower(patient), timestamp) as { guardian: Address } | undefined;
  return row && !/^0x0{40}$/.test(row.guardian) ? row.guardian : undefined;
}

/** Records.writeAllowedAt from the index: may `creator` write for `patient` at `timestamp`? */
export function writeAllowedAt(
  db: DatabaseSync,
  creator: Address,
  patient: Address,
  timestamp: number,
): boolean {
  const p = accountOf(db, patient);
  if (p?.role !== 1 || p.registeredAt > timestamp) return false;
  if (lower(creator) === lower(patient)) return true;
  if (guardianAt(db, patient, timestamp) === lower(creator)) return true;
  const c = accountOf(db, creator);
  if (!c || (c.role !== 2 && c.role !== 3)) return false;
  return isCertifiedAt(db, creator, timestamp);
}

export type IndexedAnchor = {
  recordId: Hex;
  patient: Address;
  creator: Address;
  contentRoot: Hex;
  metadataHash: Hex;
  category: Hex;
  supersedes: Hex;
  signedAt: number;
  /** 0 for a direct anchor. */
  batchId: number;
  /** The Merkle leaf (batched entries only). */
  leaf: Hex | undefined;
  /** The fault a challenge proved, if any (Records.Fault index). */
  invalidFault: number | undefined;
  blockNumber: number;
};

const anchorSelect = `
  SELECT d.record_id, d.patient, d.creator, d.content_root, d.metadata_hash, d.category, d.supersedes,
    d.signed_at, 0 AS batch_id, NULL AS leaf, 2 * d.after_batch + 1 AS position, d.block_number,
    (SELECT fault FROM invalidations i WHERE i.batch_id = 0 AND i.record_id = d.record_id LIMIT 1) AS fault
  FROM direct_anchors d WHERE %WHERE_D%
  UNION ALL
  SELECT e.record_id, e.patient, e.creator, e.content_root, e.metadata_hash, e.category, e.supersedes,
    e.signed_at, e.batch_id, e.leaf, 2 * e.batch_id AS position, e.block_number,
    (SELECT fault FROM invalidations i WHERE i.batch_id = e.batch_id AND i.leaf = e.leaf LIMIT 1) AS fault
  FROM batch_entries e WHERE %WHERE_E%
  ORDER BY position, leaf`;

type AnchorRow = {
  record_id: Hex;
  patient: Address;
  creator: Address;
  content_root: Hex;
  metadata_hash: Hex;
  category: Hex;
  supersedes: Hex;
  signed_at: number;
  batch_id: number;
  leaf: Hex | null;
  block_number: number;
  fault: number | null;
};

const toAnchor = (r: AnchorRow): IndexedAnchor => ({
  recordId: r.record_id,
  patient: r.patient,
  creator: r.creator,
  contentRoot: r.content_root,
  metadataHash: r.metadata_hash,
  category: r.category,
  supersedes: r.supersedes,
  signedAt: r.signed_at,
  batchId: r.batch_id,
  leaf: r.leaf ?? undefined,
  invalidFault: r.fault ?? undefined,
  blockNumber: r.block_number,
});

/**
 * Every occurrence of a record id, in anchoring order (Records' duplicate rule: batches by id, a
 * direct anchor after the batches that existed when it landed, within a batch the smaller leaf).
 */
export function anchorsOf(db: DatabaseSync, recordId: Hex): IndexedAnchor[] {
  const sql = anchorSelect
    .replace('%WHERE_D%', 'd.record_id = ?')
    .replace('%WHERE_E%', 'e.record_id = ?');
  const id = lower(recordId);
  return (statement(db, sql).all(id, id) as AnchorRow[]).map(toAnchor);
}

/** The anchor that stands for a record: the first occurrence not proven invalid. */
export function standingAnchor(db: DatabaseSync, recordId: Hex): IndexedAnchor | undefined {
  return anchorsOf(db, recordId).find((a) => a.invalidFault === undefined);
}

/** A patient's anchored records (every occurrence, invalid ones flagged), in anchoring order. */
export function anchorsOfPatient(db: DatabaseSync, patient: Address): IndexedAnchor[] {
  const sql = anchorSelect
    .replace('%WHERE_D%', 'd.patient = ?')
    .replace('%WHERE_E%', 'e.patient = ?');
  const p = lower(patient);
  return (statement(db, sql).all(p, p) as AnchorRow[]).map(toAnchor);
}

export type IndexedGrant = {
  patient: Address;
  grantee: Address;
  /** 0 = one record, 1 = a category. */
  scope: number;
  target: Hex;
  purpose: Hex;
  expiresAt: number;
  grantedBy: Address;
  blockNumber: number;
};

/** The grant in force for one key, if its latest event is a grant that has not expired at `atTime`. */
export function currentGrant(
  db: DatabaseSync,
  key: { patient: Address; grantee: Address; scope: number; target: Hex },
): (IndexedGrant & { revoked: false }) | { revoked: true } | undefined {
  const row = statement(
    db,
    `SELECT patient, grantee, scope, target, granted, purpose, expires_at, by, block_number FROM consent_events
       WHERE patient = ? AND grantee = ? AND scope = ? AND target = ?
       ORDER BY block_number DESC, log_index DESC LIMIT 1`,
  ).get(lower(key.patient), lower(key.grantee), key.scope, lower(key.target)) as
    | {
        patient: Address;
        grantee: Address;
        scope: number;
        target: Hex;
        granted: number;
        purpose: Hex;
        expires_at: number;
        by: Address;
        block_number: number;
      }
    | undefined;
  if (!row) return undefined;
  if (!row.granted) return { revoked: true };
  return {
    revoked: false,
    patient: row.patient,
    grantee: row.grantee,
    scope: row.scope,
    target: row.target,
    purpose: row.purpose,
    expiresAt: row.expires_at,
    grantedBy: row.by,
    blockNumber: row.block_number,
  };
}

/** Grants in force at `atTime`, by patient and/or grantee. */
export function activeGrants(
  db: DatabaseSync,
  filter: { patient?: Address | undefined; grantee?: Address | undefined; atTime: number },
): IndexedGrant[] {
  const rows = statement(
    db,
    `SELECT c.* FROM consent_events c
       WHERE (?1 IS NULL OR c.patient = ?1) AND (?2 IS NULL OR c.grantee = ?2)
         AND NOT EXISTS (SELECT 1 FROM consent_events n WHERE n.patient = c.patient AND n.grantee = c.grantee
           AND n.scope = c.scope AND n.target = c.target
           AND (n.block_number > c.block_number OR (n.block_number = c.block_number AND n.log_index > c.log_index)))
         AND c.granted = 1 AND c.expires_at > ?3
       ORDER BY c.block_number, c.log_index`,
  ).all(
    filter.patient ? lower(filter.patient) : null,
    filter.grantee ? lower(filter.grantee) : null,
    filter.atTime,
  ) as {
    patient: Address;
    grantee: Address;
    scope: number;
    target: Hex;
    purpose: Hex;
    expires_at: number;
    by: Address;
    block_number: number;
  }[];
  return rows.map((r) => ({
    patient: r.patient,
    grantee: r.grantee,
    scope: r.scope,
    target: r.target,
    purpose: r.purpose,
    expiresAt: r.expires_at,
    grantedBy: r.by,
    blockNumber: r.block_number,
  }));
}

export type IndexedCommit = {
  id: number;
  root: Hex;
  node: Address;
  entryCount: number;
  cid: Hex;
  committedAt: number;
  blockNumber: number;
};

/** Audit roots, oldest first. */
export function auditCommits(db: DatabaseSync): IndexedCommit[] {
  return (
    statement(db, 'SELECT * FROM audit_commits ORDER BY commit_id').all() as {
      commit_id: number;
      root: Hex;
      node: Address;
      entry_count: number;
      cid: Hex;
      committed_at: number;
      block_number: number;
    }[]
  ).map((r) => ({
    id: r.commit_id,
    root: r.root,
    node: r.node,
    entryCount: r.entry_count,
    cid: r.cid,
    committedAt: r.committed_at,
    blockNumber: r.block_number,
  }));
}

/** Record batches, oldest first; `entriesLoaded` once their entry list is in the index. */
export function recordBatches(db: DatabaseSync): (IndexedCommit & { entriesLoaded: boolean })[] {
  return (
    statement(db, 'SELECT * FROM batches ORDER BY batch_id').all() as {
      batch_id: number;
      root: Hex;
      node: Address;
      entry_count: number;
      cid: Hex;
      committed_at: number;
      entries_loaded: number;
      block_number: number;
    }[]
  ).map((r) => ({
    id: r.batch_id,
    root: r.root,
    node: r.node,
    entryCount: r.entry_count,
    cid: r.cid,
    committedAt: r.committed_at,
    blockNumber: r.block_number,
    entriesLoaded: r.entries_loaded === 1,
  }));
}
