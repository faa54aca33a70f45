import type { DatabaseSync } from 'node:sqlite';
import {
  accountOf,
  activeGrants,
  currentGrant,
  guardianAt,
  mayRead as indexMayRead,
  permissionsEpochReader,
  writeAllowedAt,
} from '@aegle/chain';
import type { Hex, PermissionSource, ReadDecision, RecordRef, WriteDecision } from '../ports.ts';

/**
 * The PermissionSource over the chain index (the indexer's SQLite): the answers the contracts
 * would give, read locally. "Now" is the later of the node's clock and the newest indexed block's
 * time, since grants expire on chain time (Consents reads block.timestamp), which a test chain or
 * a skewed clock may put ahead of the wall clock.
 */
export function createChainPermissions(db: DatabaseSync): PermissionSource {
  const latestBlockTime = db.prepare(
    'SELECT timestamp AS t FROM blocks ORDER BY number DESC LIMIT 1',
  );
  // Cached read decisions stand until the indexer's permissions epoch moves: it does, in the
  // same transaction, with every indexed change that can alter a decision (a grant, a revocation,
  // a guardian, an anchored record, a rollback), so a revocation is seen as soon as it is indexed;
  // audit commits and new blocks leave it, so the cache survives a steady stream of audited reads.
  // Time is handled per decision: each is kept only until the grant it rests on ends.
  const cache = new Map<string, { decision: ReadDecision; until: number }>();
  const epoch = permissionsEpochReader(db);
  let cachedAt = -1;
  const dropCacheIfStale = (): void => {
    const current = epoch();
    if (current !== cachedAt) {
      cache.clear();
      cachedAt = current;
    }
  };
  // The newest indexed block's time, read again only when the index has moved at all.
  const changes = db.prepare('SELECT total_changes() AS n');
  let timeAt = -1;
  let chainNow = 0;
  const chainTime = (): number => {
    const n = Number((changes.get() as { n: number }).n);
    if (n !== timeAt) {
      timeAt = n;
      chainNow = Number((latestBlockTime.get() as { t: number | null } | undefined)?.t ?? 0);
    }
    return chainNow;
  };
  const seconds = (at: Date): number => {
    dropCacheIfStale();
    return Math.max(Math.floor(at.getTime() / 1000), chainTime());
  };
  const lower = (value: string) => value.toLowerCase() as Hex;

  /** Consents.canRead's rule applied to the node's own record (not yet anchored on chain). */
  const byRule = (reader: Hex, record: RecordRef, t: number): ReadDecision => {
    const grant = (scope: number, target: Hex) =>
      currentGrant(db, { patient: record.patient, grantee: reader, scope, target });
    const byRecord = grant(0, record.recordId);
    if (byRecord && !byRecord.revoked && byRecord.expiresAt > t) {
      return { allowed: true, purpose: byRecord.purpose };
    }
    const byCategory = grant(1, record.category);
    if (byCategory && !byCategory.revoked && byCategory.expiresAt > t) {
      return { allowed: true, purpose: byCategory.purpose };
    }
    const grants = [byRecord, byCategory].filter((g) => g !== undefined);
    if (grants.some((g) => !g.revoked)) return { allowed: false, reason: 'grant-expired' };
    if (grants.length > 0) return { allowed: false, reason: 'grant-revoked' };
    return { allowed: false, reason: 'no-grant' };
  };

  const decide = (reader: Hex, record: RecordRef, t: number): ReadDecision => {
    const answer = indexMayRead(db, reader, record.recordId, t);
    if (answer.reason === 'unknown-record') return byRule(reader, record, t);
    if (answer.allowed && answer.purpose) return { allowed: true, purpose: answer.purpose };
    return { allowed: false, reason: answer.reason };
  };
  /**
   * Until when an allowed decision stands without a change to the index: the first end of a grant
   * in force (after it, the answer or its purpose may differ).
   */
  const nextGrantEnd = (reader: Hex, record: RecordRef, t: number): number => {
    let end = Number.POSITIVE_INFINITY;
    for (const [scope, target] of [
      [0, record.recordId],
      [1, record.category],
    ] as const) {
      const grant = currentGrant(db, { patient: record.patient, grantee: reader, scope, target });
      if (grant && !grant.revoked && grant.expiresAt > t) end = Math.min(end, grant.expiresAt);
    }
    return Number.isFinite(end) ? end : t + 1;
  };

  return {
    mayRead(reader, record, at): ReadDecision {
      const t = seconds(at);
      const key = `${lower(reader)}|${lower(record.recordId)}|${lower(record.patient)}|${lower(record.category)}`;
      const hit = cache.get(key);
      if (hit && t < hit.until) return hit.decision;
      const decision = decide(lower(reader), record, t);
      if (cache.size > 100_000) cache.clear();
      const until = decision.allowed ? nextGrantEnd(lower(reader), record, t) : t + 1;
      cache.set(key, { decision, until });
      return decision;
    },
    // Judged at exactly `at` (the entry's signing time on commit), as Records.challenge judges it.
    mayWrite(creator, patient, at): WriteDecision {
      const t = Math.floor(at.getTime() / 1000);
      if (writeAllowedAt(db, creator, patient, t)) return { allowed: true };
      const p = accountOf(db, patient);
      if (p?.role !== 1) return { allowed: false, reason: 'patient-not-registered' };
      if (p.registeredAt > t) return { allowed: false, reason: 'patient-not-yet-registered' };
      return { allowed: false, reason: 'not-certified' };
    },
    actsFor(caller, patient, at): boolean {
      if (lower(caller) === lower(patient)) return true;
      return guardianAt(db, patient, seconds(at)) === lower(caller);
    },
    writeRecipients(patient, category, at): Hex[] {
      const t = seconds(at);
      const out = new Set<Hex>();
      const guardian = guardianAt(db, patient, t);
      if (guardian) out.add(lower(guardian));
      for (const grant of activeGrants(db, { patient, atTime: t })) {
        if (grant.scope === 1 && lower(grant.target) === lower(category)) {
          out.add(lower(grant.grantee));
        }
      }
      out.delete(lower(patient));
      return [...out];
    },
  };
}
