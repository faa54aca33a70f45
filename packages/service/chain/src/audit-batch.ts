import {
  type AuditEntry,
  auditEntryLeafEncoding,
  auditEntryLeafValues,
  auditLogAbi,
} from '@aegle/contracts';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { type Address, createPublicClient, type Hex, http } from 'viem';
import { BatchMismatchError } from './errors.ts';

export type AuditBatch = {
  /** The root to pass to AuditLog.commit. */
  root: Hex;
  entries: AuditEntry[];
  /** The proof of entries[i] is proofs[i]. */
  proofs: Hex[][];
};

/** Build an audit commit: a StandardMerkleTree of the releases in AuditLog's leaf encoding. */
export function buildAuditBatch(entries: readonly AuditEntry[]): AuditBatch {
  if (entries.length === 0) {
    throw new BatchMismatchError('an audit commit needs at least one entry', {
      hint: 'commit only when releases are pending',
    });
  }
  const tree = StandardMerkleTree.of(entries.map(auditEntryLeafValues), [
    ...auditEntryLeafEncoding,
  ]);
  const proofs: Hex[][] = [];
  for (const [i] of tree.entries()) proofs[i] = tree.getProof(i) as Hex[];
  return { root: tree.root as Hex, entries: [...entries], proofs };
}

/**
 * Check one audit entry against commit `commitId`'s on-chain root, given only an RPC URL: the root
 * is read from AuditLog and the proof is checked here.
 */
export async function verifyAuditInclusion(options: {
  rpcUrl: string;
  auditLogAddress: Address;
  entry: AuditEntry;
  proof: readonly Hex[];
  commitId: bigint | number;
}): Promise<boolean> {
  const client = createPublicClient({ transport: http(options.rpcUrl), cacheTime: 0 });
  const count = await client.readContract({
    address: options.auditLogAddress,
    abi: auditLogAbi,
    functionName: 'commitCount',
  });
  const id = BigInt(options.commitId);
  if (id === 0n || id > count) return false;
  const commit = await client.readContract({
    address: options.auditLogAddress,
    abi: auditLogAbi,
    functionName: 'commitAt',
    args: [id],
  });
  return StandardMerkleTree.verify(
    commit.root,
    [...auditEntryLeafEncoding],
    auditEntryLeafValues(options.entry),
    [...options.proof],
  );
}
