// Test support: a small HTTP server that speaks the upload protocol of docs/KEYS.md over a real
// @aegle/storage ObjectStore, so the HTTP transport's streaming, wire formats and error mapping
// are exercised end to end. It is not the node (packages/service/node): it checks only what the
// protocol needs from a node's side (stored root, sessions, who gets which wrapped key).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ObjectStore } from '@aegle/storage';
import { bytesToHex, type Hex, verifyMessage } from 'viem';
import { parseSiweMessage } from 'viem/siwe';

type Stored = {
  entry: Record<string, string>;
  cid: string;
  size: number;
  metadata: string;
  keys: Map<string, string>;
  createdAt: number;
};

export type ProtocolServer = {
  url: string;
  records: Map<string, Stored>;
  uploads: Map<string, { cid: string; size: number; contentRoot: Hex; patient: string }>;
  /** Requests seen, as "METHOD /path" (no query, no bodies). */
  seen: string[];
  /** Make the next upload report another root than the one it stored. */
  lieAboutNextRoot(): void;
  close(): Promise<void>;
};

const problem = (res: ServerResponse, status: number, slug: string, extra: object = {}) => {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(
    JSON.stringify({ type: `https://aegle.dev/problems/${slug}`, title: slug, status, ...extra }),
  );
};

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8'));
}

export async function startProtocolServer(
  store: ObjectStore,
  options: { domain?: string; chainId?: number } = {},
): Promise<ProtocolServer> {
  const sessions = new Map<string, string>(); // token -> lower-case address
  const nonces = new Set<string>();
  const records = new Map<string, Stored>();
  const uploads = new Map<
    string,
    { cid: string; size: number; contentRoot: Hex; patient: string }
  >();
  const seen: string[] = [];
  let lie = false;
  const domain = options.domain ?? 'aegle.test';
  const chainId = options.chainId ?? 31337;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${url.pathname}`);
    try {
      if (req.method === 'POST' && url.pathname === '/auth/nonce') {
        const nonce = randomBytes(16).toString('hex');
        nonces.add(nonce);
        res.writeHead(201, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ nonce, expiresAt: Date.now() + 60_000, domain, chainId }));
      }
      if (req.method === 'POST' && url.pathname === '/auth/siwe') {
        const body = await readJson(req);
        const message = String(body.message);
        const fields = parseSiweMessage(message);
        const ok =
          fields.address &&
          fields.domain === domain &&
          fields.chainId === chainId &&
          fields.nonce &&
          nonces.delete(fields.nonce) &&
          (await verifyMessage({
            address: fields.address,
            message,
            signature: body.signature as Hex,
          }));
        if (!ok || !fields.address)
          return problem(res, 401, 'sign-in-rejected', { reason: 'bad-signature' });
        const token = randomBytes(16).toString('hex');
        sessions.set(token, fields.address.toLowerCase());
        res.writeHead(201, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({ token, address: fields.address, expiresAt: Date.now() + 3_600_000 }),
        );
      }
      const caller = sessions.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!caller) return problem(res, 401, 'unauthorized');
      if (req.method === 'POST' && url.pathname === '/auth/signout') {
        sessions.delete((req.headers.authorization ?? '').replace(/^Bearer /, ''));
        res.writeHead(204);
        return res.end();
      }

      if (req.method === 'POST' && url.pathname === '/uploads') {
        const size = Number(url.searchParams.get('size'));
        const patient = String(url.searchParams.get('patient')).toLowerCase();
        let put: Awaited<ReturnType<ObjectStore['put']>>;
        try {
          put = await store.put({ account: patient, size, source: req });
        } catch (error) {
          if ((error as Error).name === 'QuotaExceededError')
            return problem(res, 413, 'quota-exceeded');
          throw error;
        }
        const uploadId = randomBytes(16).toString('hex');
        let cid = put.cid.toString();
        let contentRoot = bytesToHex(put.cid.multihash.digest);
        if (lie) {
          lie = false;
          cid = `${cid.slice(0, -4)}aaaa`;
          contentRoot = bytesToHex(randomBytes(32));
        }
        uploads.set(uploadId, { cid, size: put.size, contentRoot, patient });
        res.writeHead(201, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            uploadId,
            cid,
            contentRoot,
            size: put.size,
            expiresAt: Date.now() + 600_000,
          }),
        );
      }
      if (req.method === 'POST' && url.pathname === '/records') {
        const body = await readJson(req);
        const upload = uploads.get(String(body.uploadId));
        if (!upload) return problem(res, 404, 'upload-not-found');
        const entry = body.entry as Record<string, string>;
        if (entry.contentRoot !== upload.contentRoot) return problem(res, 400, 'root-mismatch');
        const keys = new Map<string, string>();
        for (const k of body.wrappedKeys as { recipient: string; wrappedKey: string }[]) {
          keys.set(k.recipient.toLowerCase(), k.wrappedKey);
        }
        const stored: Stored = {
          entry,
          cid: upload.cid,
          size: upload.size,
          metadata: String(body.metadata),
          keys,
          createdAt: Date.now(),
        };
        records.set(String(entry.recordId), stored);
        res.writeHead(201, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(summary(stored)));
      }
      const m =
        /^\/records\/(0x[0-9a-fA-F]{64})(\/content|\/proof|\/keys|\/keys\/(0x[0-9a-fA-F]{40}))?$/.exec(
          url.pathname,
        );
      const stored = m ? records.get(m[1] as string) : undefined;
      if (m && !stored) return problem(res, 404, 'record-not-found');
      if (m && stored) {
        const patient = String(stored.entry.patient).toLowerCase();
        const mine = stored.keys.get(caller);
        if (req.method === 'GET' && m[2] === '/content') {
          if (!mine) return problem(res, 403, 'not-granted', { reason: 'no-grant' });
          res.writeHead(200, {
            'content-type': 'application/octet-stream',
            'content-length': String(stored.size),
            'aegle-wrapped-key': mine,
          });
          return Readable.from(store.get(stored.cid)).pipe(res);
        }
        if (req.method === 'GET' && m[2] === undefined) {
          if (!mine && caller !== patient)
            return problem(res, 403, 'not-granted', { reason: 'no-grant' });
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ record: summary(stored), wrappedKey: mine ?? null }));
        }
        if (req.method === 'GET' && m[2] === '/proof') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ entry: stored.entry, anchor: { state: 'pending' } }));
        }
        if (req.method === 'GET' && m[2] === '/keys') {
          if (caller !== patient) return problem(res, 403, 'forbidden');
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ recipients: [...stored.keys.keys()] }));
        }
        if (m[3] && caller === patient && (req.method === 'PUT' || req.method === 'DELETE')) {
          if (req.method === 'PUT') {
            stored.keys.set(m[3].toLowerCase(), String((await readJson(req)).wrappedKey));
          } else stored.keys.delete(m[3].toLowerCase());
          res.writeHead(204);
          return res.end();
        }
        if (m[3]) return problem(res, 403, 'forbidden');
      }
      if (req.method === 'GET' && url.pathname === '/records') {
        const patient = String(url.searchParams.get('patient')).toLowerCase();
        if (caller !== patient) return problem(res, 403, 'forbidden');
        const list = [...records.values()].filter(
          (r) => r.entry.patient?.toLowerCase() === patient,
        );
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ records: list.map(summary) }));
      }
      return problem(res, 404, 'not-found');
    } catch {
      if (!res.headersSent) return problem(res, 500, 'internal');
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    uploads,
    seen,
    lieAboutNextRoot() {
      lie = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function summary(r: Stored) {
  return {
    recordId: r.entry.recordId,
    patient: r.entry.patient,
    creator: r.entry.creator,
    category: r.entry.category,
    cid: r.cid,
    size: r.size,
    createdAt: r.createdAt,
    anchor: { state: 'pending' },
    metadata: r.metadata,
  };
}
