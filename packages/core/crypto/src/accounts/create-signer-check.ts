import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { Address } from './account.ts';
import { addressFromPublicKey } from './address-from-key.ts';
import { digestScalar, parseEthSignature, recoverEthPublicKey } from './eth-signature.ts';

const { Point } = secp256k1;
const Fn = Point.Fn;
type Point = InstanceType<typeof Point>;

export type SignerCheckOptions = {
  /** Signers whose public keys are remembered, most recently used kept (default 256). */
  capacity?: number;
  /**
   * Checks of one signer after which their key gets multiplication tables (default 32): a
   * table costs about 15 ms to build and some 250 kB to keep, and makes each later check
   * about 2.5 times faster, so it pays only for a signer who signs many entries (an import).
   */
  tablesAfter?: number;
  /** Signers with tables at most (default 16); the least recently used one loses them. */
  maxTables?: number;
  /** Told each time a signer's tables are built (for metrics, and tests). */
  onTables?: (signer: string) => void;
};

/** Whether `signature` is `signer`'s over the 32-byte `digest` (see `createSignerCheck`). */
export type SignerCheck = (digest: Uint8Array, signature: Uint8Array, signer: Address) => boolean;

type KnownSigner = { point: Point; checks: number; tables: boolean };

/** Width of a signer's multiplication tables, in bits (noble's default for its base point). */
const TABLE_WINDOW = 6;

/**
 * A check of Ethereum signatures by a claimed signer that accepts exactly what `recoverSigner`
 * (and so OpenZeppelin's ECDSA, and Records.sol) accepts, for a node that checks many signatures
 * by the same few accounts.
 *
 * The first signature of a signer is checked by recovery: its public key is learnt from the
 * signature itself and kept. Later ones are checked against that key by ECDSA verification with
 * the recovery id, R = u1·G + u2·Q where u1 = z/s and u2 = r/s, accepted when R's x is r and R's
 * y has v's parity. That is the same statement as "ecrecover gives Q": ecrecover rebuilds R from
 * (r, v) and returns (s·R − z·G)/r, which is Q exactly when s·R = z·G + r·Q. It is noble's own
 * `verify` with its recovery-bit check (format 'recovered'), written out here only so that Q's
 * precomputed tables are used: noble's `verify` takes the key as bytes and multiplies without
 * them.
 */
export function createSignerCheck(options: SignerCheckOptions = {}): SignerCheck {
  const capacity = options.capacity ?? 256;
  const tablesAfter = options.tablesAfter ?? 32;
  const maxTables = options.maxTables ?? 16;
  // Insertion order is recency: a signer checked again is moved to the end.
  const known = new Map<string, KnownSigner>();
  const withTables: string[] = [];

  const remember = (key: string, publicKey: Uint8Array) => {
    if (known.size >= capacity) {
      const oldest = known.keys().next().value as string;
      forget(oldest);
    }
    known.set(key, { point: Point.fromBytes(publicKey), checks: 1, tables: false });
  };
  const forget = (key: string) => {
    const signer = known.get(key);
    known.delete(key);
    if (signer?.tables) withTables.splice(withTables.indexOf(key), 1);
  };
  const giveTables = (key: string, signer: KnownSigner) => {
    if (withTables.length >= maxTables) {
      const oldest = withTables.shift() as string;
      const other = known.get(oldest);
      if (other) {
        // A fresh point without tables: the old one's tables go with it.
        other.point = Point.fromAffine(other.point.toAffine());
        other.tables = false;
        // It earns its tables again from scratch: otherwise more busy signers than `maxTables`,
        // taking turns, would rebuild tables (~15 ms) on every check instead of once per
        // `tablesAfter` checks.
        other.checks = 0;
      }
    }
    signer.point.precompute(TABLE_WINDOW, false);
    signer.tables = true;
    options.onTables?.(key);
    withTables.push(key);
  };

  return (digest, signature, signer) => {
    const parsed = parseEthSignature(digest, signature);
    if (parsed === undefined) return false;
    const key = signer.toLowerCase();
    const entry = known.get(key);
    if (entry === undefined) {
      const publicKey = recoverEthPublicKey(digest, signature, parsed);
      if (!publicKey || addressFromPublicKey(publicKey).toLowerCase() !== key) return false;
      remember(key, publicKey);
      return true;
    }
    known.delete(key);
    known.set(key, entry);
    entry.checks++;
    if (!entry.tables && entry.checks >= tablesAfter) giveTables(key, entry);
    const { r, s, recovery } = parsed;
    const sInverse = Fn.inv(s);
    const u1 = Fn.create(digestScalar(digest) * sInverse);
    const u2 = Fn.create(r * sInverse);
    const R = entry.tables
      ? Point.BASE.multiplyUnsafe(u1).add(entry.point.multiplyUnsafe(u2))
      : Point.BASE.mulAddUnsafe(u1, entry.point, u2);
    if (R.is0()) return false;
    const { x, y } = R.toAffine();
    return x === r && Number(y & 1n) === recovery;
  };
}
