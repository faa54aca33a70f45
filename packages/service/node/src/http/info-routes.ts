import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../node-context.ts';
import type { Hex } from '../ports.ts';
import { assertActsFor, decodeCursor, encodeCursor } from '../records-logic.ts';
import { BATCH_LIMITS, inclusionOf } from './record-routes.ts';
import { address, bearer, bytes32, merkleProof, problemResponses } from './schemas.ts';

export function infoRoutes(ctx: NodeContext) {
  return async (app: FastifyInstance) => {
    app.get(
      '/health',
      {
        config: { rateLimit: false },
        schema: {
          tags: ['node'],
          summary: 'Outbox depth and chain lag',
          response: {
            200: {
              type: 'object',
              properties: {
                status: { type: 'string', enum: ['ok', 'degraded'] },
                outbox: {
                  type: 'object',
                  properties: {
                    pending: { type: 'integer' },
                    submitted: { type: 'integer' },
                    failed: { type: 'integer' },
                  },
                  required: ['pending', 'submitted', 'failed'],
                },
                chain: {
                  type: 'object',
                  properties: {
                    connected: { type: 'boolean' },
                    head: { type: 'integer' },
                    indexed: { type: 'integer' },
                    lagBlocks: { type: 'integer' },
                  },
                  required: ['connected'],
                },
              },
              required: ['status', 'outbox', 'chain'],
            },
          },
        },
      },
      async () => {
        const outbox = ctx.outbox.depth();
        let chain: { connected: boolean; head?: number; indexed?: number; lagBlocks?: number } = {
          connected: false,
        };
        try {
          if (ctx.chainHealth) chain = await ctx.chainHealth.status();
        } catch {
          chain = { connected: false };
        }
        return { status: chain.connected ? 'ok' : 'degraded', outbox, chain };
      },
    );

    app.get(
      '/info',
      {
        schema: {
          tags: ['node'],
          summary:
            'What clients need to talk to this node: sign-in domain and chain, and how content roots are computed',
          response: {
            200: {
              type: 'object',
              properties: {
                domain: { type: 'string' },
                chainId: { type: 'integer' },
                chunkSize: {
                  type: 'integer',
                  description: 'UnixFS leaf size (Aegle profile: raw leaves, CIDv1)',
                },
                maxRecordBytes: { type: 'integer' },
                batch: {
                  type: 'object',
                  description: 'Limits of POST /records/batch',
                  properties: {
                    maxRecords: { type: 'integer' },
                    maxBytes: { type: 'integer', description: 'of the JSON body' },
                  },
                  required: ['maxRecords', 'maxBytes'],
                },
                contracts: {
                  type: 'object',
                  properties: {
                    records: address,
                    forwarder: address,
                    consents: address,
                    accounts: address,
                  },
                },
              },
              required: ['domain', 'chainId', 'chunkSize', 'maxRecordBytes'],
            },
          },
        },
      },
      async () => {
        const { chainId: _chainId, ...contracts } = ctx.targets ?? { chainId: 0 };
        return {
          domain: ctx.signIn.domain,
          chainId: ctx.signIn.chainId,
          chunkSize: ctx.chunkSize,
          maxRecordBytes: ctx.maxRecordBytes,
          batch: BATCH_LIMITS,
          contracts,
        };
      },
    );

    app.get(
      '/accounts/me',
      {
        config: { auth: true },
        schema: {
          tags: ['accounts'],
          summary: 'The signed-in account and its storage quota',
          security: bearer,
          response: {
            200: {
              type: 'object',
              properties: {
                address,
                storage: {
                  type: 'object',
                  properties: {
                    used: { type: 'integer' },
                    reserved: { type: 'integer' },
                    limit: { type: 'integer' },
                  },
                  required: ['used', 'reserved', 'limit'],
                },
              },
              required: ['address', 'storage'],
            },
            ...problemResponses,
          },
        },
      },
      async (request) => ({ address: request.caller, storage: ctx.store.usage(request.caller) }),
    );

    app.get<{ Querystring: { patient: Hex; cursor?: string; limit?: number } }>(
      '/audit',
      {
        config: { auth: true },
        schema: {
          tags: ['audit'],
          summary:
            "A patient's audit trail: every release to someone else, with its Merkle proof once committed (AuditLog.verifyEntry)",
          security: bearer,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['patient'],
            properties: {
              patient: address,
              cursor: { type: 'string', maxLength: 64 },
              limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                entries: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'integer' },
                      recordId: bytes32,
                      patient: address,
                      reader: address,
                      purpose: bytes32,
                      releasedAt: { type: 'integer', description: 'Unix seconds' },
                      commit: merkleProof,
                    },
                    required: [
                      'id',
                      'recordId',
                      'patient',
                      'reader',
                      'purpose',
                      'releasedAt',
                      'commit',
                    ],
                  },
                },
                nextCursor: { type: 'string' },
              },
              required: ['entries'],
            },
            ...problemResponses,
          },
        },
      },
      async (request) => {
        const { patient, cursor, limit = 50 } = request.query;
        await assertActsFor(ctx, request.caller, patient);
        const rows = ctx.audit.list(patient.toLowerCase() as Hex, decodeCursor(cursor), limit);
        const entries = rows.map((row) => ({
          ...row,
          commit: inclusionOf(ctx, `audit:${row.id}`),
        }));
        const last = rows.at(-1);
        return {
          entries,
          ...(rows.length === limit && last && { nextCursor: encodeCursor(last.id) }),
        };
      },
    );
  };
}
