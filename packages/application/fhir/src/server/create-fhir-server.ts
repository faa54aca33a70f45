import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { Resource } from '../convert/fhir-types.ts';
import { validateResource } from '../validate/validate-resource.ts';
import { capabilityStatement } from './capability-statement.ts';
import type { FhirDataSource, StoredResource } from './data-source.ts';
import { FhirRequestError, type ServerOutcome } from './errors.ts';
import { referenceTarget } from './fhirpath-subset.ts';
import { matchesSearch } from './match-search.ts';
import { parseSearch } from './parse-search.ts';
import { prepareCreate } from './prepare-create.ts';
import { prepareTransaction } from './prepare-transaction.ts';
import { etagOf, resourceOut } from './resource-out.ts';
import { type MatchKey, searchPage } from './search-page.ts';
import { r4ResourceTypes, searchParametersFor } from './search-parameters.ts';

export type FhirServerOptions = {
  /** Where resources come from and go to (the SDK's, or a MemoryFhirDataSource). */
  source: FhirDataSource;
  /** Interface to listen on; loopback unless the caller decides otherwise. */
  host?: string;
  /** 0 (the default) picks a free port; the chosen one is in the returned url. */
  port?: number;
  /** The base URL written into links and Locations, when clients reach the server by another name. */
  baseUrl?: string;
  /**
   * Host header values accepted besides the listening address's own (`127.0.0.1:port`,
   * `localhost:port`, `[::1]:port`) and baseUrl's host. Others are refused (421), so a web page
   * that rebinds its DNS name to 127.0.0.1 cannot read the user's records through a browser.
   */
  allowedHosts?: readonly string[];
  /** The clock for `ap` date comparisons and the CapabilityStatement date (tests fix it). */
  now?: () => Date;
};

export type FhirServer = {
  /** The FHIR base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  close(): Promise<void>;
};

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const BODY_LIMIT = 64 * 1024 * 1024;

/**
 * Starts a FHIR R4 REST server over a data source (docs/FHIR.md, "FHIR server"): metadata, read,
 * vread, search (patient, _id, code, date, _lastUpdated, with _count paging), create, transaction
 * and Patient/$everything. JSON only. Every resource it sends was read from the source for that
 * request; nothing is written to disk.
 */
export async function createFhirServer(options: FhirServerOptions): Promise<FhirServer> {
  const { source } = options;
  const now = options.now ?? (() => new Date());
  const started = now();
  const resourceTypes = new Set(r4ResourceTypes());
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT });
  let baseUrl = options.baseUrl?.replace(/\/+$/, '') ?? '';

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/fhir+json', 'application/json'],
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(new FhirRequestError(400, 'structure', 'The body is not well-formed JSON'), undefined);
      }
    },
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );
  app.addContentTypeParser('*', (_request, _payload, done) =>
    done(
      new FhirRequestError(
        415,
        'not-supported',
        'Send application/fhir+json (or application/json)',
      ),
      undefined,
    ),
  );

  app.setErrorHandler((error: unknown, _request, reply) => {
    if (error instanceof FhirRequestError) return sendOutcome(reply, error.status, error.outcome);
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Fastify's own refusals (body too large, bad header): say what without echoing content.
      return sendOutcome(
        reply,
        status,
        outcome('invalid', `The request was refused (HTTP ${status})`),
      );
    }
    return sendOutcome(
      reply,
      500,
      outcome('exception', 'The server could not complete the request; nothing was stored'),
    );
  });
  app.setNotFoundHandler((_request, reply) =>
    sendOutcome(reply, 404, outcome('not-found', 'No such FHIR endpoint on this server')),
  );

  const knownType = (type: string): string => {
    if (!resourceTypes.has(type)) {
      throw new FhirRequestError(404, 'not-supported', 'Unknown resource type', {
        expression: ['resourceType'],
      });
    }
    return type;
  };
  const knownId = (id: string): string => {
    if (!FHIR_ID.test(id)) throw new FhirRequestError(404, 'not-found', 'No resource with that id');
    return id;
  };
  const lenient = (request: FastifyRequest) =>
    /(^|[;,\s])handling\s*=\s*lenient\b/i.test(String(request.headers.prefer ?? ''));

  // Filled in once listening (the port is known then); no request is answered before.
  const allowedHosts = new Set<string>(
    (options.allowedHosts ?? []).map((host) => host.toLowerCase()),
  );
  app.addHook('onRequest', async (request) => {
    if (!allowedHosts.has(String(request.headers.host ?? '').toLowerCase())) {
      throw new FhirRequestError(
        421,
        'forbidden',
        'This server does not answer for that host name',
        {
          hint: 'Use the server URL as given, or list the host name in allowedHosts.',
        },
      );
    }
    if (!acceptsJson(request.headers.accept)) {
      throw new FhirRequestError(
        406,
        'not-supported',
        'Only JSON (application/fhir+json) is served',
      );
    }
  });

  app.get('/metadata', async (_request, reply) =>
    send(reply, 200, capabilityStatement({ baseUrl, date: started })),
  );

  app.get<{ Params: { type: string; id: string } }>('/:type/:id', async (request, reply) => {
    const type = knownType(request.params.type);
    const stored = await source.read(type, knownId(request.params.id));
    if (stored === undefined) throw notFound(type);
    return sendResource(reply, 200, stored);
  });

  app.get<{ Params: { type: string; id: string; vid: string } }>(
    '/:type/:id/_history/:vid',
    async (request, reply) => {
      const type = knownType(request.params.type);
      const id = knownId(request.params.id);
      if (!FHIR_ID.test(request.params.vid)) throw notFound(type);
      const stored = await source.readVersion(type, id, request.params.vid);
      if (stored === undefined) throw notFound(type);
      return sendResource(reply, 200, stored);
    },
  );

  const search = async (
    request: FastifyRequest<{ Params: { type: string } }>,
    reply: FastifyReply,
    query: [string, string][],
  ) => {
    const type = knownType(request.params.type);
    const parsed = parseSearch(searchParametersFor(type), query, {
      lenient: lenient(request),
      target: type,
    });
    const patientHint = parsed.criteria.find(
      (criterion) => criterion.kind === 'reference' && criterion.values.length === 1,
    );
    const instant = now().getTime();
    const matches: MatchKey[] = [];
    for await (const stored of source.listResources({
      resourceType: type,
      patientId: patientHint?.kind === 'reference' ? patientHint.values[0]?.id : undefined,
    })) {
      if (stored.resource.resourceType !== type || typeof stored.resource.id !== 'string') continue;
      if (matchesSearch(stored, parsed.criteria, instant)) {
        matches.push({ resourceType: type, id: stored.resource.id });
      }
    }
    // A stable order (by id), so that offsets address the same matches from page to page.
    matches.sort((a, b) => compare(a.id, b.id));
    return send(reply, 200, await searchPage({ source, baseUrl, path: type, matches, ...parsed }));
  };

  app.get<{ Params: { type: string } }>('/:type', (request, reply) =>
    search(request, reply, queryOf(request)),
  );
  app.post<{ Params: { type: string } }>('/:type/_search', (request, reply) => {
    const form = typeof request.body === 'string' ? [...new URLSearchParams(request.body)] : [];
    return search(request, reply, [...queryOf(request), ...form]);
  });

  app.get<{ Params: { type: string; id: string; operation: string } }>(
    '/:type/:id/:operation',
    async (request, reply) => {
      if (request.params.type !== 'Patient' || request.params.operation !== '$everything') {
        knownType(request.params.type);
        throw new FhirRequestError(404, 'not-supported', 'No such operation on this server');
      }
      const id = knownId(request.params.id);
      if ((await source.read('Patient', id)) === undefined) throw notFound('Patient');
      const parsed = parseSearch(new Map(), queryOf(request), {
        lenient: lenient(request),
        target: 'Patient/$everything',
      });
      const others: MatchKey[] = [];
      for await (const stored of source.listResources({ patientId: id })) {
        const { resourceType, id: otherId } = stored.resource;
        if (typeof otherId !== 'string' || (resourceType === 'Patient' && otherId === id)) continue;
        if (refersTo(stored.resource, 'Patient', id)) others.push({ resourceType, id: otherId });
      }
      others.sort((a, b) => compare(a.resourceType, b.resourceType) || compare(a.id, b.id));
      const matches = [{ resourceType: 'Patient', id }, ...others];
      return send(
        reply,
        200,
        await searchPage({
          source,
          baseUrl,
          path: `Patient/${id}/$everything`,
          matches,
          ...parsed,
        }),
      );
    },
  );

  app.post<{ Params: { type: string } }>('/:type', async (request, reply) => {
    const type = knownType(request.params.type);
    const body = request.body as Resource | undefined;
    if (typeof body !== 'object' || body === null || body.resourceType !== type) {
      throw new FhirRequestError(400, 'invalid', `The body must be a ${type} resource`, {
        expression: ['resourceType'],
      });
    }
    const validation = validateResource(body);
    if (!validation.valid) {
      throw new FhirRequestError(400, 'invalid', 'The resource is not valid FHIR R4', {
        outcome: validation.outcome,
      });
    }
    const [stored] = await source.create([prepareCreate(body, randomUUID())]);
    if (stored === undefined) throw new Error('the data source returned nothing for a create');
    reply.header(
      'location',
      `${baseUrl}/${type}/${stored.resource.id}/_history/${stored.versionId}`,
    );
    return sendResource(reply, 201, stored, request);
  });

  app.post('/', async (request, reply) => {
    const resources = prepareTransaction(request.body);
    const stored = await source.create(resources);
    return send(reply, 200, {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: stored.map((item) => ({
        fullUrl: `${baseUrl}/${item.resource.resourceType}/${item.resource.id}`,
        ...(prefersMinimal(request) ? {} : { resource: resourceOut(item) }),
        response: {
          status: '201 Created',
          location: `${item.resource.resourceType}/${item.resource.id}/_history/${item.versionId}`,
          etag: etagOf(item),
          lastModified: item.lastUpdated.toISOString(),
        },
      })),
    });
  });

  // Update, patch and delete are not implemented (and not advertised).
  app.route({
    method: ['PUT', 'PATCH', 'DELETE'],
    url: '/*',
    handler: async (_request, reply) =>
      sendOutcome(reply, 405, outcome('not-supported', 'Only read, search and create are served')),
  });

  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  if (baseUrl === '') baseUrl = address;
  const port = new URL(address).port;
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
    allowedHosts.add(host);
  }
  allowedHosts.add(new URL(baseUrl).host.toLowerCase());
  return { url: baseUrl, close: () => app.close() };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function queryOf(request: FastifyRequest): [string, string][] {
  const cut = request.url.indexOf('?');
  return cut === -1 ? [] : [...new URLSearchParams(request.url.slice(cut + 1))];
}

/** No Accept header, or one that takes JSON (any of the FHIR JSON types, or a wildcard). */
function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((range) => range.split(';')[0]?.trim().toLowerCase())
    .some(
      (type) =>
        type === '*/*' ||
        type === 'application/*' ||
        type === 'application/json' ||
        type === 'application/fhir+json' ||
        type === 'application/json+fhir',
    );
}

function prefersMinimal(request: FastifyRequest): boolean {
  return /(^|[;,\s])return\s*=\s*minimal\b/i.test(String(request.headers.prefer ?? ''));
}

function outcome(code: string, diagnostics: string): ServerOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
}

function notFound(type: string): FhirRequestError {
  return new FhirRequestError(404, 'not-found', `No ${type} with that id (or version)`);
}

function send(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).type(FHIR_JSON).send(JSON.stringify(body));
}

function sendOutcome(reply: FastifyReply, status: number, body: ServerOutcome) {
  return send(reply, status, body);
}

function sendResource(
  reply: FastifyReply,
  status: number,
  stored: StoredResource,
  request?: FastifyRequest,
) {
  reply.header('etag', etagOf(stored));
  reply.header('last-modified', stored.lastUpdated.toUTCString());
  if (request !== undefined && prefersMinimal(request)) return reply.code(status).send();
  return send(reply, status, resourceOut(stored));
}

/** Whether any Reference anywhere in the resource names `type/id`. */
function refersTo(value: unknown, type: string, id: string): boolean {
  if (Array.isArray(value)) return value.some((item) => refersTo(item, type, id));
  if (typeof value !== 'object' || value === null) return false;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'reference' && typeof inner === 'string') {
      const target = referenceTarget(inner);
      if (target?.type === type && target.id === id) return true;
    } else if (typeof inner === 'object' && refersTo(inner, type, id)) {
      return true;
    }
  }
  return false;
}
