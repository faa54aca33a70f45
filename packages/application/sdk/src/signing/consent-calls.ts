// Calldata for the calls a user signs and a node relays through the forwarder (see
// signForwardRequest): consents, guardians and registration. The ABIs come from @aegle/contracts.
import type { Address } from '@aegle/crypto';
import { bytesToHex, encodeFunctionData, type Hex } from 'viem';
import { accountsAbi, bytes32Label, consentsAbi, type Role, Scope } from './contracts.ts';

/** What a grant covers: one record, or every record of a category (present and future). */
export type GrantTarget = { recordId: Hex } | { category: string };

function scopeAndTarget(target: GrantTarget): [Scope, Hex] {
  return 'recordId' in target
    ? [Scope.Record, target.recordId]
    : [Scope.Category, bytes32Label(target.category)];
}

/** `Consents.grant`: the patient (or guardian) lets `grantee` read `target` for `purpose` until `expiresAt`. */
export function encodeGrant(grant: {
  patient: Address;
  grantee: Address;
  target: GrantTarget;
  /** A short purpose label, e.g. `treatment`. */
  purpose: string;
  /** Unix seconds. */
  expiresAt: bigint;
}): Hex {
  const [scope, target] = scopeAndTarget(grant.target);
  return encodeFunctionData({
    abi: consentsAbi,
    functionName: 'grant',
    args: [
      grant.patient,
      grant.grantee,
      scope,
      target,
      bytes32Label(grant.purpose),
      grant.expiresAt,
    ],
  });
}

/** `Consents.revoke`. Delete the grantee's wrapped keys on the node too (docs/KEYS.md). */
export function encodeRevoke(revoke: {
  patient: Address;
  grantee: Address;
  target: GrantTarget;
}): Hex {
  const [scope, target] = scopeAndTarget(revoke.target);
  return encodeFunctionData({
    abi: consentsAbi,
    functionName: 'revoke',
    args: [revoke.patient, revoke.grantee, scope, target],
  });
}

/** `Accounts.setGuardian`, signed by the patient. */
export function encodeSetGuardian(guardian: Address): Hex {
  return encodeFunctionData({ abi: accountsAbi, functionName: 'setGuardian', args: [guardian] });
}

/** `Accounts.register`: an account's role and encryption public key, signed by the account. */
export function encodeRegister(role: Role, encryptionPublicKey: Uint8Array): Hex {
  return encodeFunctionData({
    abi: accountsAbi,
    functionName: 'register',
    args: [role, bytesToHex(encryptionPublicKey)],
  });
}
