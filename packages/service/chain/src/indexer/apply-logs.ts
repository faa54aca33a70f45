import type { DatabaseSync } from 'node:sqlite';
import {
  accountsAbi,
  auditLogAbi,
  certificationAbi,
  consentsAbi,
  recordsAbi,
} from '@aegle/contracts';
import { type Abi, decodeEventLog, type Log } from 'viem';
import type { AegleContractAddresses } from '../deployment.ts';
import { statement } from './statement.ts';

/** The contracts whose events the index follows (the forwarder and the token carry none it needs). */
export function indexedContracts(contracts: AegleContractAddresses): Map<string, Abi> {
  return new Map<string, Abi>([
    [contracts.accounts.toLowerCase(), accountsAbi],
    [contracts.certification.toLowerCase(), certificationAbi],
    [contracts.records.toLowerCase(), recordsAbi],
    [contracts.consents.toLowerCase(), consentsAbi],
    [contracts.auditLog.toLowerCase(), auditLogAbi],
  ]);
}

/** Numbers that may exceed 2^53 (uint64 expiries) are clamped: only comparisons with clocks use them. */
export function clampTime(value: bigint | number): number {
  const v = BigInt(value);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

type RawLog = Pick<Log, 'address' | 'data' | 'topics' | 'logIndex' | 'blockNumber'>;

/**
 * Apply one block range's logs, in chain order, inside the caller's transaction.
 * `timestampOf` gives the timestamp of a block that carried logs. Returns whether any applied
 * event can change a permission decision (anything but an audit commit).
 */
export function applyLogs(
  db: DatabaseSync,
  contracts: Map<string, Abi>,
  logs: readonly RawLog[],
  timestampOf: (blockNumber: bigint) => number,
): boolean {
  let permissionsChanged = false;
  for (const log of logs) {
    const abi = contracts.get(log.address.toLowerCase());
    if (!abi || log.blockNumber === null || log.logIndex === null) continue;
    let decoded: { eventName: string; args: Record<string, unknown> };
    try {
      decoded = decodeEventLog({
        abi,
        data: log.data,
        topics: log.topics,
      }) as unknown as typeof decoded;
    } catch {
      continue; // an event this index does not follow (RoleAdminChanged has no ABI conflict, but be lenient)
    }
    const block = Number(log.blockNumber);
    const index = log.logIndex;
    const time = timestampOf(log.blockNumber);
    const args = decoded.args;
    const h = (key: string): string => String(args[key]).toLowerCase();
    const num = (key: string): number => Number(args[key]);
    const t = (key: string): number => clampTime(args[key] as bigint);
    if (decoded.eventName !== 'AuditCommitted') permissionsChanged = true;
    switch (decoded.eventName) {
      case 'AccountRegistered':
        statement(
          db,
          'INSERT OR REPLACE INTO accounts (account, role, encryption_key, registered_at, block_number, log_index) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(h('account'), num('role'), h('encryptionKey'), time, block, index);
        break;
      case 'EncryptionKeyRotated':
        statement(
          db,
          'INSERT INTO key_rotations (account, encryption_key, by, block_number, log_index) VALUES (?, ?, ?, ?, ?)',
        ).run(h('account'), h('encryptionKey'), h('by'), block, index);
        break;
      case 'GuardianSet':
        statement(
          db,
          'INSERT INTO guardian_events (patient, guardian, since, block_number, log_index) VALUES (?, ?, ?, ?, ?)',
        ).run(h('patient'), h('guardian'), time, block, index);
        break;
      case 'RoleGranted':
      case 'RoleRevoked':
        statement(
          db,
          'INSERT INTO role_events (role, account, granted, sender, block_number, log_index) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(
          h('role'),
          h('account'),
          decoded.eventName === 'RoleGranted' ? 1 : 0,
          h('sender'),
          block,
          index,
        );
        break;
      case 'Certified':
        statement(
          db,
          'INSERT INTO certificates (subject, credential_hash, issued_at, expires_at, issuer, block_number, log_index) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ).run(h('subject'), h('credentialHash'), time, t('expiresAt'), h('issuer'), block, index);
        break;
      case 'CertificationRevoked':
        statement(
          db,
          'INSERT INTO certificate_revocations (subject, by, revoked_at, block_number, log_index) VALUES (?, ?, ?, ?, ?)',
        ).run(h('subject'), h('by'), time, block, index);
        break;
      case 'RecordAnchored': {
        const { n } = statement(db, 'SELECT count(*) AS n FROM batches').get() as { n: number };
        statement(
          db,
          `INSERT OR REPLACE INTO direct_anchors (record_id, patient, creator, content_root, metadata_hash,
           category, supersedes, signed_at, after_batch, block_number, log_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          h('recordId'),
          h('patient'),
          h('creator'),
          h('contentRoot'),
          h('metadataHash'),
          h('category'),
          h('supersedes'),
          t('signedAt'),
          n,
          block,
          index,
        );
        break;
      }
      case 'BatchCommitted':
        statement(
          db,
          'INSERT OR REPLACE INTO batches (batch_id, root, node, entry_count, cid, committed_at, entries_loaded, block_number, log_index) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)',
        ).run(
          num('batchId'),
          h('root'),
          h('node'),
          num('entryCount'),
          h('cid'),
          time,
          block,
          index,
        );
        break;
      case 'EntryInvalidated':
        statement(
          db,
          'INSERT INTO invalidations (batch_id, leaf, record_id, fault, block_number, log_index) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(num('batchId'), h('leaf'), h('recordId'), num('fault'), block, index);
        break;
      case 'NodeFaulted':
        statement(
          db,
          'INSERT INTO node_faults (node, batch_id, leaf, fault, block_number, log_index) VALUES (?, ?, ?, ?, ?, ?)',
        ).run(h('node'), num('batchId'), h('leaf'), num('fault'), block, index);
        break;
      case 'ConsentGranted':
        statement(
          db,
          'INSERT INTO consent_events (patient, grantee, scope, target, granted, purpose, expires_at, by, block_number, log_index) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)',
        ).run(
          h('patient'),
          h('grantee'),
          num('scope'),
          h('target'),
          h('purpose'),
          t('expiresAt'),
          h('by'),
          block,
          index,
        );
        break;
      case 'ConsentRevoked':
        statement(
          db,
          'INSERT INTO consent_events (patient, grantee, scope, target, granted, purpose, expires_at, by, block_number, log_index) VALUES (?, ?, ?, ?, 0, NULL, NULL, ?, ?, ?)',
        ).run(h('patient'), h('grantee'), num('scope'), h('target'), h('by'), block, index);
        break;
      case 'AuditCommitted':
        statement(
          db,
          'INSERT OR REPLACE INTO audit_commits (commit_id, root, node, entry_count, cid, committed_at, block_number, log_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(
          num('commitId'),
          h('root'),
          h('node'),
          num('entryCount'),
          h('cid'),
          time,
          block,
          index,
        );
        break;
      default:
        break; // RoleAdminChanged and future events: not indexed
    }
  }
  return permissionsChanged;
}
