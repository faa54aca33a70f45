import {
  type Account,
  type Address,
  createDataKeyWrapper,
  type DataKeyWrapper,
} from '@aegle/crypto';
import {
  createPublicClient,
  createWalletClient,
  getAddress,
  type Hex,
  http,
  type PublicClient,
  parseAbiItem,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Role as RoleName } from '../identity/key-store.ts';
import { removeKeysOfGrantee } from '../records/grant-keys.ts';
import type { OpenedRecord } from '../records/open-record.ts';
import { type KeyHolder, prepareRecord } from '../records/prepare-record.ts';
import type { OnProgress } from '../records/progress.ts';
import { assertAnchorEntry, readRecord as readRecordStream } from '../records/read-record.ts';
import type { RecordMetadata } from '../records/record-metadata.ts';
import { sealSmallRecord } from '../records/seal-small-record.ts';
import { uploadRecord } from '../records/upload-record.ts';
import { wrapForGrantee } from '../records/wrap-for-grantee.ts';
import { DEFAULT_BATCH_LIMITS, writeInBatches } from '../records/write-in-batches.ts';
import { resolveWriteRecipients } from '../records/write-recipients.ts';
import {
  encodeGrant,
  encodeRegister,
  encodeRevoke,
  encodeSetGuardian,
  type GrantTarget,
} from '../signing/consent-calls.ts';
import { type AnchorEntry, bytes32Label } from '../signing/contracts.ts';
import { signAnchorEntries } from '../signing/sign-anchor-entry.ts';
import { signForwardRequest } from '../signing/sign-forward-request.ts';
import { createChainDirectory } from '../transport/chain-directory.ts';
import { NotGrantedError } from '../transport/errors.ts';
import {
  createHttpTransport,
  type HttpTransport,
  type NodeInfo,
  type Session,
} from '../transport/http-transport.ts';
import { retryWhenRateLimited } from '../transport/retry-when-rate-limited.ts';
import type {
  AuditEntryView,
  InclusionView,
  IntentView,
  RecordSummary,
  RelayKind,
  Transport,
} from '../transport/transport.ts';
import { accountsAbi, certificationAbi, consentsAbi, Role, roleIds, Scope } from './contracts.ts';
import {
  ClientConfigError,
  IntentFailedError,
  IntentTimeoutError,
  MissingRoleError,
  NotRegisteredError,
} from './errors.ts';
import { decryptMetadataFor } from './metadata.ts';
import { type InclusionCheck, verifyAuditEntry, verifyRecordAnchor } from './verify-inclusion.ts';

/** Where the contracts are: `deployment.json` of @aegle/chain, or what a node's operator publishes. */
export type ClientDeployment = {
  chainId: number;
  /** The block the contracts were deployed at: where log scans (grants) start. */
  deployedAtBlock?: number;
  contracts: {
    forwarder: Address;
    accounts: Address;
    certification: Address;
    records: Address;
    consents: Address;
    auditLog: Address;
  };
};

/** One small record of `addRecords`: its bytes are in memory. */
export type AddRecordsItem = {
  /** Default: the client's own account. */
  patient?: Address;
  category: string;
  content: Uint8Array;
  metadata?: RecordMetadata;
  supersedes?: Hex;
  /**
   * The record's id (32 nonzero bytes, 0x-hex), for a caller that must name it before it is
   * written (a later record of the same call listing it). Default: a fresh random one.
   */
  recordId?: Hex;
};

export type CreateAegleClientOptions = {
  /** The unlocked account the client acts as. Its keys never leave the client. */
  account: Account;
  /** A transport to a node, or the node's URL (an HTTP transport is made). */
  transport?: Transport;
  nodeUrl?: string | URL;
  deployment: ClientDeployment;
  /** The chain, read directly for encryption keys, nonces, roots and grants: a client or a URL. */
  publicClient?: Pick<PublicClient, 'readContract' | 'getTransactionReceipt' | 'getLogs'>;
  rpcUrl?: string;
  /** How long to wait for a relayed call to be confirmed. Default 120 s. */
  intentTimeoutMs?: number;
};

export type AddRecordInput = {
  /** Default: the client's own account (a patient writing their own record). */
  patient?: Address;
  /** Public category consents are granted for, e.g. `Observation` or `Imaging`. */
  category: string;
  /** The bytes: a buffer, or a stream read once in constant memory. */
  content: Uint8Array | AsyncIterable<Uint8Array>;
  /** Plaintext size, if `content` is a stream (quota check before the first byte). */
  size?: number;
  /** Private description (content type, file name, FHIR resource type): stored encrypted. */
  metadata?: RecordMetadata;
  supersedes?: Hex;
  onProgress?: OnProgress;
  signal?: AbortSignal;
};

export type RecordVerification = {
  recordId: Hex;
  patient: Address;
  creator: Address;
  contentRoot: Hex;
  /** The entry is the creator's own signature over this record (always true if returned). */
  signature: 'valid';
  /** Where the anchor stands on chain, checked against the chain's root. */
  anchor: InclusionCheck;
};

export type GrantView = {
  patient: Address;
  grantee: Address;
  target: GrantTarget;
  /** The purpose label, decoded from bytes32 when printable. */
  purpose: string;
  /** Unix seconds. */
  expiresAt: number;
  /** Who signed it: the patient or their guardian. */
  by: Address;
};

export type VerifiedAuditEntry = AuditEntryView & {
  /** The purpose label, decoded from bytes32. */
  purposeLabel: string;
  verification: InclusionCheck;
};

export type GrantInput = {
  patient?: Address;
  grantee: Address;
  target: GrantTarget;
  purpose: string;
  /** Unix seconds. */
  expiresAt: bigint | number;
  /** Wait for the chain to confirm (and, for a category, wrap records written meanwhile). Default true. */
  wait?: boolean;
};

export type AegleClient = {
  readonly address: Address;
  readonly transport: Transport;
  readonly deployment: ClientDeployment;
  /** The node's `/info` (HTTP transports only). */
  info(): Promise<NodeInfo>;
  /** Sign in with Ethereum (EIP-4361); later calls carry the session. */
  signIn(): Promise<Session>;
  /** The account's role on chain, or undefined if it is not registered. */
  roleOf(address?: Address): Promise<RoleName | undefined>;
  /** Register this account on chain (role and encryption key), gasless through the node's relay. */
  register(role: RoleName): Promise<IntentView>;
  /** As an authority: certify a provider (a direct transaction; the authority pays its gas). */
  certify(
    subject: Address,
    options?: { credential?: string; expiresAt?: bigint | number },
  ): Promise<Hex>;
  isCertified(subject: Address): Promise<boolean>;
  addRecord(input: AddRecordInput): Promise<RecordSummary>;
  /**
   * Many small in-memory records (FHIR resources, say), written in batches of one request each:
   * each record is prepared exactly as `addRecord` prepares it, and each batch is stored all or
   * nothing. Returns the records in input order; a failure is a BatchWriteError naming the record
   * and the records written before its batch. Stream large files with `addRecord`.
   */
  addRecords(
    items: AddRecordsItem[],
    options?: { onProgress?: (written: number, total: number) => void },
  ): Promise<RecordSummary[]>;
  listRecords(query?: { patient?: Address }): Promise<RecordSummary[]>;
  /** A record's public fields and its decrypted metadata (checked against the signed entry). */
  describeRecord(recordId: Hex): Promise<{ record: RecordSummary; metadata: RecordMetadata }>;
  /** The record's plaintext, streamed; the stream's return value says what was verified. */
  readRecord(
    recordId: Hex,
    options?: { onProgress?: OnProgress; signal?: AbortSignal },
  ): AsyncGenerator<Uint8Array, OpenedRecord & { entry: AnchorEntry; anchor: InclusionView }>;
  verifyRecord(recordId: Hex): Promise<RecordVerification>;
  /**
   * Grant on chain (relayed), then wrap the keys of the records it covers for the grantee.
   * `skipped`: records whose key this account could not fetch to re-wrap.
   */
  grant(input: GrantInput): Promise<{ intent: IntentView; wrapped: Hex[]; skipped: Hex[] }>;
  revoke(input: {
    patient?: Address;
    grantee: Address;
    target: GrantTarget;
  }): Promise<{ intent: IntentView; removed: Hex[] }>;
  /** Live grants of a patient, read from the chain (events, then each grant's current state). */
  listGrants(query?: { patient?: Address }): Promise<GrantView[]>;
  /** Name a guardian (or none: the zero address) and wrap every existing record's key for it. */
  setGuardian(guardian: Address): Promise<{ intent: IntentView; wrapped: Hex[] }>;
  guardianOf(patient?: Address): Promise<Address | undefined>;
  /** The patient's audit trail, each entry checked against the AuditLog root on chain. */
  auditTrail(query?: { patient?: Address }): Promise<VerifiedAuditEntry[]>;
  /** Wait until a relayed call is confirmed on chain (IntentFailedError, IntentTimeoutError). */
  waitForIntent(intent: IntentView, kind?: string): Promise<IntentView>;
};

const ZERO_ADDRESS: Address = '0x0000000000000000000000000000000000000000';
const ROLE_NAMES: Record<number, RoleName> = {
  [Role.Patient]: 'patient',
  [Role.Provider]: 'provider',
  [Role.Institution]: 'institution',
  [Role.Researcher]: 'researcher',
  [Role.Authority]: 'authority',
};
const ROLE_IDS: Record<RoleName, number> = {
  patient: Role.Patient,
  provider: Role.Provider,
  institution: Role.Institution,
  researcher: Role.Researcher,
  authority: Role.Authority,
};
/** Gas the forwarder passes to a relayed call: ample for any of ours (the node pays). */
const RELAYED_GAS = 600_000n;
const CERTIFICATE_YEARS = 1n;

/** A bytes32 label back to text, when it is printable; else the hex. */
export function labelText(label: Hex): string {
  const bytes =
    label
      .slice(2)
      .match(/../g)
      ?.map((b) => Number.parseInt(b, 16)) ?? [];
  const end = bytes.indexOf(0);
  const used = end === -1 ? bytes : bytes.slice(0, end);
  if (used.length === 0 || used.some((b) => b < 0x20 || b > 0x7e)) return label;
  return String.fromCharCode(...used);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The SDK's high-level client: one account, one node, one chain. It composes the record,
 * signing and transport modules so that an app calls `addRecord`, `grant` or `auditTrail` and
 * the keys stay on the client (docs/KEYS.md). Runs in Node and in browsers.
 */
export function createAegleClient(options: CreateAegleClientOptions): AegleClient {
  const { account, deployment } = options;
  const transport: Transport =
    options.transport ??
    (options.nodeUrl
      ? createHttpTransport({ baseUrl: options.nodeUrl })
      : (() => {
          throw new ClientConfigError(
            'createAegleClient needs a transport or a node URL',
            'pass transport or nodeUrl',
          );
        })());
  const publicClient =
    options.publicClient ??
    (options.rpcUrl
      ? createPublicClient({ transport: http(options.rpcUrl), cacheTime: 0 })
      : undefined);
  if (!publicClient) {
    throw new ClientConfigError(
      'createAegleClient needs the chain (publicClient or rpcUrl)',
      'pass the chain RPC URL: keys and roots are read from the chain, not taken from the node',
    );
  }
  const chain = publicClient;
  const c = deployment.contracts;
  const directory = createChainDirectory({
    client: chain,
    accounts: c.accounts,
    forwarder: c.forwarder,
  });
  const recordsDeployment = { chainId: deployment.chainId, records: c.records };
  const address = getAddress(account.address);
  const timeoutMs = options.intentTimeoutMs ?? 120_000;
  let infoCache: Promise<NodeInfo> | undefined;

  const http_ = () => {
    const t = transport as Partial<HttpTransport>;
    if (typeof t.info !== 'function' || typeof t.signIn !== 'function') {
      throw new ClientConfigError(
        'this transport cannot sign in or describe its node',
        'use an HTTP transport (createHttpTransport) or pass nodeUrl',
      );
    }
    return t as HttpTransport;
  };
  /** The node's /info, asked once per client: its leaf size and limits are fixed for its life. */
  const nodeInfo = (): Promise<NodeInfo> => {
    if (infoCache === undefined) {
      const asked = http_().info();
      // A failed answer is not kept: the next call asks again.
      asked.catch(() => {
        if (infoCache === asked) infoCache = undefined;
      });
      infoCache = asked;
    }
    return infoCache;
  };
  const describesNode = () => typeof (transport as Partial<HttpTransport>).info === 'function';
  const chunkSize = async (): Promise<number | undefined> =>
    describesNode() ? (await nodeInfo()).chunkSize : undefined;

  async function keyHolder(who: Address) {
    return { address: getAddress(who), encryptionPublicKey: await directory.encryptionKeyOf(who) };
  }

  async function waitForIntent(intent: IntentView, kind = intent.kind): Promise<IntentView> {
    const deadline = Date.now() + timeoutMs;
    let current = intent;
    // A node confirms an intent some 30–60 ms after it is relayed on a chain that mines at once
    // (the outbox asks about its tx after 10 ms): ask early, then back off to once a second.
    let delay = 25;
    while (current.state !== 'confirmed') {
      if (current.state === 'failed') throw new IntentFailedError(kind, { detail: current.error });
      if (Date.now() > deadline) throw new IntentTimeoutError(kind);
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
      current = await transport.intent(current.id);
    }
    return current;
  }

  async function relay(kind: RelayKind, to: Address, data: Hex): Promise<IntentView> {
    const nonce = await directory.forwarderNonce(address);
    const signed = await signForwardRequest(
      { to, data, nonce, gas: RELAYED_GAS, deadline: Math.floor(Date.now() / 1000) + 3600 },
      account,
      { chainId: deployment.chainId, address: c.forwarder },
    );
    return transport.relay(kind, signed, { idempotencyKey: `${address}:${nonce}` });
  }

  async function roleOf(who: Address = address): Promise<RoleName | undefined> {
    const role = await chain.readContract({
      address: c.accounts,
      abi: accountsAbi,
      functionName: 'roleOf',
      args: [who],
    });
    return ROLE_NAMES[Number(role)];
  }

  async function allRecords(patient: Address): Promise<RecordSummary[]> {
    const out: RecordSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await transport.list({ patient, ...(cursor && { cursor }) });
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  /**
   * The key half of a grant (docs/KEYS.md): wraps the data key of every record the target covers
   * for the grantee, skipping those it already holds a key for. The patient and their guardian
   * fetch their own wrapped key from the node (a guardian's read is audited, purpose "guardian").
   * A record whose key this account cannot fetch (no key wrapped for it, or an older node that
   * does not release records to guardians) is skipped and reported, not fatal: the grant stands
   * on chain and covers records written later.
   */
  async function wrapKeysFor(o: {
    patient: Address;
    grantee: { address: Address; encryptionPublicKey: Uint8Array };
    target: GrantTarget;
  }): Promise<{ wrapped: Hex[]; skipped: Hex[] }> {
    const category =
      'category' in o.target ? bytes32Label(o.target.category).toLowerCase() : undefined;
    const ids =
      'recordId' in o.target
        ? [o.target.recordId]
        : (await allRecords(o.patient))
            .filter((r) => r.category.toLowerCase() === category)
            .map((r) => r.recordId);
    const wrapped: Hex[] = [];
    const skipped: Hex[] = [];
    for (const recordId of ids) {
      const holders = (await transport.keyHolders(recordId)).map((a) => getAddress(a));
      if (holders.includes(o.grantee.address)) continue;
      let wrappedKey: Hex | null;
      try {
        ({ wrappedKey } = await transport.get(recordId));
      } catch (error) {
        if (error instanceof NotGrantedError) {
          skipped.push(recordId);
          continue;
        }
        throw error;
      }
      if (!wrappedKey) {
        skipped.push(recordId);
        continue;
      }
      await transport.putWrappedKey(
        recordId,
        await wrapForGrantee({ recordId, wrappedKey, account, grantee: o.grantee }),
      );
      wrapped.push(recordId);
    }
    return { wrapped, skipped };
  }

  const client: AegleClient = {
    address,
    transport,
    deployment,

    info: nodeInfo,

    signIn: () => http_().signIn(account),

    roleOf,

    async register(role) {
      const intent = await relay(
        'register',
        c.accounts,
        encodeRegister(ROLE_IDS[role] as Role, account.encryptionPublicKey),
      );
      return waitForIntent(intent, 'register');
    },

    async certify(subject, o = {}) {
      if (!options.rpcUrl) {
        throw new ClientConfigError('certify sends a transaction', 'pass rpcUrl to the client');
      }
      const isAuthority = await chain.readContract({
        address: c.certification,
        abi: certificationAbi,
        functionName: 'hasRole',
        args: [roleIds.authority as Hex, address],
      });
      if (!isAuthority) throw new MissingRoleError('authority');
      if (!(await roleOf(subject))) throw new NotRegisteredError('The account to certify');
      const wallet = createWalletClient({
        account: privateKeyToAccount(`0x${bytesHex(account.signingPrivateKey)}`),
        transport: http(options.rpcUrl),
      });
      const expiresAt = BigInt(
        o.expiresAt ?? Math.floor(Date.now() / 1000) + Number(CERTIFICATE_YEARS) * 365 * 86400,
      );
      const hash = await wallet.writeContract({
        chain: null,
        address: c.certification,
        abi: certificationAbi,
        functionName: 'certify',
        args: [subject, bytes32Label(o.credential ?? 'licence'), expiresAt],
      });
      const receipt = await (chain as unknown as PublicClient).waitForTransactionReceipt?.({
        hash,
      });
      if (receipt && receipt.status !== 'success') throw new IntentFailedError('certify');
      return hash;
    },

    async isCertified(subject) {
      return chain.readContract({
        address: c.certification,
        abi: certificationAbi,
        functionName: 'isCertified',
        args: [subject],
      });
    },

    async addRecord(input) {
      const patient = getAddress(input.patient ?? address);
      const [patientHolder, recipients, leaf] = await Promise.all([
        keyHolder(patient),
        resolveWriteRecipients(transport, directory, { patient, categories: [input.category] }),
        chunkSize(),
      ]);
      const prepared = await prepareRecord({
        plaintext: input.content,
        ...(input.size !== undefined && { plaintextSize: input.size }),
        patient: patientHolder,
        creator: account,
        category: input.category,
        recipients: recipients.get(input.category) ?? [],
        metadata: {
          ...input.metadata,
          ...(input.size !== undefined && { size: input.size }),
        },
        deployment: recordsDeployment,
        ...(input.supersedes && { supersedes: input.supersedes }),
        ...(leaf !== undefined && { chunkSize: leaf }),
      });
      const { record } = await uploadRecord(transport, prepared, {
        ...(input.onProgress && { onProgress: input.onProgress }),
        ...(input.signal && { signal: input.signal }),
        idempotencyKey: prepared.recordId,
      });
      return record;
    },

    async addRecords(items, o = {}) {
      const leaf = await chunkSize();
      const limits = describesNode()
        ? ((await nodeInfo()).batch ?? DEFAULT_BATCH_LIMITS)
        : DEFAULT_BATCH_LIMITS;
      // Each patient's key, and the other readers of each of its categories, once per call and
      // before sealing: one request per patient (a Synthea patient spans a dozen categories).
      const holders = new Map<Address, ReturnType<typeof keyHolder>>();
      const categories = new Map<Address, Set<string>>();
      for (const item of items) {
        let patient: Address;
        try {
          patient = getAddress(item.patient ?? address);
        } catch {
          continue; // that record's seal reports it, with its index
        }
        if (!holders.has(patient)) holders.set(patient, keyHolder(patient));
        const seen = categories.get(patient) ?? new Set<string>();
        seen.add(item.category);
        categories.set(patient, seen);
      }
      const readers = new Map<Address, ReturnType<typeof resolveWriteRecipients>>();
      for (const [patient, seen] of categories) {
        readers.set(
          patient,
          resolveWriteRecipients(transport, directory, { patient, categories: [...seen] }),
        );
      }
      // A failure is reported by the seal that needs the answer, not as an unhandled rejection.
      for (const pending of [...holders.values(), ...readers.values()]) pending.catch(() => {});
      // Each reader's keys under one HPKE encapsulation (per 256 keys), not one per record.
      const wrappers = new Map<Address, DataKeyWrapper>();
      const wrapKey = (dataKey: Uint8Array, holder: KeyHolder, recordId: Hex) => {
        let wrap = wrappers.get(holder.address);
        if (wrap === undefined) {
          wrap = createDataKeyWrapper(holder.encryptionPublicKey);
          wrappers.set(holder.address, wrap);
        }
        return wrap(dataKey, recordId);
      };
      return writeInBatches({
        count: items.length,
        limits,
        // Records are sealed unsigned (see `seal`); a batch's entries are signed together as it
        // is written: one signature of their tree's root (signAnchorEntries).
        write: async (batch) => {
          const signed = await signAnchorEntries(
            batch.map(({ entry: { signature: _, ...unsigned } }) => unsigned),
            account,
            recordsDeployment,
          );
          const records = batch.map((record, i) => ({
            ...record,
            entry: signed[i] as AnchorEntry,
          }));
          // A batch refused with 429 stored nothing: the same signed records go again, later.
          return retryWhenRateLimited(() => transport.writeBatch(records));
        },
        ...(o.onProgress && { onProgress: o.onProgress }),
        async seal(i) {
          const item = items[i] as AddRecordsItem;
          const patient = getAddress(item.patient ?? address);
          return sealSmallRecord({
            plaintext: item.content,
            patient: await (holders.get(patient) as ReturnType<typeof keyHolder>),
            creator: account,
            category: item.category,
            recipients:
              (await (readers.get(patient) as ReturnType<typeof resolveWriteRecipients>)).get(
                item.category,
              ) ?? [],
            metadata: item.metadata ?? {},
            deployment: recordsDeployment,
            // Not signed yet: `write` signs the batch's entries at once.
            signEntry: async (entry) => ({ ...entry, signature: '0x' }),
            ...(item.supersedes && { supersedes: item.supersedes }),
            ...(item.recordId && { recordId: item.recordId }),
            ...(leaf !== undefined && { chunkSize: leaf }),
            wrapKey,
          });
        },
      });
    },

    listRecords: (query = {}) => allRecords(getAddress(query.patient ?? address)),

    async describeRecord(recordId) {
      const [{ record, wrappedKey }, { entry }] = await Promise.all([
        transport.get(recordId),
        transport.proof(recordId),
      ]);
      await assertAnchorEntry(entry, recordId, recordsDeployment);
      const metadata = await decryptMetadataFor({
        record,
        wrappedKey,
        account,
        expectedHash: entry.metadataHash,
      });
      return { record, metadata };
    },

    readRecord(recordId, o = {}) {
      const run = async function* () {
        const leaf = await chunkSize();
        return yield* readRecordStream({
          transport,
          recordId,
          account,
          deployment: recordsDeployment,
          ...(leaf !== undefined && { chunkSize: leaf }),
          ...(o.onProgress && { onProgress: o.onProgress }),
          ...(o.signal && { signal: o.signal }),
        });
      };
      return run();
    },

    async verifyRecord(recordId) {
      const { entry, anchor } = await transport.proof(recordId);
      await assertAnchorEntry(entry, recordId, recordsDeployment);
      return {
        recordId,
        patient: entry.patient,
        creator: entry.creator,
        contentRoot: entry.contentRoot,
        signature: 'valid',
        anchor: await verifyRecordAnchor(chain, c.records, entry, anchor),
      };
    },

    async grant(input) {
      const patient = getAddress(input.patient ?? address);
      const grantee = await keyHolder(input.grantee);
      let intent = await relay(
        'grant',
        c.consents,
        encodeGrant({
          patient,
          grantee: grantee.address,
          target: input.target,
          purpose: input.purpose,
          expiresAt: BigInt(input.expiresAt),
        }),
      );
      const wrapped: Hex[] = [];
      const skipped = new Set<Hex>();
      const wrap = async () => {
        const outcome = await wrapKeysFor({ patient, grantee, target: input.target });
        wrapped.push(...outcome.wrapped);
        for (const id of outcome.skipped) skipped.add(id);
      };
      await wrap();
      if (input.wait !== false) {
        intent = await waitForIntent(intent, 'grant');
        // Records written while the grant was pending may have missed the grantee (KEYS.md).
        if ('category' in input.target) await wrap();
      }
      return { intent, wrapped, skipped: [...skipped].filter((id) => !wrapped.includes(id)) };
    },

    async revoke(input) {
      const patient = getAddress(input.patient ?? address);
      const grantee = getAddress(input.grantee);
      const intent = await waitForIntent(
        await relay('revoke', c.consents, encodeRevoke({ patient, grantee, target: input.target })),
        'revoke',
      );
      const removed = await removeKeysOfGrantee({
        transport,
        patient,
        grantee,
        target: input.target,
      });
      return { intent, removed };
    },

    async listGrants(query = {}) {
      const patient = getAddress(query.patient ?? address);
      const logs = await (chain as Pick<PublicClient, 'getLogs'>).getLogs({
        address: c.consents,
        event: parseAbiItem(
          'event ConsentGranted(address indexed patient, address indexed grantee, uint8 scope, bytes32 indexed target, bytes32 purpose, uint64 expiresAt, address by)',
        ),
        args: { patient },
        fromBlock: BigInt(deployment.deployedAtBlock ?? 0),
        toBlock: 'latest',
      });
      const latest = new Map<string, (typeof logs)[number]>();
      for (const log of logs) {
        const a = log.args;
        latest.set(`${a.grantee}:${a.scope}:${a.target}`, log);
      }
      const now = Math.floor(Date.now() / 1000);
      const grants: GrantView[] = [];
      for (const log of latest.values()) {
        const a = log.args as {
          grantee: Address;
          scope: number;
          target: Hex;
          by: Address;
        };
        // The event says a grant was made; the contract's storage says whether it still stands.
        const current = await chain.readContract({
          address: c.consents,
          abi: consentsAbi,
          functionName: 'grantOf',
          args: [patient, a.grantee, a.scope, a.target],
        });
        if (Number(current.expiresAt) <= now) continue;
        grants.push({
          patient,
          grantee: getAddress(a.grantee),
          target:
            a.scope === Scope.Record ? { recordId: a.target } : { category: labelText(a.target) },
          purpose: labelText(current.purpose),
          expiresAt: Number(current.expiresAt),
          by: getAddress(a.by),
        });
      }
      return grants;
    },

    async setGuardian(guardian) {
      const intent = await waitForIntent(
        await relay('guardian', c.accounts, encodeSetGuardian(getAddress(guardian))),
        'guardian',
      );
      const wrapped: Hex[] = [];
      if (getAddress(guardian) === ZERO_ADDRESS) return { intent, wrapped };
      // The guardian needs the keys of the existing records to act (docs/KEYS.md).
      const holder = await keyHolder(guardian);
      for (const record of await allRecords(address)) {
        const holders = (await transport.keyHolders(record.recordId)).map((a) => getAddress(a));
        if (holders.includes(holder.address)) continue;
        const { wrappedKey } = await transport.get(record.recordId);
        if (!wrappedKey) continue;
        await transport.putWrappedKey(
          record.recordId,
          await wrapForGrantee({ recordId: record.recordId, wrappedKey, account, grantee: holder }),
        );
        wrapped.push(record.recordId);
      }
      return { intent, wrapped };
    },

    async guardianOf(patient = address) {
      const guardian = await chain.readContract({
        address: c.accounts,
        abi: accountsAbi,
        functionName: 'guardianOf',
        args: [patient],
      });
      return guardian === ZERO_ADDRESS ? undefined : getAddress(guardian);
    },

    async auditTrail(query = {}) {
      const patient = getAddress(query.patient ?? address);
      const out: VerifiedAuditEntry[] = [];
      let cursor: string | undefined;
      do {
        const page = await transport.audit({ patient, ...(cursor && { cursor }) });
        for (const entry of page.items) {
          out.push({
            ...entry,
            purposeLabel: labelText(entry.purpose),
            verification: await verifyAuditEntry(chain, c.auditLog, entry),
          });
        }
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    },

    waitForIntent,
  };
  return client;
}

function bytesHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
