import type { Account, Address } from '@aegle/crypto';
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { base64ToBytes, bytesToBase64 } from '../records/encoding.ts';
import { countProgress, type OnProgress } from '../records/progress.ts';
import type { AnchorEntry } from '../signing/contracts.ts';
import type { SignedForwardRequest } from '../signing/sign-forward-request.ts';
import { errorFromProblem, type Problem } from './error-from-problem.ts';
import { NodeUnreachableError } from './errors.ts';
import { iterableFromResponse, readableFromIterable } from './streams.ts';
import type {
  AuditEntryView,
  BatchLimits,
  BatchRecordInput,
  CommitInput,
  InclusionView,
  IntentView,
  Page,
  ReadResult,
  RecordSummary,
  RecordView,
  RelayKind,
  Transport,
  UploadInput,
  UploadReceipt,
  WrappedKeyFor,
} from './transport.ts';

/** Response header carrying the caller's own wrapped key (base64) on content reads. */
export const WRAPPED_KEY_HEADER = 'aegle-wrapped-key';

const RELAY_PATHS: Record<RelayKind, string> = {
  grant: '/consents/grants',
  revoke: '/consents/revocations',
  guardian: '/guardians',
  register: '/accounts',
};

export type HttpTransportOptions = {
  /** The node's base URL, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string | URL;
  /** A session token to start with (from an earlier sign-in). */
  token?: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
  /**
   * How upload bodies are sent. `'stream'`: a streaming request body (constant memory; Node, and
   * Chromium over HTTP/2). `'blob'`: the ciphertext is first gathered into a Blob (which browsers
   * may keep on disk). Default `'auto'`: stream in Node (and runtimes like it), Blob in browsers:
   * Chromium streams request bodies only over HTTP/2, which browsers speak only over TLS, and a
   * node speaks HTTP/1.1, so a browser's streamed upload fails before it starts (a page served
   * through an HTTP/2 proxy can choose `'stream'`).
   */
  uploadBody?: 'stream' | 'blob' | 'auto';
};

/** What the node says about itself at `/info`. */
export type NodeInfo = {
  domain: string;
  chainId: number;
  /** UnixFS leaf size: give it to prepareRecord and openRecord as `chunkSize`. */
  chunkSize: number;
  maxRecordBytes: number;
  /** Limits of a batch write (nodes before batches: absent). */
  batch?: BatchLimits;
  contracts?: { records?: Hex; forwarder?: Hex; consents?: Hex; accounts?: Hex };
};

export type Session = { token: string; address: Address; expiresAt: number };

export type HttpTransport = Transport & {
  info(): Promise<NodeInfo>;
  /** Signs in with Ethereum (EIP-4361) and keeps the session token for later calls. */
  signIn(account: Pick<Account, 'signingPrivateKey'>): Promise<Session>;
  signOut(): Promise<void>;
  /** The session token in use, if any. */
  readonly token: string | undefined;
};

type RequestOptions = {
  /** A name with an array value repeats (`?category=a&category=b`). */
  query?: Record<string, string | number | readonly string[] | undefined>;
  json?: unknown;
  body?: ReadableStream<Uint8Array> | Blob;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
};

/**
 * The Transport over the node's HTTP API with fetch, in Node and in browsers. Uploads stream the
 * request body (`duplex: 'half'`), so a record of any size goes out in constant memory; errors
 * come back as the SDK's typed errors via `errorFromProblem`.
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const base = new URL(options.baseUrl);
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let token = options.token;

  async function request(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    const url = new URL(path, base);
    for (const [name, value] of Object.entries(o.query ?? {})) {
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(name, item);
      else if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...o.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    const init: RequestInit & { duplex?: 'half' } = { method, headers };
    if (o.signal) init.signal = o.signal;
    if (o.json !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(o.json);
    } else if (o.body) {
      headers['content-type'] = 'application/octet-stream';
      init.body = o.body;
      if (!(o.body instanceof Blob)) init.duplex = 'half';
    }
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch (cause) {
      if (o.signal?.aborted) throw cause;
      throw new NodeUnreachableError(`${method} ${url.pathname} failed`, { cause });
    }
    if (response.ok) return response;
    let problem: Problem = {};
    try {
      const parsed: unknown = await response.json();
      if (parsed && typeof parsed === 'object') problem = parsed as Problem;
    } catch {
      // Not problem+json (a proxy's page, say): the status alone decides.
    }
    throw errorFromProblem(problem, response.status);
  }

  async function json<T>(method: string, path: string, o?: RequestOptions): Promise<T> {
    const response = await request(method, path, o);
    if (response.status === 204) return undefined as T;
    try {
      return (await response.json()) as T;
    } catch (cause) {
      throw new NodeUnreachableError(`${method} ${path} did not return JSON`, { cause });
    }
  }

  const id = (recordId: Hex) => encodeURIComponent(recordId);
  const keyFromBase64 = (value: string | null | undefined): Hex | null =>
    value ? bytesToHex(base64ToBytes(value)) : null;

  const transport: HttpTransport = {
    get token() {
      return token;
    },

    async info() {
      return json<NodeInfo>('GET', '/info');
    },

    async signIn(account) {
      const signer = privateKeyToAccount(bytesToHex(account.signingPrivateKey));
      const { nonce, domain, chainId } = await json<{
        nonce: string;
        domain: string;
        chainId: number;
      }>('POST', '/auth/nonce');
      const message = createSiweMessage({
        address: signer.address,
        domain,
        chainId,
        nonce,
        uri: base.origin,
        version: '1',
        issuedAt: new Date(),
        statement: 'Sign in to an Aegle node.',
      });
      const signature = await signer.signMessage({ message });
      const session = await json<Session>('POST', '/auth/siwe', { json: { message, signature } });
      token = session.token;
      return session;
    },

    async signOut() {
      if (!token) return;
      await request('POST', '/auth/signout');
      token = undefined;
    },

    async upload(input: UploadInput): Promise<UploadReceipt> {
      const mode = options.uploadBody ?? 'auto';
      const stream =
        mode === 'stream' || (mode === 'auto' && !inBrowser() && supportsRequestStreams());
      const body = stream
        ? readableFromIterable(input.body, input.onProgress, input.size)
        : await blobFromIterable(input.body, input.onProgress, input.size);
      return json<UploadReceipt>('POST', '/uploads', {
        query: { patient: input.patient, size: input.size },
        body,
        signal: input.signal,
      });
    },

    async commit(input: CommitInput): Promise<RecordSummary> {
      const raw = await json<RawRecord>('POST', '/records', {
        json: {
          uploadId: input.uploadId,
          entry: entryToJson(input.entry),
          wrappedKeys: input.wrappedKeys.map(keyToJson),
          metadata: bytesToBase64(input.metadata),
        },
        ...(input.idempotencyKey && { headers: { 'idempotency-key': input.idempotencyKey } }),
      });
      return recordFromJson(raw);
    },

    async writeBatch(records) {
      const raw = await json<{ records: RawRecord[] }>('POST', '/records/batch', {
        json: {
          records: records.map((r) => ({
            entry: entryToJson(r.entry),
            wrappedKeys: r.wrappedKeys.map(keyToJson),
            metadata: bytesToBase64(r.metadata),
            content: bytesToBase64(r.content),
          })),
        },
      });
      // The node answers without the metadata envelopes: each record's is the one sent here.
      return raw.records.map((record, i) => ({
        ...recordFromJson(record),
        metadata: (records[i] as BatchRecordInput).metadata,
      }));
    },

    async list(query) {
      const page = await json<{ records: RawRecord[]; nextCursor?: string }>('GET', '/records', {
        query,
      });
      return pageOf(page.records.map(recordFromJson), page.nextCursor);
    },

    async get(recordId): Promise<RecordView> {
      const raw = await json<{ record: RawRecord; wrappedKey: string | null; purpose?: Hex }>(
        'GET',
        `/records/${id(recordId)}`,
      );
      return {
        record: recordFromJson(raw.record),
        wrappedKey: keyFromBase64(raw.wrappedKey),
        ...(raw.purpose && { purpose: raw.purpose }),
      };
    },

    async read(recordId, o = {}): Promise<ReadResult> {
      const response = await request('GET', `/records/${id(recordId)}/content`, {
        headers: { accept: 'application/octet-stream' },
        signal: o.signal,
      });
      const length = response.headers.get('content-length');
      const size = length === null ? undefined : Number(length);
      if (!response.body) throw new NodeUnreachableError('the record content had no body');
      return {
        wrappedKey: keyFromBase64(response.headers.get(WRAPPED_KEY_HEADER)),
        size,
        ciphertext: iterableFromResponse(response, o.onProgress, size),
      };
    },

    async putWrappedKey(recordId, key) {
      await request('PUT', `/records/${id(recordId)}/keys/${encodeURIComponent(key.recipient)}`, {
        json: { wrappedKey: bytesToBase64(hexToBytes(key.wrappedKey)) },
      });
    },

    async deleteWrappedKey(recordId, recipient) {
      await request('DELETE', `/records/${id(recordId)}/keys/${encodeURIComponent(recipient)}`);
    },

    async keyHolders(recordId) {
      const body = await json<{ recipients: Address[] }>('GET', `/records/${id(recordId)}/keys`);
      return body.recipients;
    },

    async writeRecipients(query) {
      const body = await json<{ byCategory: Record<Hex, Address[]> }>(
        'GET',
        '/consents/recipients',
        { query: { patient: query.patient, category: query.categories } },
      );
      return body.byCategory;
    },

    async relay(kind, signed: SignedForwardRequest, o = {}) {
      return json<IntentView>('POST', RELAY_PATHS[kind], {
        json: { request: signed },
        ...(o.idempotencyKey && { headers: { 'idempotency-key': o.idempotencyKey } }),
      });
    },

    async intent(intentId) {
      return json<IntentView>('GET', `/intents/${intentId}`);
    },

    async audit(query) {
      const page = await json<{ entries: AuditEntryView[]; nextCursor?: string }>('GET', '/audit', {
        query,
      });
      return pageOf(page.entries, page.nextCursor);
    },

    async proof(recordId) {
      const body = await json<{ entry: RawEntry; anchor: InclusionView }>(
        'GET',
        `/records/${id(recordId)}/proof`,
      );
      return { entry: entryFromJson(body.entry), anchor: body.anchor };
    },
  };
  return transport;
}

/** Whether this runs in a browser (a page or a worker), not in Node or a runtime like it. */
function inBrowser(): boolean {
  const runtime = globalThis as { process?: { versions?: { node?: string } } };
  return runtime.process?.versions?.node === undefined;
}

/**
 * Whether fetch can send a ReadableStream body (the feature test from the Chromium team: such a
 * runtime reads the `duplex` option and does not turn the stream into a text body).
 */
export function supportsRequestStreams(): boolean {
  try {
    let duplexAccessed = false;
    const init = {
      body: new ReadableStream(),
      method: 'POST',
      get duplex() {
        duplexAccessed = true;
        return 'half';
      },
    };
    const hasContentType = new Request('http://localhost/', init as RequestInit).headers.has(
      'Content-Type',
    );
    return duplexAccessed && !hasContentType;
  } catch {
    return false;
  }
}

/** Gathers a stream into a Blob, reporting progress as it is read. */
async function blobFromIterable(
  source: AsyncIterable<Uint8Array>,
  onProgress: OnProgress | undefined,
  totalBytes: number | undefined,
): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for await (const part of countProgress(source, onProgress, totalBytes)) {
    parts.push(part as Uint8Array<ArrayBuffer>);
  }
  return new Blob(parts, { type: 'application/octet-stream' });
}

type RawEntry = Omit<AnchorEntry, 'nonce' | 'signedAt'> & { nonce: string; signedAt: string };
type RawRecord = Omit<RecordSummary, 'metadata'> & { metadata?: string };

function pageOf<T>(items: T[], nextCursor: string | undefined): Page<T> {
  return nextCursor ? { items, nextCursor } : { items };
}

/** The wire form of an entry: uints as decimal strings (JSON has no bigint). */
export function entryToJson(entry: AnchorEntry): RawEntry {
  return { ...entry, nonce: entry.nonce.toString(), signedAt: entry.signedAt.toString() };
}

export function entryFromJson(raw: RawEntry): AnchorEntry {
  return { ...raw, nonce: BigInt(raw.nonce), signedAt: BigInt(raw.signedAt) };
}

function keyToJson(key: WrappedKeyFor) {
  return { recipient: key.recipient, wrappedKey: bytesToBase64(hexToBytes(key.wrappedKey)) };
}

function recordFromJson(raw: RawRecord): RecordSummary {
  const { metadata, ...rest } = raw;
  return metadata ? { ...rest, metadata: base64ToBytes(metadata) } : rest;
}
