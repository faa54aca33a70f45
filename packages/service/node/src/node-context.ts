import type { DatabaseSync } from 'node:sqlite';
import type { ObjectStore, WalSync } from '@aegle/storage';
import type { AuditWriter } from './audit-journal.ts';
import type { Outbox } from './outbox.ts';
import type { ChainHealth, Hex, PermissionSource } from './ports.ts';
import type { RecordCatalog } from './record-catalog.ts';
import type { Sessions } from './sessions.ts';
import type { SignIn } from './sign-in.ts';
import type { Uploads } from './uploads.ts';

/** Where signed requests must point, when known: checked by the API before anything is journaled. */
export type ChainTargets = {
  chainId: number;
  /** AegleForwarder: forward requests are verified against its EIP-712 domain. */
  forwarder?: Hex;
  /** Records: anchor entries are verified against its EIP-712 domain. */
  records?: Hex;
  consents?: Hex;
  accounts?: Hex;
};

/** Everything the routes work with: the node's plain-logic modules and its ports. */
export type NodeContext = {
  db: DatabaseSync;
  /**
   * Syncs `db`'s WAL off the event loop, for the batch path's commits, which are made with
   * synchronous = NORMAL (`withoutFsync`) and synced here before the answer (commit-batch.ts).
   */
  dbSync: WalSync;
  store: ObjectStore;
  catalog: RecordCatalog;
  outbox: Outbox;
  audit: AuditWriter;
  sessions: Sessions;
  signIn: SignIn;
  uploads: Uploads;
  /** How long a stored upload waits for its commit before it is deleted. */
  uploadTtlMs: number;
  permissions: PermissionSource;
  chainHealth?: ChainHealth;
  targets?: ChainTargets;
  /** Called after an intent is journaled, so the outbox worker starts on it at once. */
  wakeOutbox: () => void;
  /** Largest record a single upload may carry. */
  maxRecordBytes: number;
  /** UnixFS leaf size of the store: content roots are computed with it. */
  chunkSize: number;
  now: () => number;
};
