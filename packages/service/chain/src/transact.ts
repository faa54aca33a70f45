import {
  type Abi,
  type ContractFunctionArgs,
  type ContractFunctionName,
  ContractFunctionRevertedError,
  type TransactionReceipt,
  BaseError as ViemBaseError,
} from 'viem';
import type { AegleChainClients } from './clients.ts';
import { TransactionFailedError } from './errors.ts';

/** The custom-error name of a contract revert anywhere in a viem error chain, if any. */
export function revertErrorName(error: unknown): string | undefined {
  if (!(error instanceof ViemBaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  return reverted instanceof ContractFunctionRevertedError ? reverted.data?.errorName : undefined;
}

/**
 * Simulate, then send, then wait for the receipt. Simulating first turns a revert into a named
 * custom error before any gas is spent; the error keeps viem's as `cause`.
 */
export async function sendContractTransaction<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
>(
  clients: Pick<AegleChainClients, 'publicClient' | 'walletClient'>,
  call: {
    address: `0x${string}`;
    abi: abi;
    functionName: functionName;
    args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', functionName>;
  },
): Promise<TransactionReceipt> {
  const { publicClient, walletClient } = clients;
  if (!walletClient) {
    throw new TransactionFailedError(`cannot send ${call.functionName}: no account`, {
      hint: 'connect with an account to send transactions',
    });
  }
  try {
    const { request } = await publicClient.simulateContract({
      // biome-ignore lint/suspicious/noExplicitAny: viem's generic parameter plumbing
      ...(call as any),
      account: walletClient.account,
    });
    const hash = await walletClient.writeContract(request);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') {
      throw new TransactionFailedError(
        `${call.functionName} reverted in block ${receipt.blockNumber}`,
        {
          hint: 'the chain state changed between simulation and inclusion; retry',
        },
      );
    }
    return receipt;
  } catch (cause) {
    if (cause instanceof TransactionFailedError) throw cause;
    const reason = revertErrorName(cause);
    throw new TransactionFailedError(`${call.functionName} failed${reason ? `: ${reason}` : ''}`, {
      hint: reason
        ? `the contract rejected the call with ${reason}`
        : 'check the RPC endpoint and the account balance',
      cause,
    });
  }
}
