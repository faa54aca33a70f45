import {
  accountsAbi,
  accountsBytecode,
  aegleForwarderAbi,
  aegleForwarderBytecode,
  auditLogAbi,
  auditLogBytecode,
  certificationAbi,
  certificationBytecode,
  consentsAbi,
  consentsBytecode,
  medTokenAbi,
  medTokenBytecode,
  recordsAbi,
  recordsBytecode,
  roleIds,
} from '@aegle/contracts';
import { type Abi, type Address, getAddress, type Hex } from 'viem';
import type { AegleChainClients } from './clients.ts';
import type { AegleDeployment } from './deployment.ts';
import { TransactionFailedError } from './errors.ts';
import { sendContractTransaction } from './transact.ts';

export type DeployAegleOptions = {
  /** The first certification authority. Default: the deploying account. */
  authority?: Address | undefined;
  /** Who receives MedToken's fixed supply. Default: the deploying account. */
  treasury?: Address | undefined;
  /** MedToken supply in base units. Default 10^9 tokens of 18 decimals. */
  tokenSupply?: bigint | undefined;
  /** Accounts granted NODE_ROLE after deployment (needs the deployer to be the authority). Default: the deployer. */
  nodes?: readonly Address[] | undefined;
  /** Blocks to wait on top of each deployment transaction (1 = included). Default 1. */
  confirmations?: number | undefined;
};

/**
 * Deploy every Aegle contract with the wallet client's account, in dependency order, to any EVM
 * JSON-RPC chain, and return the record to keep (see writeDeployment).
 */
export async function deployAegle(
  clients: Pick<AegleChainClients, 'publicClient' | 'walletClient' | 'chain'>,
  options: DeployAegleOptions = {},
): Promise<AegleDeployment> {
  const { publicClient, walletClient } = clients;
  if (!walletClient) {
    throw new TransactionFailedError('cannot deploy without an account', {
      hint: 'pass a funded private key to deploy',
    });
  }
  const deployer = walletClient.account.address;
  const authority = options.authority ?? deployer;
  const confirmations = options.confirmations ?? 1;
  let firstBlock: bigint | undefined;

  const deploy = async (name: string, abi: Abi, bytecode: Hex, args: readonly unknown[]) => {
    let hash: Hex;
    try {
      // biome-ignore lint/suspicious/noExplicitAny: one helper for seven differently typed constructors
      hash = await walletClient.deployContract({ abi, bytecode, args } as any);
    } catch (cause) {
      throw new TransactionFailedError(`could not send the ${name} deployment`, {
        hint: 'check the RPC URL and that the deploying account holds enough native currency for gas',
        cause,
      });
    }
    const receipt = await publicClient.waitForTransactionReceipt({ hash, confirmations });
    if (receipt.status !== 'success' || !receipt.contractAddress) {
      throw new TransactionFailedError(`the ${name} deployment reverted`, {
        hint: 'check the chain accepts contracts of this size (Besu: contractSizeLimit) and the gas limit',
      });
    }
    firstBlock ??= receipt.blockNumber;
    return getAddress(receipt.contractAddress);
  };

  const forwarder = await deploy('AegleForwarder', aegleForwarderAbi, aegleForwarderBytecode, []);
  const accounts = await deploy('Accounts', accountsAbi, accountsBytecode, [forwarder]);
  const certification = await deploy('Certification', certificationAbi, certificationBytecode, [
    forwarder,
    accounts,
    authority,
  ]);
  const records = await deploy('Records', recordsAbi, recordsBytecode, [
    forwarder,
    accounts,
    certification,
  ]);
  const consents = await deploy('Consents', consentsAbi, consentsBytecode, [forwarder, accounts]);
  const auditLog = await deploy('AuditLog', auditLogAbi, auditLogBytecode, [
    forwarder,
    certification,
  ]);
  const medToken = await deploy('MedToken', medTokenAbi, medTokenBytecode, [
    options.treasury ?? deployer,
    options.tokenSupply ?? 10n ** 27n,
  ]);

  if (authority === deployer) {
    for (const node of options.nodes ?? [deployer]) {
      await sendContractTransaction(clients, {
        address: certification,
        abi: certificationAbi,
        functionName: 'grantRole',
        args: [roleIds.node, node],
      });
    }
  }

  return {
    version: 1,
    chainId: clients.chain.id,
    deployer,
    deployedAtBlock: Number(firstBlock),
    contracts: { forwarder, accounts, certification, records, consents, auditLog, medToken },
  };
}
