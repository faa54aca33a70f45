import { BaseError } from '@aegle/errors';

/** The embedded anvil could not be started (binary missing, port taken, bad state file). */
export class AnvilStartError extends BaseError {
  override name = 'AnvilStartError';
}

/** The embedded anvil exited while the node was still using it. */
export class AnvilCrashedError extends BaseError {
  override name = 'AnvilCrashedError';
  readonly exitCode: number | null;
  readonly signal: string | null;
  constructor(exitCode: number | null, signal: string | null) {
    super(`the embedded chain (anvil) exited unexpectedly (code ${exitCode}, signal ${signal})`, {
      hint: 'check disk space and the anvil log in <dataDir>/chain/anvil.log, then restart the node; state is reloaded from the last dump',
    });
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/** A deployment record does not match the chain it is used with. */
export class DeploymentMismatchError extends BaseError {
  override name = 'DeploymentMismatchError';
}

/** A deployment record file is missing or unreadable. */
export class DeploymentNotFoundError extends BaseError {
  override name = 'DeploymentNotFoundError';
}

/** A transaction was mined but reverted, or could not be sent. */
export class TransactionFailedError extends BaseError {
  override name = 'TransactionFailedError';
}

/** The indexer's database or its view of the chain is unusable. */
export class IndexerError extends BaseError {
  override name = 'IndexerError';
}

/** The operator key file is missing, malformed, or readable by others. */
export class OperatorKeyError extends BaseError {
  override name = 'OperatorKeyError';
}

/** A batch's entry list does not rebuild the Merkle root committed on chain. */
export class BatchMismatchError extends BaseError {
  override name = 'BatchMismatchError';
}
