import type { PublicClient } from 'viem';
import type { Outbox } from '../outbox.ts';

/**
 * After the chain lost state (an embedded anvil killed between two state dumps, restarted from
 * the last one), batches the outbox holds as confirmed may have vanished from it. Walks confirmed
 * batches newest first and reopens each whose block is gone or has another hash; it stops at the
 * first one the chain still has, since lost state is always a suffix of the chain. Returns how
 * many were reopened.
 */
export async function reconcileOutbox(
  outbox: Outbox,
  publicClient: Pick<PublicClient, 'getBlock'>,
  now = Date.now(),
): Promise<number> {
  let reopened = 0;
  let before = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const page = outbox.confirmedBefore(before, 64);
    if (page.length === 0) return reopened;
    for (const batch of page) {
      before = batch.id;
      const number = batch.receipt?.blockNumber;
      const hash = batch.receipt?.blockHash;
      if (typeof number !== 'number' || typeof hash !== 'string') continue;
      let onChain: string | undefined;
      try {
        onChain = (await publicClient.getBlock({ blockNumber: BigInt(number) })).hash ?? undefined;
      } catch (error) {
        if (!isMissingBlock(error)) throw error;
      }
      if (onChain?.toLowerCase() === hash.toLowerCase()) return reopened;
      outbox.reopen(batch.id, now);
      reopened++;
    }
  }
}

function isMissingBlock(error: unknown): boolean {
  return error instanceof Error && error.name === 'BlockNotFoundError';
}
