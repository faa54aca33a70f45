import type { PublicClient } from 'viem';
import type { AegleDeployment } from './deployment.ts';
import { DeploymentMismatchError } from './errors.ts';

/** Check that a deployment record belongs to the chain behind `publicClient`: same chain id, code at every address. */
export async function verifyDeployment(
  publicClient: Pick<PublicClient, 'getChainId' | 'getCode'>,
  deployment: AegleDeployment,
): Promise<void> {
  const chainId = await publicClient.getChainId();
  if (chainId !== deployment.chainId) {
    throw new DeploymentMismatchError(
      `the deployment record is for chain ${deployment.chainId}, the RPC endpoint serves chain ${chainId}`,
      { hint: 'use the deployment record written for this chain, or point at the right RPC URL' },
    );
  }
  const entries = Object.entries(deployment.contracts);
  const codes = await Promise.all(entries.map(([, address]) => publicClient.getCode({ address })));
  entries.forEach(([name, address], i) => {
    const code = codes[i];
    if (!code || code === '0x') {
      throw new DeploymentMismatchError(`no contract code for ${name} at ${address}`, {
        hint: 'the chain state does not contain this deployment: check the RPC URL, or (embedded mode) that <dataDir>/chain/anvil-state.json belongs to this data directory',
      });
    }
  });
}
