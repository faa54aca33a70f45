import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { type Address, getAddress, isAddress } from 'viem';
import { DeploymentNotFoundError } from './errors.ts';

/** Where Aegle's contracts live on one chain. Written to `<dataDir>/chain/deployment.json`. */
export type AegleDeployment = {
  version: 1;
  chainId: number;
  deployer: Address;
  /** The block of the first deployment transaction: where an indexer starts. */
  deployedAtBlock: number;
  contracts: AegleContractAddresses;
};

export type AegleContractAddresses = {
  forwarder: Address;
  accounts: Address;
  certification: Address;
  records: Address;
  consents: Address;
  auditLog: Address;
  medToken: Address;
};

const contractNames = [
  'forwarder',
  'accounts',
  'certification',
  'records',
  'consents',
  'auditLog',
  'medToken',
] as const satisfies readonly (keyof AegleContractAddresses)[];

export function deploymentPath(dataDir: string): string {
  return join(dataDir, 'chain', 'deployment.json');
}

/**
 * Write atomically: a temp file, fsync, rename, fsync of the directory. A crash leaves either the
 * old record or the new one, never half of one.
 */
export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export function writeDeployment(path: string, deployment: AegleDeployment): void {
  writeFileAtomic(path, `${JSON.stringify(deployment, null, 2)}\n`);
}

/** Read and check a deployment record; addresses come back checksummed. */
export function readDeployment(path: string): AegleDeployment {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DeploymentNotFoundError(`no deployment record at ${path}`, {
      hint: 'deploy first (deployAegle, or start the node on embedded defaults), or pass the file written by the deploy command',
      cause,
    });
  }
  let parsed: AegleDeployment;
  try {
    parsed = JSON.parse(text) as AegleDeployment;
  } catch (cause) {
    throw new DeploymentNotFoundError(`deployment record at ${path} is not JSON`, {
      hint: 'restore the file written by deployAegle',
      cause,
    });
  }
  return parseDeployment(parsed, path);
}

/** Check the shape of a deployment record given as an object (for example from configuration). */
export function parseDeployment(value: unknown, source = 'deployment record'): AegleDeployment {
  const d = value as Partial<AegleDeployment> | null;
  const bad = (what: string) =>
    new DeploymentNotFoundError(`unrecognised ${source}: ${what}`, {
      hint: 'the record must be a version 1 deployment written by deployAegle',
    });
  if (d?.version !== 1) throw bad('version is not 1');
  if (typeof d.chainId !== 'number' || !Number.isSafeInteger(d.chainId)) throw bad('chainId');
  if (typeof d.deployedAtBlock !== 'number' || d.deployedAtBlock < 0) throw bad('deployedAtBlock');
  if (typeof d.deployer !== 'string' || !isAddress(d.deployer)) throw bad('deployer');
  if (!d.contracts) throw bad('contracts');
  const contracts = {} as AegleContractAddresses;
  for (const name of contractNames) {
    const address = d.contracts[name];
    if (typeof address !== 'string' || !isAddress(address)) throw bad(`contracts.${name}`);
    contracts[name] = getAddress(address);
  }
  return {
    version: 1,
    chainId: d.chainId,
    deployer: getAddress(d.deployer),
    deployedAtBlock: d.deployedAtBlock,
    contracts,
  };
}
