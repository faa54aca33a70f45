import { recordsAbi } from '@aegle/contracts';
import { type Address, createPublicClient, type Hex, http, zeroHash } from 'viem';
import { verifyRecordProof } from './record-batch.ts';
import { type RecordEntry, recordLeaf } from './record-entry.ts';

/** Records.Fault, by index. */
export const recordFaults = [
  'None',
  'BadSignature',
  'SignedOutsideWindow',
  'CreatorNotAllowed',
  'Duplicate',
] as const;
export type RecordFault = (typeof recordFaults)[number];

export type RecordInclusion = {
  /** The entry is in the batch's on-chain root (or, for batchId 0, is the direct anchor). */
  included: boolean;
  /** Whether a challenge found the entry invalid on chain ('None' if not). */
  fault: RecordFault;
  /** included and not found invalid. */
  valid: boolean;
  leaf: Hex;
  /** The on-chain root the proof was checked against (the direct anchor's leaf for batchId 0). */
  root: Hex;
};

/**
 * Check one entry's inclusion against the chain, trusting nothing but the RPC endpoint's state:
 * the root is read from Records, and the proof is checked here, not by the endpoint.
 * `batchId` 0 checks a direct anchor (the proof is then ignored).
 */
export async function verifyRecordInclusion(options: {
  rpcUrl: string;
  recordsAddress: Address;
  entry: RecordEntry;
  proof: readonly Hex[];
  batchId: bigint | number;
  blockTag?: 'latest' | 'safe' | 'finalized' | undefined;
}): Promise<RecordInclusion> {
  const client = createPublicClient({ transport: http(options.rpcUrl), cacheTime: 0 });
  const batchId = BigInt(options.batchId);
  const leaf = recordLeaf(options.entry);
  const blockTag = options.blockTag ?? 'latest';
  if (batchId === 0n) {
    const direct = await client.readContract({
      address: options.recordsAddress,
      abi: recordsAbi,
      functionName: 'directAnchor',
      args: [options.entry.recordId],
      blockTag,
    });
    const included = direct.leaf !== zeroHash && direct.leaf === leaf;
    const fault: RecordFault = included && direct.invalid ? 'Duplicate' : 'None';
    return { included, fault, valid: included && fault === 'None', leaf, root: direct.leaf };
  }
  const count = await client.readContract({
    address: options.recordsAddress,
    abi: recordsAbi,
    functionName: 'batchCount',
    blockTag,
  });
  if (batchId > count)
    return { included: false, fault: 'None', valid: false, leaf, root: zeroHash };
  const [batch, status] = await Promise.all([
    client.readContract({
      address: options.recordsAddress,
      abi: recordsAbi,
      functionName: 'batch',
      args: [batchId],
      blockTag,
    }),
    client.readContract({
      address: options.recordsAddress,
      abi: recordsAbi,
      functionName: 'entryStatus',
      args: [batchId, leaf, [...options.proof]],
      blockTag,
    }),
  ]);
  const included = verifyRecordProof(batch.root, options.entry, options.proof);
  const fault = recordFaults[status[1]] ?? 'None';
  return { included, fault, valid: included && fault === 'None', leaf, root: batch.root };
}
