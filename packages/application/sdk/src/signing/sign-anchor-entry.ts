import { type Account, randomBytes, recoverSigner } from '@aegle/crypto';
import { bytesToHex, type Hex, hexToBytes, zeroAddress } from 'viem';
import { privateKeyToAccount, sign } from 'viem/accounts';
import {
  type AnchorEntry,
  encodeEntryBatchSignature,
  entryBatchDigest,
  entryBatchTree,
  anchorEntryDigest as entryDigest,
  signedDigestOf,
  type UnsignedAnchorEntry,
} from './contracts.ts';

/** Where entries are anchored: the chain and the Records contract (the EIP-712 domain). */
export type RecordsDeployment = { chainId: number; records: Hex };

export type { UnsignedAnchorEntry };

/**
 * The EIP-712 digest the creator signs: what `Records.entryDigest` returns on chain
 * (@aegle/contracts' anchorEntryDigest, with the domain separator cached per deployment).
 */
export function anchorEntryDigest(entry: UnsignedAnchorEntry, deployment: RecordsDeployment): Hex {
  return entryDigest(entry, deployment.chainId, deployment.records);
}

/** viem signers by key: deriving one costs a public-key multiplication, per record otherwise. */
const signers = new WeakMap<Uint8Array, ReturnType<typeof privateKeyToAccount>>();

function signerOf(signingPrivateKey: Uint8Array) {
  let signer = signers.get(signingPrivateKey);
  if (!signer) {
    signer = privateKeyToAccount(bytesToHex(signingPrivateKey));
    signers.set(signingPrivateKey, signer);
  }
  return signer;
}

/**
 * Signs an anchor entry with the creator's signing key. The creator must be `entry.creator`:
 * signing for another address would only make an entry the contract marks invalid.
 */
export async function signAnchorEntry(
  entry: UnsignedAnchorEntry,
  creator: Pick<Account, 'address' | 'signingPrivateKey'>,
  deployment: RecordsDeployment,
): Promise<AnchorEntry> {
  assertCreator(creator, [entry]);
  // viem's signTypedData is sign(hashTypedData(…)); the digest is computed here once, cheaper.
  return { ...entry, signature: await signDigest(anchorEntryDigest(entry, deployment), creator) };
}

/**
 * Signs many entries at once, as Records.sol allows: one EIP-712 signature of the root of the
 * entries' Merkle tree (`AnchorEntryBatch`), and for each entry a batch signature that carries
 * that signature and the entry's proof (@aegle/contracts' encodeEntryBatchSignature). One entry
 * gets its own signature. The same order out as in. Why: a signature per entry is the largest
 * cost of a FHIR import on the client (about a quarter of a millisecond per resource), and its
 * check the largest on the node; a batch pays for one.
 */
export async function signAnchorEntries(
  entries: readonly UnsignedAnchorEntry[],
  creator: Pick<Account, 'address' | 'signingPrivateKey'>,
  deployment: RecordsDeployment,
): Promise<AnchorEntry[]> {
  if (entries.length <= 1) {
    return Promise.all(entries.map((entry) => signAnchorEntry(entry, creator, deployment)));
  }
  assertCreator(creator, entries);
  const tree = entryBatchTree(entries);
  const rootSignature = await signDigest(
    entryBatchDigest(tree.root, deployment.chainId, deployment.records),
    creator,
  );
  return entries.map((entry, i) => ({
    ...entry,
    signature: encodeEntryBatchSignature(rootSignature, tree.proofs[i] as Hex[]),
  }));
}

function signDigest(hash: Hex, creator: Pick<Account, 'signingPrivateKey'>): Promise<Hex> {
  return sign({ hash, privateKey: bytesToHex(creator.signingPrivateKey), to: 'hex' });
}

function assertCreator(
  creator: Pick<Account, 'signingPrivateKey'>,
  entries: readonly UnsignedAnchorEntry[],
): void {
  const signer = signerOf(creator.signingPrivateKey).address.toLowerCase();
  if (entries.some((entry) => entry.creator.toLowerCase() !== signer)) {
    throw new TypeError('signAnchorEntry: the signing key is not the entry’s creator');
  }
}

/**
 * A nonce for a batched entry: a fresh random 192-bit key in the high bits, sequence 0
 * (OpenZeppelin NoncesKeyed: nonce = key << 64 | sequence). A batched entry only signs its nonce,
 * and a random key means that if someone submits the entry on the direct path, it consumes a key
 * nobody else uses instead of the creator's direct-path sequence.
 */
export function batchedEntryNonce(): bigint {
  const key = randomBytes(24);
  return BigInt(bytesToHex(key)) << 64n;
}

/**
 * The address that signed an entry for this deployment, as Records.sol judges the signature
 * (its own, or a batch signature: see `signAnchorEntries`; v 27 or 28, low s; @aegle/crypto's
 * recoverSigner). Equal to `entry.creator` for an entry the creator really signed; anything else
 * (another address, or the zero address for a signature the contract rejects, such as a
 * malleated high-s twin) means a forged or foreign entry.
 */
export async function recoverAnchorEntrySigner(
  entry: AnchorEntry,
  deployment: RecordsDeployment,
): Promise<Hex> {
  const { digest, signature } = signedDigestOf(entry, deployment.chainId, deployment.records);
  return recoverSigner(hexToBytes(digest), hexToBytes(signature)) ?? zeroAddress;
}
