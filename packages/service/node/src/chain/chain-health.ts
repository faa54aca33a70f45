import type { Indexer } from '@aegle/chain';
import type { PublicClient } from 'viem';
import type { ChainHealth } from '../ports.ts';

/**
 * Head, indexed cursor and lag for /health. `crashed()` lets the embedded chain's supervisor
 * report a dead anvil at once rather than after an RPC timeout.
 */
export function createChainHealth(options: {
  publicClient: Pick<PublicClient, 'getBlockNumber'>;
  indexer: Pick<Indexer, 'cursor'>;
  crashed?: () => boolean;
  timeoutMs?: number;
}): ChainHealth {
  return {
    async status() {
      const indexed = options.indexer.cursor();
      if (options.crashed?.()) return { connected: false, indexed };
      try {
        const head = Number(
          await withTimeout(
            options.publicClient.getBlockNumber({ cacheTime: 0 }),
            options.timeoutMs ?? 2000,
          ),
        );
        return { connected: true, head, indexed, lagBlocks: Math.max(0, head - indexed) };
      } catch {
        return { connected: false, indexed };
      }
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
