import type { Address } from '@aegle/crypto';
import { decodeEventLog, type Hex, type PublicClient, zeroHash } from 'viem';
import type { AnchorEntry } from '../signing/contracts.ts';
import type { AuditEntryView, InclusionView } from '../transport/transport.ts';
import {
  anchorEntryLeafEncoding,
  anchorEntryLeafValues,
  auditEntryLeafEncoding,
  auditEntryLeafValues,
  auditLogAbi,
  recordsAbi,
} from './contracts.ts';
import { rootFromProof, standardLeaf } from './merkle-proof.ts';

type ChainReader = Pick<PublicClient, 'readContract' | 'getTransactionReceipt'>;

/** What the chain says about an entry: checked here, trusting the RPC endpoint only for state. */
export type InclusionCheck = {
  /** `pending`: not on chain yet; `verified`: the proof leads to a root the chain holds. */
  status: 'pending' | 'verified' | 'invalid';
  /** Why it is invalid, when it is. */
  reason?: 'leaf-mismatch' | 'proof-mismatch' | 'root-not-on-chain' | 'entry-invalidated';
  leaf: Hex;
  /** The batch (records) or commit (audit) id on chain. */
  batchId?: bigint;
  root?: Hex;
  txHash?: Hex;
};

/** The id of the batch (or audit commit) `root` was committed in, from its transaction's logs. */
async function batchIdFromReceipt(
  client: ChainReader,
  txHash: Hex,
  contract: Address,
  kind: 'records' | 'audit',
  root: Hex,
): Promise<bigint | undefined> {
  let receipt: Awaited<ReturnType<ChainReader['getTransactionReceipt']>>;
  try {
    receipt = await client.getTransactionReceipt({ hash: txHash });
  } catch {
    return undefined;
  }
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== contract.toLowerCase()) continue;
    try {
      if (kind === 'records') {
        const event = decodeEventLog({ abi: recordsAbi, data: log.data, topics: log.topics });
        if (event.eventName === 'BatchCommitted' && event.args.root === root)
          return event.args.batchId;
      } else {
        const event = decodeEventLog({ abi: auditLogAbi, data: log.data, topics: log.topics });
        if (event.eventName === 'AuditCommitted' && event.args.root === root) {
          return event.args.commitId;
        }
      }
    } catch {
      // Another event of the same contract.
    }
  }
  return undefined;
}

async function checkInclusion(
  client: ChainReader,
  kind: 'records' | 'audit',
  contract: Address,
  leaf: Hex,
  inclusion: InclusionView,
): Promise<InclusionCheck> {
  if (inclusion.state !== 'confirmed' || !inclusion.proof || !inclusion.txHash) {
    return { status: 'pending', leaf };
  }
  const base = { leaf, ...(inclusion.txHash && { txHash: inclusion.txHash }) };
  if (inclusion.leaf && inclusion.leaf.toLowerCase() !== leaf.toLowerCase()) {
    return { ...base, status: 'invalid', reason: 'leaf-mismatch' };
  }
  const root = rootFromProof(leaf, inclusion.proof);
  if (inclusion.root && inclusion.root.toLowerCase() !== root.toLowerCase()) {
    return { ...base, root, status: 'invalid', reason: 'proof-mismatch' };
  }
  const batchId = await batchIdFromReceipt(client, inclusion.txHash, contract, kind, root);
  if (batchId === undefined)
    return { ...base, root, status: 'invalid', reason: 'root-not-on-chain' };
  // The receipt says the root was committed; the contract's storage says it still stands.
  const onChain =
    kind === 'records'
      ? (
          await client.readContract({
            address: contract,
            abi: recordsAbi,
            functionName: 'batch',
            args: [batchId],
          })
        ).root
      : (
          await client.readContract({
            address: contract,
            abi: auditLogAbi,
            functionName: 'commitAt',
            args: [batchId],
          })
        ).root;
  if (onChain === zeroHash || onChain.toLowerCase() !== root.toLowerCase()) {
    return { ...base, root, batchId, status: 'invalid', reason: 'root-not-on-chain' };
  }
  if (kind === 'records') {
    const [, fault] = await client.readContract({
      address: contract,
      abi: recordsAbi,
      functionName: 'entryStatus',
      args: [batchId, leaf, [...inclusion.proof]],
    });
    if (Number(fault) !== 0) {
      return { ...base, root, batchId, status: 'invalid', reason: 'entry-invalidated' };
    }
  }
  return { ...base, root, batchId, status: 'verified' };
}

/**
 * Checks a record's signed entry against the chain: its leaf, the proof up to the batch root,
 * and that root in the Records contract (found through the commit transaction's event), and that
 * no challenge invalidated the entry.
 */
export function verifyRecordAnchor(
  client: ChainReader,
  records: Address,
  entry: AnchorEntry,
  anchor: InclusionView,
): Promise<InclusionCheck> {
  const leaf = standardLeaf(anchorEntryLeafEncoding, anchorEntryLeafValues(entry));
  return checkInclusion(client, 'records', records, leaf, anchor);
}

/** Checks one audit entry (a release) against the AuditLog root it was committed under. */
export function verifyAuditEntry(
  client: ChainReader,
  auditLog: Address,
  entry: AuditEntryView,
): Promise<InclusionCheck> {
  const leaf = standardLeaf(
    auditEntryLeafEncoding,
    auditEntryLeafValues({
      recordId: entry.recordId,
      patient: entry.patient,
      reader: entry.reader,
      purpose: entry.purpose,
      releasedAt: BigInt(entry.releasedAt),
    }),
  );
  return checkInclusion(client, 'audit', auditLog, leaf, entry.commit);
}
