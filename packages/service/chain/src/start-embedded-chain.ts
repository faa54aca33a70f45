import { existsSync } from 'node:fs';
import { numberToHex } from 'viem';
import { startAnvil } from './anvil.ts';
import type { AegleChain } from './chain.ts';
import { createAegleClients } from './clients.ts';
import { type DeployAegleOptions, deployAegle } from './deploy-aegle.ts';
import { deploymentPath, readDeployment, writeDeployment } from './deployment.ts';
import type { AnvilCrashedError } from './errors.ts';
import { loadOrCreateOperatorKey, operatorKeyPath } from './operator-key.ts';
import { verifyDeployment } from './verify-deployment.ts';

export type StartEmbeddedChainOptions = {
  /** The node's data directory; the chain lives in `<dataDir>/chain`. */
  dataDir: string;
  /** Default 0: the OS picks a free port. */
  port?: number | undefined;
  /** Chain id of a new chain. Default 31337. */
  chainId?: number | undefined;
  /** Seconds between anvil's state dumps while running. Default 1. */
  stateIntervalSeconds?: number | undefined;
  /** Called once if anvil dies without stop(). */
  onCrash?: ((error: AnvilCrashedError) => void) | undefined;
  /** Passed to deployAegle on first start. */
  deploy?: Omit<DeployAegleOptions, 'confirmations'> | undefined;
};

/** The operator's balance on the embedded chain: plenty, it is a private dev chain. */
const OPERATOR_BALANCE = 10n ** 24n;

/**
 * Start the embedded chain: anvil with its state in `<dataDir>/chain`, the operator key in
 * `<dataDir>/chain/operator.key` (0600), and on first start every Aegle contract deployed and
 * recorded in `<dataDir>/chain/deployment.json`. Later starts reload the state and check that the
 * recorded contracts are there.
 */
export async function startEmbeddedChain(options: StartEmbeddedChainOptions): Promise<AegleChain> {
  const operator = loadOrCreateOperatorKey(operatorKeyPath(options.dataDir));
  const anvil = await startAnvil({
    dataDir: options.dataDir,
    port: options.port ?? 0,
    chainId: options.chainId ?? 31337,
    stateIntervalSeconds: options.stateIntervalSeconds ?? 1,
    onCrash: options.onCrash,
  });
  try {
    const clients = await createAegleClients({ rpcUrl: anvil.rpcUrl, account: operator });
    // anvil_setBalance is the embedded chain's faucet; on a restart it tops the balance up.
    await clients.publicClient.request({
      // biome-ignore lint/suspicious/noExplicitAny: anvil-only method outside viem's public schema
      method: 'anvil_setBalance' as any,
      // biome-ignore lint/suspicious/noExplicitAny: see above
      params: [operator.address, numberToHex(OPERATOR_BALANCE)] as any,
    });
    const path = deploymentPath(options.dataDir);
    let deployment: AegleChain['deployment'];
    if (existsSync(path)) {
      deployment = readDeployment(path);
      await verifyDeployment(clients.publicClient, deployment);
    } else {
      deployment = await deployAegle(clients, options.deploy);
      writeDeployment(path, deployment);
    }
    return {
      ...clients,
      mode: 'embedded',
      rpcUrl: anvil.rpcUrl,
      deployment,
      operator,
      anvil,
      stop: () => anvil.stop(),
    };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
