import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../node-context.ts';
import type { IntentView } from '../outbox.ts';
import {
  acceptSignedRequest,
  type ForwardRequest,
  intentFor,
  type RelayKind,
} from '../relay-logic.ts';
import { bearer, forwardRequest, intent, problemResponses } from './schemas.ts';

const ROUTES: Array<{ path: string; kind: RelayKind; summary: string }> = [
  {
    path: '/consents/grants',
    kind: 'grant',
    summary: 'Relay a signed Consents.grant (by the patient or their guardian)',
  },
  {
    path: '/consents/revocations',
    kind: 'revoke',
    summary: 'Relay a signed Consents.revoke (by the patient or their guardian)',
  },
  {
    path: '/guardians',
    kind: 'guardian',
    summary: 'Relay a signed Accounts.setGuardian (by the patient)',
  },
  {
    path: '/accounts',
    kind: 'register',
    summary: 'Relay a signed Accounts.register or rotateEncryptionKey',
  },
];

export function intentJson(view: IntentView) {
  return {
    id: view.id,
    kind: view.kind,
    state: view.state,
    createdAt: view.createdAt,
    ...(view.batch?.txHash && { txHash: view.batch.txHash }),
    ...(view.batch?.lastError && { error: view.batch.lastError }),
    ...(view.batch?.receipt && { receipt: view.batch.receipt }),
  };
}

export function relayRoutes(ctx: NodeContext) {
  return async (app: FastifyInstance) => {
    for (const { path, kind, summary } of ROUTES) {
      app.post<{ Body: { request: ForwardRequest } }>(
        path,
        {
          config: { auth: true },
          schema: {
            tags: ['relay'],
            summary: `${summary}. Journaled in the outbox before the 202; an Idempotency-Key header (or the signature) makes retries safe.`,
            security: bearer,
            headers: {
              type: 'object',
              properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 128 } },
            },
            body: {
              type: 'object',
              additionalProperties: false,
              required: ['request'],
              properties: { request: forwardRequest },
            },
            response: { 200: intent, 202: intent, ...problemResponses },
          },
        },
        async (request, reply) => {
          const header = request.headers['idempotency-key'];
          const { intent: view, created } = await acceptSignedRequest(
            ctx,
            request.caller,
            kind,
            request.body.request,
            typeof header === 'string' ? header : undefined,
          );
          return reply
            .code(created ? 202 : 200)
            .header('location', `/intents/${view.id}`)
            .send(intentJson(view));
        },
      );
    }

    app.get<{ Params: { id: number } }>(
      '/intents/:id',
      {
        config: { auth: true },
        schema: {
          tags: ['relay'],
          summary:
            'Where a relayed request stands (pending, submitted, confirmed, failed); for its signer',
          security: bearer,
          params: {
            type: 'object',
            properties: { id: { type: 'integer', minimum: 1 } },
            required: ['id'],
          },
          response: { 200: intent, ...problemResponses },
        },
      },
      async (request) => intentJson(intentFor(ctx, request.caller, request.params.id)),
    );
  };
}
