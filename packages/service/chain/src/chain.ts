import type { Account } from 'viem';
import type { EmbeddedAnvil } from './anvil.ts';
import type { AegleChainClients } from './clients.ts';
import type { AegleDeployment } from './deployment.ts';

/** A running connection to the chain Aegle's contracts live on, embedded or external. */
export type AegleChain = AegleChainClients & {
  mode: 'embedded' | 'external';
  rpcUrl: string;
  deployment: AegleDeployment;
  /** The node's own chain account, if it has one (always in embedded mode). */
  operator: Account | undefined;
  /** The anvil child process in embedded mode. */
  anvil: EmbeddedAnvil | undefined;
  /** Stop the embedded chain (clean SIGTERM, state dumped); a no-op in external mode. */
  stop(): Promise<void>;
};
