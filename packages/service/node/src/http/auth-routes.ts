import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../node-context.ts';
import type { Hex } from '../ports.ts';
import { address, bearer, hexBytes, problemResponses } from './schemas.ts';

/** Sign-in is cheap to ask for and expensive to verify: tighter per-IP limits than the rest. */
const signInLimit = { rateLimit: { max: 60, timeWindow: 60_000 } };

export function authRoutes(ctx: NodeContext) {
  return async (app: FastifyInstance) => {
    app.post(
      '/auth/nonce',
      {
        config: signInLimit,
        schema: {
          tags: ['auth'],
          summary: 'A single-use nonce for a Sign-In with Ethereum (EIP-4361) message',
          response: {
            201: {
              type: 'object',
              properties: {
                nonce: { type: 'string' },
                expiresAt: { type: 'integer' },
                domain: { type: 'string' },
                chainId: { type: 'integer' },
              },
              required: ['nonce', 'expiresAt', 'domain', 'chainId'],
            },
            ...problemResponses,
          },
        },
      },
      async (_request, reply) => {
        const { nonce, expiresAt } = ctx.signIn.issueNonce(ctx.now());
        return reply
          .code(201)
          .send({ nonce, expiresAt, domain: ctx.signIn.domain, chainId: ctx.signIn.chainId });
      },
    );

    app.post<{ Body: { message: string; signature: Hex } }>(
      '/auth/siwe',
      {
        config: signInLimit,
        schema: {
          tags: ['auth'],
          summary: 'Exchange a signed EIP-4361 message for a session token',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['message', 'signature'],
            properties: {
              message: { type: 'string', minLength: 1, maxLength: 4096 },
              signature: hexBytes,
            },
          },
          response: {
            201: {
              type: 'object',
              properties: { token: { type: 'string' }, address, expiresAt: { type: 'integer' } },
              required: ['token', 'address', 'expiresAt'],
            },
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const session = await ctx.signIn.signIn(
          request.body.message,
          request.body.signature,
          ctx.now(),
        );
        return reply.code(201).header('cache-control', 'no-store').send(session);
      },
    );

    app.post(
      '/auth/signout',
      {
        config: { auth: true },
        schema: {
          tags: ['auth'],
          summary: 'End this session',
          security: bearer,
          response: { 204: { type: 'null' }, ...problemResponses },
        },
      },
      async (request, reply) => {
        const token = request.headers.authorization?.slice(7).trim();
        if (token) ctx.sessions.revoke(token);
        return reply.code(204).send();
      },
    );
  };
}
