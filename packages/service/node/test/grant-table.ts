// AN IN-PROCESS TEST DOUBLE of the PermissionSource port: a grant table with the semantics of
// Consents.canRead (a record grant wins over a category grant; expiry is strict), guardians as in
// Accounts.actsFor, and a set of certified writers. The lead binds the real port to the chain
// indexer (@aegle/chain mayRead); the whole-stack tests against anvil come with that binding.
import type {
  Hex,
  PermissionSource,
  ReadDecision,
  RecordRef,
  WriteDecision,
} from '../src/ports.ts';

type Grant = { purpose: Hex; expiresAt: number };

export class GrantTable implements PermissionSource {
  readonly #grants = new Map<string, Grant>();
  readonly #guardians = new Map<string, Hex>();
  readonly certified = new Set<string>();

  #key(patient: Hex, grantee: Hex, scope: 'record' | 'category', target: Hex): string {
    return [patient, grantee, scope, target].join('|').toLowerCase();
  }

  grant(
    patient: Hex,
    grantee: Hex,
    scope: 'record' | 'category',
    target: Hex,
    purpose: Hex,
    expiresAt: Date,
  ): void {
    this.#grants.set(this.#key(patient, grantee, scope, target), {
      purpose,
      expiresAt: expiresAt.getTime(),
    });
  }

  revoke(patient: Hex, grantee: Hex, scope: 'record' | 'category', target: Hex): void {
    this.#grants.delete(this.#key(patient, grantee, scope, target));
  }

  setGuardian(patient: Hex, guardian: Hex): void {
    this.#guardians.set(patient.toLowerCase(), guardian.toLowerCase() as Hex);
  }

  mayRead(reader: Hex, record: RecordRef, at: Date): ReadDecision {
    const t = at.getTime();
    const byRecord = this.#grants.get(this.#key(record.patient, reader, 'record', record.recordId));
    if (byRecord && byRecord.expiresAt > t) return { allowed: true, purpose: byRecord.purpose };
    const byCategory = this.#grants.get(
      this.#key(record.patient, reader, 'category', record.category),
    );
    if (byCategory && byCategory.expiresAt > t)
      return { allowed: true, purpose: byCategory.purpose };
    if (byRecord || byCategory) return { allowed: false, reason: 'expired' };
    return { allowed: false, reason: 'no-grant' };
  }

  mayWrite(creator: Hex, patient: Hex, at: Date): WriteDecision {
    if (this.actsFor(creator, patient, at)) return { allowed: true };
    return this.certified.has(creator.toLowerCase())
      ? { allowed: true }
      : { allowed: false, reason: 'not-certified' };
  }

  writeRecipients(patient: Hex, category: Hex, at: Date): Hex[] {
    const out = new Set<Hex>();
    const guardian = this.#guardians.get(patient.toLowerCase());
    if (guardian) out.add(guardian);
    const prefix = `${patient}|`.toLowerCase();
    const suffix = `|category|${category}`.toLowerCase();
    for (const [key, grant] of this.#grants) {
      if (key.startsWith(prefix) && key.endsWith(suffix) && grant.expiresAt > at.getTime()) {
        out.add(key.split('|')[1] as Hex);
      }
    }
    return [...out];
  }

  actsFor(caller: Hex, patient: Hex, _at: Date): boolean {
    return (
      caller.toLowerCase() === patient.toLowerCase() ||
      this.#guardians.get(patient.toLowerCase()) === caller.toLowerCase()
    );
  }
}
