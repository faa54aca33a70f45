import type { BatchToResolve, RecordEntry } from '@aegle/chain';
import type { ObjectStore } from '@aegle/storage';
import { hexToString } from 'viem';
import type { Hex } from '../ports.ts';

/**
 * The indexer's resolveBatch over the node's ObjectStore: the batch's CID (on chain as the
 * UTF-8 bytes of its string form) names the entry list the outbox stored, parsed back into
 * Records.Entry values. Undefined when this node does not hold the list (another node's batch);
 * the indexer checks the entries against the on-chain root before using them.
 */
export function resolveBatchFromStore(store: ObjectStore) {
  return async (batch: BatchToResolve): Promise<RecordEntry[] | undefined> => {
    let cid: string;
    try {
      cid = hexToString(batch.cid);
    } catch {
      return undefined;
    }
    if (!/^[a-z0-9]{8,128}$/i.test(cid) || !store.has(cid)) return undefined;
    const parts: Uint8Array[] = [];
    for await (const part of store.get(cid)) parts.push(part);
    const list = JSON.parse(Buffer.concat(parts).toString('utf8')) as {
      format?: string;
      kind?: string;
      values?: unknown[][];
    };
    if (list.format !== 'aegle-batch-v1' || list.kind !== 'anchor' || !list.values)
      return undefined;
    return list.values.map((v) => ({
      recordId: v[0] as Hex,
      patient: v[1] as Hex,
      creator: v[2] as Hex,
      contentRoot: v[3] as Hex,
      metadataHash: v[4] as Hex,
      category: v[5] as Hex,
      supersedes: v[6] as Hex,
      nonce: BigInt(v[7] as string),
      signedAt: BigInt(v[8] as string),
      signature: v[9] as Hex,
    }));
  };
}
