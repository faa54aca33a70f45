import type { Writable } from 'node:stream';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  NotFoundError,
  RateLimitedError,
  SessionExpiredError,
  UnauthorizedError,
} from '../errors.ts';
import type { NodeContext } from '../node-context.ts';
import type { Hex } from '../ports.ts';
import { hashToken } from '../sessions.ts';
import { parseAllowedOrigins } from './allowed-origins.ts';
import { authRoutes } from './auth-routes.ts';
import { infoRoutes } from './info-routes.ts';
import { errorHandler, sendProblem } from './problem.ts';
import { recordRoutes, WRAPPED_KEY_HEADER } from './record-routes.ts';
import { relayRoutes } from './relay-routes.ts';
import { problem } from './schemas.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in account (lower-case), set on routes with `config.auth`. */
    caller: Hex;
  }
  interface FastifyContextConfig {
    auth?: boolean;
  }
}

export type NodeServerOptions = {
  context: NodeContext;
  /** Log to this stream (JSON lines); false (default) logs nothing. */
  log?: { stream: Writable; level?: string } | false;
  /**
   * Requests per window per session (or per IP without one); false disables. Default 6,000 per
   * minute: a whole-record import makes three requests per resource, and a lower cap would turn a
   * patient's history into minutes of waiting, while sign-in keeps its own tighter limit.
   */
  rateLimit?: { max: number; timeWindowMs: number } | false;
  /** Largest JSON body. Default 256 KiB. Record content is streamed and limited by `maxRecordBytes`. */
  bodyLimit?: number;
  /** Trust X-Forwarded-For from a reverse proxy (for per-IP limits). Default false. */
  trustProxy?: boolean;
  /**
   * Web origins whose pages may call the API from a browser (CORS), e.g. a web app served from
   * its own host; `*` for any. Default none: browsers then reach the node only from its own
   * origin (a web app served by, or proxied next to, the node). See allowed-origins.ts.
   */
  allowedOrigins?: readonly string[];
};

/**
 * Paths the logger censors wherever they appear. The request serializer below already keeps only
 * method, route pattern and status, so these guard against anyone logging a header or body.
 */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'signature',
  '*.signature',
  '*.*.signature',
  'message',
  'wrappedKey',
  '*.wrappedKey',
  'wrappedKeys',
  '*.wrappedKeys',
  'request',
  '*.request',
  'body',
  '*.body',
];

/** The node's HTTP API: thin routes over the plain-logic modules of `context`. */
export async function createNodeServer(options: NodeServerOptions): Promise<FastifyInstance> {
  const { context } = options;
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? 256 * 1024,
    trustProxy: options.trustProxy ?? false,
    logger: options.log
      ? {
          level: options.log.level ?? 'info',
          stream: options.log.stream,
          redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
          serializers: {
            // Route pattern, not URL: query strings and path ids name patients and records.
            req: (req: FastifyRequest) => ({
              method: req.method,
              route: req.routeOptions?.url ?? 'unmatched',
              id: req.id,
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
        }
      : false,
    // Ids are the only request data the node echoes; no patient data in them.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });
  app.decorateRequest('caller', '' as Hex);
  app.addSchema(problem);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_request, reply) => sendProblem(reply, new NotFoundError()));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Aegle node API',
        version: '0.1.0',
        description:
          'Ciphertext, wrapped keys and signed entries only: the node never sees plaintext or unwrapped keys. Errors are RFC 9457 problem+json.',
      },
      components: {
        securitySchemes: {
          session: {
            type: 'http',
            scheme: 'bearer',
            description: 'Session token from POST /auth/siwe',
          },
        },
      },
    },
  });

  const allowedOrigins = parseAllowedOrigins(options.allowedOrigins ?? []);
  if (allowedOrigins.length > 0) {
    // Registered before the rate limiter and the session check, whose refusals (429, 401) must
    // carry the headers too, or a page could not read them; preflights (OPTIONS) need no session.
    await app.register(cors, {
      origin: allowedOrigins[0] === '*' ? '*' : allowedOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'accept'],
      // Read by the SDK: a record's wrapped key arrives with its ciphertext.
      exposedHeaders: [WRAPPED_KEY_HEADER, 'location', 'retry-after'],
      // Tokens travel in Authorization; no cookie is ever sent or honoured.
      credentials: false,
      maxAge: 600,
      strictPreflight: true,
    });
  }

  if (options.rateLimit !== false) {
    const limit = options.rateLimit ?? { max: 6_000, timeWindowMs: 60_000 };
    await app.register(rateLimit, {
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      // Per session when there is one (hashed: the limiter's table never holds tokens), else per IP.
      keyGenerator: (request) => {
        const token = bearerToken(request);
        return token ? `s:${hashToken(token).toString('base64url', 0, 16)}` : `ip:${request.ip}`;
      },
      errorResponseBuilder: () => new RateLimitedError(),
    });
  }

  app.addContentTypeParser('application/octet-stream', (_request, payload, done) =>
    done(null, payload),
  );

  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.config.auth) return;
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedError();
    const session = context.sessions.resolve(token, context.now());
    if (!session) throw new SessionExpiredError();
    request.caller = session.address;
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(authRoutes(context));
  await app.register(recordRoutes(context));
  await app.register(relayRoutes(context));
  await app.register(infoRoutes(context));
  return app;
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  return header.slice(7).trim() || undefined;
}
