import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type BatchRecordRequest, commitBatch } from '../commit-batch.ts';
import {
  ClientGoneError,
  InvalidRequestError,
  RecordNotFoundError,
  WriterNotAllowedError,
} from '../errors.ts';
import type { NodeContext } from '../node-context.ts';
import type { Inclusion, IntentState } from '../outbox.ts';
import type { Hex } from '../ports.ts';
import type { RecordMeta } from '../record-catalog.ts';
import {
  assertActsFor,
  assertMayInspect,
  authorizeRelease,
  type CommitRequest,
  commitRecord,
  decodeCursor,
  encodeCursor,
  receiveUpload,
} from '../records-logic.ts';
import {
  address,
  anchorEntry,
  base64,
  bearer,
  bytes32,
  merkleProof,
  problemResponses,
  recordMeta,
} from './schemas.ts';
import { sendLeaves } from './send-leaves.ts';

/** Response header carrying the caller's own wrapped data key (base64), on content reads. */
export const WRAPPED_KEY_HEADER = 'aegle-wrapped-key';

/**
 * POST /records/batch limits, also advertised at /info: records per batch, and bytes of the JSON
 * body (content and metadata travel base64). Large files take the streamed two-step path.
 */
export const BATCH_LIMITS = { maxRecords: 500, maxBytes: 16 * 1024 * 1024 } as const;

const wrappedKeysSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 64,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['recipient', 'wrappedKey'],
    properties: { recipient: address, wrappedKey: { ...base64, minLength: 1 } },
  },
} as const;

const metadataSchema = { ...base64, maxLength: 65_536 } as const;

/** A record and one recipient of its data key. */
const recordKeyParams = {
  type: 'object',
  properties: { id: bytes32, recipient: address },
  required: ['id', 'recipient'],
} as const;

/** An answer that lists addresses holding (or to be given) a record's data key. */
const recipientList = {
  type: 'object',
  properties: { recipients: { type: 'array', items: address } },
  required: ['recipients'],
} as const;

const recordIdParams = { type: 'object', properties: { id: bytes32 }, required: ['id'] } as const;

export function recordRoutes(ctx: NodeContext) {
  /** A record as the API shows it, with where its anchor stands. */
  const recordView = (meta: RecordMeta, state: IntentState) => ({
    recordId: meta.recordId,
    patient: meta.patient,
    creator: meta.creator,
    category: meta.category,
    cid: meta.cid,
    size: meta.size,
    createdAt: meta.createdAt,
    ...(meta.metadata && { metadata: Buffer.from(meta.metadata).toString('base64') }),
    anchor: { state },
  });
  const withAnchor = (meta: RecordMeta) =>
    recordView(meta, ctx.outbox.stateByKey(`anchor:${meta.recordId}`) ?? 'pending');

  return async (app: FastifyInstance) => {
    app.post<{ Querystring: { patient: Hex; size: number; category?: Hex } }>(
      '/uploads',
      {
        config: { auth: true },
        schema: {
          tags: ['records'],
          summary:
            'Step 1 of a record upload: stream the ciphertext (application/octet-stream). Size limit, write permission and quota are checked before any byte is stored; the node returns the root it computed. Commit with POST /records before expiresAt, or the upload is deleted.',
          security: bearer,
          consumes: ['application/octet-stream'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['patient', 'size'],
            properties: {
              patient: address,
              size: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
              category: bytes32,
            },
          },
          response: {
            201: {
              type: 'object',
              properties: {
                uploadId: { type: 'string' },
                cid: { type: 'string' },
                contentRoot: bytes32,
                size: { type: 'integer' },
                expiresAt: { type: 'integer', description: 'Unix milliseconds' },
              },
              required: ['uploadId', 'cid', 'contentRoot', 'size', 'expiresAt'],
            },
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const body = request.body as Readable | undefined;
        if (!body || typeof (body as Readable).pipe !== 'function') {
          throw new InvalidRequestError('Record content must be sent as application/octet-stream.');
        }
        // A client that goes away mid-body aborts the store's write, which then rolls back.
        const abort = new AbortController();
        const raw = request.raw;
        const onClose = () => {
          if (!raw.complete) abort.abort();
        };
        raw.once('close', onClose);
        try {
          const receipt = await receiveUpload(
            ctx,
            request.caller,
            request.query,
            body,
            abort.signal,
          );
          return reply.code(201).send(receipt);
        } catch (error) {
          // The client went away: nobody to answer, and the half-read connection must not linger.
          if (abort.signal.aborted) {
            raw.socket?.destroy();
            throw new ClientGoneError();
          }
          // Refused before reading the body: the unread body must not be left on the connection.
          if (!raw.complete) reply.header('connection', 'close');
          throw error;
        } finally {
          raw.off('close', onClose);
        }
      },
    );

    app.post<{ Body: CommitRequest }>(
      '/records',
      {
        config: { auth: true },
        schema: {
          tags: ['records'],
          summary:
            "Step 2: commit a stored upload as a record, with the creator's signed anchor entry, the wrapped data keys and the encrypted metadata. Acknowledged once the record and its anchor intent are journaled.",
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['uploadId', 'entry', 'wrappedKeys', 'metadata'],
            properties: {
              uploadId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
              entry: anchorEntry,
              wrappedKeys: wrappedKeysSchema,
              metadata: metadataSchema,
            },
          },
          response: { 201: recordMeta, ...problemResponses },
        },
      },
      async (request, reply) => {
        const meta = await commitRecord(ctx, request.caller, request.body);
        return reply
          .code(201)
          .header('location', `/records/${meta.recordId}`)
          .send(withAnchor(meta));
      },
    );

    app.post<{ Body: { records: BatchRecordRequest[] } }>(
      '/records/batch',
      {
        config: { auth: true },
        bodyLimit: BATCH_LIMITS.maxBytes,
        schema: {
          tags: ['records'],
          summary:
            'Write many small records in one request, all or nothing: each with its signed anchor entry, wrapped keys, encrypted metadata and whole ciphertext (base64). Every record passes the checks of POST /records; the batch is acknowledged once every record and its anchor intent are journaled. The answer lists the records in the order sent, without the metadata envelopes the request carried. A refusal names the record (problem member batchIndex). Limits at GET /info (batch).',
          security: bearer,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['records'],
            properties: {
              records: {
                type: 'array',
                minItems: 1,
                maxItems: BATCH_LIMITS.maxRecords,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['entry', 'wrappedKeys', 'metadata', 'content'],
                  properties: {
                    entry: anchorEntry,
                    wrappedKeys: wrappedKeysSchema,
                    metadata: metadataSchema,
                    // No maxLength: ajv measures one by walking the string for surrogate pairs,
                    // kilobytes of base64 per record (1.8% of the node's event loop in a FHIR
                    // import), and the request's body limit already bounds it.
                    content: { type: 'string', pattern: base64.pattern },
                  },
                },
              },
            },
          },
          response: {
            201: {
              type: 'object',
              properties: { records: { type: 'array', items: recordMeta } },
              required: ['records'],
            },
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const { records, replayed } = await commitBatch(ctx, request.caller, request.body.records);
        return reply.code(201).send({
          // Records this request added have their anchor intents just journaled: pending, without
          // a look-up each. A replay's records may be further along. Without their metadata
          // envelopes: each is the one this request sent (its entry signs the envelope's hash).
          records: records.map(({ metadata: _, ...meta }) =>
            replayed ? withAnchor(meta) : recordView(meta, 'pending'),
          ),
        });
      },
    );

    app.get<{ Querystring: { patient: Hex; cursor?: string; limit?: number } }>(
      '/records',
      {
        config: { auth: true },
        schema: {
          tags: ['records'],
          summary:
            "A patient's records (metadata only), oldest first; for the patient or their guardian",
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['patient'],
            properties: {
              patient: address,
              cursor: { type: 'string', maxLength: 64 },
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                records: { type: 'array', items: recordMeta },
                nextCursor: { type: 'string' },
              },
              required: ['records'],
            },
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const { patient, cursor, limit = 100 } = request.query;
        await assertActsFor(ctx, request.caller, patient);
        const page = ctx.catalog.list(patient, decodeCursor(cursor), limit);
        const last = page.at(-1);
        return {
          records: page.map(withAnchor),
          ...(page.length === limit && last && { nextCursor: encodeCursor(last.seq) }),
        };
      },
    );

    app.get<{ Params: { id: Hex } }>(
      '/records/:id',
      {
        config: { auth: true },
        schema: {
          tags: ['records'],
          summary:
            "A record's metadata and the caller's own wrapped key. For anyone but the patient, journaled to the audit log before release.",
          security: bearer,
          params: recordIdParams,
          response: {
            200: {
              type: 'object',
              properties: {
                record: recordMeta,
                wrappedKey: { type: ['string', 'null'] },
                purpose: bytes32,
              },
              required: ['record', 'wrappedKey'],
            },
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const grant = await authorizeRelease(ctx, request.caller, request.params.id);
        const key = ctx.catalog.wrappedKey(grant.record.recordId, request.caller);
        return reply.header('cache-control', 'no-store').send({
          record: withAnchor(grant.record),
          wrappedKey: key ? Buffer.from(key).toString('base64') : null,
          ...(grant.purpose && { purpose: grant.purpose }),
        });
      },
    );

    app.get<{ Params: { id: Hex } }>(
      '/records/:id/content',
      {
        config: { auth: true },
        schema: {
          tags: ['records'],
          summary: `The ciphertext, streamed, with the caller's wrapped key in the ${WRAPPED_KEY_HEADER} header (base64). For anyone but the patient, journaled to the audit log before the first byte.`,
          security: bearer,
          params: recordIdParams,
          produces: ['application/octet-stream'],
          response: {
            200: { description: 'The ciphertext', type: 'string', format: 'binary' },
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const record = ctx.catalog.get(request.params.id);
        if (!record || !ctx.store.has(record.cid)) throw new RecordNotFoundError();
        const grant = await authorizeRelease(ctx, request.caller, request.params.id);
        const key = ctx.catalog.wrappedKey(grant.record.recordId, request.caller);
        await sendLeaves(
          reply,
          {
            'cache-control': 'no-store',
            'content-length': String(grant.record.size),
            'content-type': 'application/octet-stream',
            ...(key && { [WRAPPED_KEY_HEADER]: Buffer.from(key).toString('base64') }),
          },
          ctx.store.get(grant.record.cid),
        );
      },
    );

    app.put<{ Params: { id: Hex; recipient: Hex }; Body: { wrappedKey: string } }>(
      '/records/:id/keys/:recipient',
      {
        config: { auth: true },
        schema: {
          tags: ['records'],
          summary:
            "Store the record's data key wrapped for a recipient (by the patient or their guardian, e.g. with a grant)",
          security: bearer,
          params: recordKeyParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['wrappedKey'],
            properties: { wrappedKey: { ...base64, minLength: 1 } },
          },
          response: { 204: { type: 'null' }, ...problemResponses },
        },
      },
      async (request, reply) => {
        const record = ctx.catalog.get(request.params.id);
        if (!record) throw new RecordNotFoundError();
        await assertActsFor(ctx, request.caller, record.patient);
        ctx.catalog.putWrappedKey(
          record.recordId,
          request.params.recipient,
          Buffer.from(request.body.wrappedKey, 'base64'),
        );
        return reply.code(204).send();
      },
    );

    app.delete<{ Params: { id: Hex; recipient: Hex } }>(
      '/records/:id/keys/:recipient',
      {
        config: { auth: true },
        schema: {
          tags: ['records'],
          summary:
            "Delete a recipient's wrapped key (by the patient or their guardian, e.g. with a revocation)",
          security: bearer,
          params: recordKeyParams,
          response: { 204: { type: 'null' }, ...problemResponses },
        },
      },
      async (request, reply) => {
        const record = ctx.catalog.get(request.params.id);
        if (!record) throw new RecordNotFoundError();
        await assertActsFor(ctx, request.caller, record.patient);
        ctx.catalog.deleteWrappedKey(record.recordId, request.params.recipient);
        return reply.code(204).send();
      },
    );

    app.get<{ Querystring: { patient: Hex; category: Hex[] } }>(
      '/consents/recipients',
      {
        config: { auth: true },
        schema: {
          tags: ['consents'],
          summary:
            "Who a writer wraps a new record's key for besides the patient and itself, per category: the patient's guardian and the holders of live grants on the category (from the chain index). `category` repeats (up to 64), so a batch of records of many categories asks once. For anyone who may write for the patient.",
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['patient', 'category'],
            properties: {
              patient: address,
              category: { type: 'array', items: bytes32, minItems: 1, maxItems: 64 },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                byCategory: {
                  type: 'object',
                  additionalProperties: { type: 'array', items: address },
                },
              },
              required: ['byCategory'],
            },
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const patient = request.query.patient.toLowerCase() as Hex;
        const at = new Date(ctx.now());
        const decision = await ctx.permissions.mayWrite(request.caller, patient, at);
        if (!decision.allowed) throw new WriterNotAllowedError(decision.reason);
        const byCategory: Record<string, Hex[]> = {};
        for (const category of request.query.category) {
          const key = category.toLowerCase() as Hex;
          byCategory[key] ??= await ctx.permissions.writeRecipients(patient, key, at);
        }
        return { byCategory };
      },
    );

    app.get<{ Params: { id: Hex } }>(
      '/records/:id/keys',
      {
        config: { auth: true },
        schema: {
          tags: ['records'],
          summary:
            'Who holds a wrapped key of this record (addresses only); for the patient or their guardian',
          security: bearer,
          params: recordIdParams,
          response: {
            200: recipientList,
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const record = ctx.catalog.get(request.params.id);
        if (!record) throw new RecordNotFoundError();
        await assertActsFor(ctx, request.caller, record.patient);
        return { recipients: ctx.catalog.recipients(record.recordId) };
      },
    );

    app.get<{ Params: { id: Hex } }>(
      '/records/:id/proof',
      {
        config: { auth: true },
        schema: {
          tags: ['records'],
          summary:
            "The record's signed anchor entry and its Merkle inclusion proof in an anchored batch (Records.commitBatch)",
          security: bearer,
          params: recordIdParams,
          response: {
            200: {
              type: 'object',
              properties: { entry: anchorEntry, anchor: merkleProof },
              required: ['entry', 'anchor'],
            },
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const record = ctx.catalog.get(request.params.id);
        if (!record) throw new RecordNotFoundError();
        await assertMayInspect(ctx, request.caller, record);
        return {
          entry: ctx.catalog.entry(record.recordId),
          anchor: inclusionOf(ctx, `anchor:${record.recordId}`),
        };
      },
    );
  };
}

/** Where an intent of a Merkle batch stands, with its proof once batched. */
export function inclusionOf(ctx: NodeContext, key: string): Inclusion {
  return ctx.outbox.inclusion(key) ?? { state: 'pending' };
}
