import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Address } from 'viem';
import { DeploymentNotFoundError } from './errors.ts';

/** Where Aegle's contracts live on one chain. Written to `<dataDir>/chain/deployment.json`. */
export type AegleDeployment = {
  version: 1;
  chainId: number;
  deployer: Address;
  /** The block of the first deployment transaction: where an indexer starts. */
  deployedAtBlock: number;
  contracts: {
    forwarder: Address;
    accounts: Address;
    certification: Address;
    records: Address;
    consents: Address;
    auditLog: Address;
    medToken: Address;
  };
};

export function deploymentPath(dataDir: string): string {
  return join(dataDir, 'chain', 'deployment.json');
}

/** Write atomically (temp file + rename) so a crash never leaves half a record. */
export function writeDeployment(path: string, deployment: AegleDeployment): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp`;
  writeFileSync(temp, `${JSON.stringify(deployment, null, 2)}\n`);
  renameSync(temp, path);
}

export function readDeployment(path: string): AegleDeployment {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DeploymentNotFoundError(`no deployment record at ${path}`, {
      hint: 'deploy first (deployAegle / the node start on embedded defaults), or pass the addresses for external mode',
      cause,
    });
  }
  const parsed = JSON.parse(text) as AegleDeployment;
  if (parsed.version !== 1 || typeof parsed.chainId !== 'number' || !parsed.contracts) {
    throw new DeploymentNotFoundError(`unrecognised deployment record at ${path}`, {
      hint: 'the file must be a version 1 record written by deployAegle',
    });
  }
  return parsed;
}
