import type { Account, Address } from '@aegle/crypto';
import { getAddress, type Hex } from 'viem';
import type { GrantTarget } from '../signing/consent-calls.ts';
import { bytes32Label } from '../signing/contracts.ts';
import type { Transport } from '../transport/transport.ts';
import type { KeyHolder } from './prepare-record.ts';
import { wrapForGrantee } from './wrap-for-grantee.ts';

type KeyTransport = Pick<
  Transport,
  'list' | 'get' | 'keyHolders' | 'putWrappedKey' | 'deleteWrappedKey'
>;

/** The record ids a grant target covers today: one record, or every record of the category. */
async function recordsOf(
  transport: KeyTransport,
  patient: Address,
  target: GrantTarget,
): Promise<Hex[]> {
  if ('recordId' in target) return [target.recordId];
  const category = bytes32Label(target.category).toLowerCase();
  const ids: Hex[] = [];
  let cursor: string | undefined;
  do {
    const page = await transport.list({ patient, ...(cursor && { cursor }) });
    for (const record of page.items) {
      if (record.category.toLowerCase() === category) ids.push(record.recordId);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/**
 * The key half of a grant, run by the patient's (or guardian's) client after relaying the grant
 * on chain: wraps the data key of every record the target covers for the grantee, skipping
 * records the grantee already holds a key for, so it can be run again to catch records written
 * while the grant was pending. Returns the record ids it wrapped keys for.
 */
export async function wrapKeysForGrantee(options: {
  transport: KeyTransport;
  /** The patient, or their guardian (who needs keys wrapped for it). */
  account: Pick<Account, 'encryptionPrivateKey'>;
  patient: Address;
  grantee: KeyHolder;
  target: GrantTarget;
}): Promise<Hex[]> {
  const { transport } = options;
  const grantee = getAddress(options.grantee.address);
  const wrapped: Hex[] = [];
  for (const recordId of await recordsOf(transport, options.patient, options.target)) {
    const holders = (await transport.keyHolders(recordId)).map((a) => getAddress(a));
    if (holders.includes(grantee)) continue;
    const { wrappedKey } = await transport.get(recordId);
    if (!wrappedKey) continue; // nothing wrapped for this account: it cannot grant this record
    const key = await wrapForGrantee({
      recordId,
      wrappedKey,
      account: options.account,
      grantee: { address: grantee, encryptionPublicKey: options.grantee.encryptionPublicKey },
    });
    await transport.putWrappedKey(recordId, key);
    wrapped.push(recordId);
  }
  return wrapped;
}

/**
 * The key half of a revocation: deletes the grantee's wrapped keys on every record the target
 * covers. Relay the revocation on chain as well; docs/KEYS.md says what neither can undo.
 */
export async function removeKeysOfGrantee(options: {
  transport: KeyTransport;
  patient: Address;
  grantee: Address;
  target: GrantTarget;
}): Promise<Hex[]> {
  const { transport } = options;
  const grantee = getAddress(options.grantee);
  const removed: Hex[] = [];
  for (const recordId of await recordsOf(transport, options.patient, options.target)) {
    const holders = (await transport.keyHolders(recordId)).map((a) => getAddress(a));
    if (!holders.includes(grantee)) continue;
    await transport.deleteWrappedKey(recordId, grantee);
    removed.push(recordId);
  }
  return removed;
}
