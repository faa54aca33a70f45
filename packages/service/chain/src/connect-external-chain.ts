import type { Account } from 'viem';
import type { AegleChain } from './chain.ts';
import { createAegleClients } from './clients.ts';
import { type DeployAegleOptions, deployAegle } from './deploy-aegle.ts';
import {
  type AegleDeployment,
  parseDeployment,
  readDeployment,
  writeDeployment,
} from './deployment.ts';
import { DeploymentNotFoundError } from './errors.ts';
import { verifyDeployment } from './verify-deployment.ts';

export type ConnectExternalChainOptions = {
  /** Any EVM JSON-RPC endpoint, for example a Besu node of the consortium. */
  rpcUrl: string;
  /** The node's chain account (it relays, commits batches); omit for a read-only connection. */
  account?: Account | undefined;
  /** The deployment record, as an object or as the path of the file the deploy step wrote. */
  deployment?: AegleDeployment | string | undefined;
  /**
   * With no deployment given: deploy now with `account` (which must be funded) and, if
   * `deploymentPath` is set, write the record there.
   */
  deploy?: (DeployAegleOptions & { deploymentPath?: string | undefined }) | undefined;
  pollingIntervalMs?: number | undefined;
};

/**
 * Connect the same code to an external chain: given the addresses of an existing deployment, or
 * deploying first. The deployment is checked against the chain (chain id, contract code).
 */
export async function connectExternalChain(
  options: ConnectExternalChainOptions,
): Promise<AegleChain> {
  const clients = await createAegleClients({
    rpcUrl: options.rpcUrl,
    account: options.account,
    pollingIntervalMs: options.pollingIntervalMs ?? 1000,
  });
  let deployment: AegleDeployment;
  if (typeof options.deployment === 'string') deployment = readDeployment(options.deployment);
  else if (options.deployment) deployment = parseDeployment(options.deployment);
  else if (options.deploy) {
    deployment = await deployAegle(clients, options.deploy);
    if (options.deploy.deploymentPath) writeDeployment(options.deploy.deploymentPath, deployment);
  } else {
    throw new DeploymentNotFoundError('external mode needs a deployment record or a deploy step', {
      hint: 'pass deployment (the record or its file path), or deploy with a funded account',
    });
  }
  await verifyDeployment(clients.publicClient, deployment);
  return {
    ...clients,
    mode: 'external',
    rpcUrl: options.rpcUrl,
    deployment,
    operator: options.account,
    anvil: undefined,
    stop: async () => {},
  };
}
