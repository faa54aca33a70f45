import type { AegleChain } from '@aegle/chain';
import { revertErrorName } from '@aegle/chain';
import {
  accountsAbi,
  aegleForwarderAbi,
  auditLogAbi,
  consentsAbi,
  recordsAbi,
} from '@aegle/contracts';
import { BaseError } from '@aegle/errors';
import {
  type Abi,
  decodeErrorResult,
  decodeFunctionData,
  getAbiItem,
  type Log,
  parseEventLogs,
  stringToHex,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  BaseError as ViemBaseError,
} from 'viem';
import type { Hex, RelayBatch, RelayStatus } from '../ports.ts';
import type { ForwardRequest } from '../relay-logic.ts';

export type ChainRelayOptions = {
  chain: Pick<AegleChain, 'publicClient' | 'walletClient' | 'deployment'>;
  /** Blocks on top of the including one before a batch counts as confirmed. Default 1 (included). */
  confirmations?: number;
  /**
   * Resolves true once this node's chain index holds `block` (syncing it if need be). A batch
   * counts as confirmed only then, so what a client is told is confirmed — a grant, a
   * revocation, a guardian — is already in effect for its next request to this node.
   */
  indexed?: (block: number) => Promise<boolean>;
};

/** The on-chain form of a batch's entry-list CID: its string form's UTF-8 bytes. */
export const cidToBytes = (cid: string): Hex => stringToHex(cid);

const TARGET_ABIS: Abi[] = [consentsAbi, accountsAbi];

/**
 * The ChainRelay over viem with the node's operator account: Records.commitBatch for anchors,
 * AuditLog.commit for audit entries, AegleForwarder.execute for users' signed requests.
 *
 * Idempotent on the batch without a local journal, by asking the chain: a Merkle root this
 * operator already committed (its BatchCommitted / AuditCommitted event) is not committed again,
 * and a forward request whose forwarder nonce is used is answered with the transaction that used
 * it. Forwarded calls are first simulated as the signer (eth_call from `from`), so a call the
 * contract would refuse fails with its real custom error name instead of the forwarder's
 * FailedCall, and no gas is spent on it.
 */
export function createChainRelay(options: ChainRelayOptions) {
  const { publicClient, walletClient, deployment } = options.chain;
  if (!walletClient) throw new Error('the chain relay needs the operator account');
  const operator = walletClient.account.address;
  const contracts = deployment.contracts;
  const confirmations = BigInt(options.confirmations ?? 1);
  // Roots this operator committed, learned from events; scanned incrementally.
  const committed = { anchor: new Map<Hex, Hex>(), audit: new Map<Hex, Hex>() };
  let scannedTo = BigInt(deployment.deployedAtBlock) - 1n;

  const scanCommits = async (): Promise<void> => {
    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    if (head < scannedTo) {
      // The chain went back (state lost): forget what was learned above its head.
      committed.anchor.clear();
      committed.audit.clear();
      scannedTo = BigInt(deployment.deployedAtBlock) - 1n;
    }
    if (head <= scannedTo) return;
    const [anchors, audits] = await Promise.all([
      publicClient.getLogs({
        address: contracts.records,
        event: getAbiItem({ abi: recordsAbi, name: 'BatchCommitted' }),
        args: { node: operator },
        fromBlock: scannedTo + 1n,
        toBlock: head,
      }),
      publicClient.getLogs({
        address: contracts.auditLog,
        event: getAbiItem({ abi: auditLogAbi, name: 'AuditCommitted' }),
        args: { node: operator },
        fromBlock: scannedTo + 1n,
        toBlock: head,
      }),
    ]);
    const note = (map: Map<Hex, Hex>, logs: Log[]) => {
      for (const log of logs as (Log & { args: { root: Hex } })[]) {
        if (log.transactionHash) map.set(log.args.root.toLowerCase() as Hex, log.transactionHash);
      }
    };
    note(committed.anchor, anchors as Log[]);
    note(committed.audit, audits as Log[]);
    scannedTo = head;
  };

  const submitMerkle = async (batch: RelayBatch) => {
    const merkle = batch.merkle;
    if (!merkle) throw new Error(`batch ${batch.key} has no Merkle root`);
    const call =
      batch.kind === 'anchor'
        ? {
            address: contracts.records,
            abi: recordsAbi,
            functionName: 'commitBatch' as const,
            args: [merkle.root, merkle.entryCount, cidToBytes(merkle.cid)] as const,
          }
        : {
            address: contracts.auditLog,
            abi: auditLogAbi,
            functionName: 'commit' as const,
            args: [merkle.root, merkle.entryCount, cidToBytes(merkle.cid)] as const,
          };
    // The scan for this root and the simulation side by side (a round trip less before a batch
    // goes out); a root already committed is answered with its transaction, whatever the
    // simulation said (it reverts for a root committed twice).
    // biome-ignore lint/suspicious/noExplicitAny: two contracts, one code path
    const args = { ...(call as any), account: walletClient.account };
    const [, simulated] = await Promise.all([
      scanCommits(),
      publicClient.simulateContract(args).then(
        ({ request }) => ({ request }),
        (error: unknown) => ({ error }),
      ),
    ]);
    const known = (batch.kind === 'anchor' ? committed.anchor : committed.audit).get(
      merkle.root.toLowerCase() as Hex,
    );
    if (known) return { txHash: known };
    try {
      if ('error' in simulated) throw simulated.error;
      return { txHash: await walletClient.writeContract(simulated.request) };
    } catch (error) {
      const reason = revertErrorName(error);
      if (reason) return { state: 'failed' as const, reason };
      throw error;
    }
  };

  const findExecution = async (request: ForwardRequest): Promise<Hex | undefined> => {
    const logs = await publicClient.getLogs({
      address: contracts.forwarder,
      event: getAbiItem({ abi: aegleForwarderAbi, name: 'ExecutedForwardRequest' }),
      args: { signer: request.from },
      fromBlock: BigInt(deployment.deployedAtBlock),
      toBlock: 'latest',
    });
    const match = (logs as (Log & { args: { nonce: bigint } })[]).find(
      (l) => l.args.nonce === BigInt(request.nonce),
    );
    if (!match?.transactionHash) return undefined;
    // The nonce was used: by this very request (then it is our transaction), or by another one.
    const tx = await publicClient.getTransaction({ hash: match.transactionHash });
    try {
      const { functionName, args } = decodeFunctionData({ abi: aegleForwarderAbi, data: tx.input });
      const sent = functionName === 'execute' ? args?.[0] : undefined;
      if (sent && sent.signature.toLowerCase() === request.signature.toLowerCase()) {
        return match.transactionHash;
      }
    } catch {
      // not an execute call
    }
    return undefined;
  };

  const submitForward = async (batch: RelayBatch) => {
    const intent = batch.intents[0];
    const request = (intent?.payload as { request?: ForwardRequest } | undefined)?.request;
    if (!request) throw new Error(`batch ${batch.key} carries no forward request`);
    const onChainNonce = await publicClient.readContract({
      address: contracts.forwarder,
      abi: aegleForwarderAbi,
      functionName: 'nonces',
      args: [request.from],
    });
    const nonce = BigInt(request.nonce);
    if (onChainNonce > nonce) {
      const txHash = await findExecution(request);
      return txHash ? { txHash } : { state: 'failed' as const, reason: 'nonce-used' };
    }
    if (onChainNonce < nonce) {
      // An earlier request of this signer has not landed yet: try again later.
      throw new ForwardNotYetValidError();
    }
    // The signer's own view of the call: the contract's custom error, not FailedCall.
    try {
      await publicClient.call({ account: request.from, to: request.to, data: request.data });
    } catch (error) {
      return { state: 'failed' as const, reason: callErrorName(error) ?? 'call-reverted' };
    }
    const data = {
      from: request.from,
      to: request.to,
      value: BigInt(request.value),
      gas: BigInt(request.gas),
      deadline: request.deadline,
      data: request.data,
      signature: request.signature,
    };
    const valid = await publicClient.readContract({
      address: contracts.forwarder,
      abi: aegleForwarderAbi,
      functionName: 'verify',
      args: [data],
    });
    if (!valid) return { state: 'failed' as const, reason: 'invalid-forward-request' };
    try {
      const { request: tx } = await publicClient.simulateContract({
        address: contracts.forwarder,
        abi: aegleForwarderAbi,
        functionName: 'execute',
        args: [data],
        value: data.value,
        account: walletClient.account,
      });
      return { txHash: await walletClient.writeContract(tx) };
    } catch (error) {
      const reason = revertErrorName(error);
      if (reason) return { state: 'failed' as const, reason };
      throw error;
    }
  };

  return {
    async submit(batch: RelayBatch) {
      if (batch.kind === 'anchor' || batch.kind === 'audit') return submitMerkle(batch);
      return submitForward(batch);
    },

    async status(batch: RelayBatch, txHash: Hex): Promise<RelayStatus> {
      let receipt: Awaited<ReturnType<typeof publicClient.getTransactionReceipt>>;
      try {
        receipt = await publicClient.getTransactionReceipt({ hash: txHash });
      } catch (error) {
        if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
        try {
          await publicClient.getTransaction({ hash: txHash });
          return { state: 'pending' };
        } catch (inner) {
          if (inner instanceof TransactionNotFoundError) return { state: 'dropped' };
          throw inner;
        }
      }
      if (receipt.status !== 'success') return { state: 'failed', reason: 'reverted' };
      const head = await publicClient.getBlockNumber({ cacheTime: 0 });
      if (head - receipt.blockNumber + 1n < confirmations) return { state: 'pending' };
      if (options.indexed && !(await options.indexed(Number(receipt.blockNumber)))) {
        return { state: 'pending' };
      }
      const base = {
        txHash,
        blockNumber: Number(receipt.blockNumber),
        blockHash: receipt.blockHash,
      };
      if (batch.kind === 'anchor') {
        const [log] = parseEventLogs({
          abi: recordsAbi,
          eventName: 'BatchCommitted',
          logs: receipt.logs,
        });
        return { state: 'confirmed', receipt: { ...base, batchId: Number(log?.args.batchId) } };
      }
      if (batch.kind === 'audit') {
        const [log] = parseEventLogs({
          abi: auditLogAbi,
          eventName: 'AuditCommitted',
          logs: receipt.logs,
        });
        return { state: 'confirmed', receipt: { ...base, commitId: Number(log?.args.commitId) } };
      }
      return { state: 'confirmed', receipt: base };
    },
  };
}

/** Thrown (and retried with backoff) while an earlier request of the same signer is outstanding. */
export class ForwardNotYetValidError extends BaseError {
  override name = 'ForwardNotYetValidError';
  constructor() {
    super('An earlier forward request of this signer has not landed yet.', {
      hint: 'The outbox retries it once the earlier request is on chain.',
    });
  }
}

function callErrorName(error: unknown): string | undefined {
  if (!(error instanceof ViemBaseError)) return undefined;
  // The revert data sits on whichever error in the chain carries it (RPC error or RawContractError).
  let data: Hex | undefined;
  error.walk((e) => {
    const candidate = (e as { data?: unknown }).data;
    const hex =
      typeof candidate === 'string'
        ? candidate
        : typeof (candidate as { data?: unknown } | undefined)?.data === 'string'
          ? (candidate as { data: string }).data
          : undefined;
    if (hex && /^0x[0-9a-fA-F]{8,}$/.test(hex)) data = hex as Hex;
    return false;
  });
  if (!data) return undefined;
  for (const abi of TARGET_ABIS) {
    try {
      return decodeErrorResult({ abi, data }).errorName;
    } catch {
      // not this contract's error
    }
  }
  return undefined;
}
