import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { FaultInjectingRelay } from './fault-injecting-relay.ts';
import { GrantTable } from './grant-table.ts';
import { tempDir, waitUntil } from './helpers.ts';
import {
  api,
  newAccount,
  prepareRecord,
  signIn,
  siweMessage,
  startNode,
  uploadRecord,
} from './node-harness.ts';

test('GET /openapi.json documents every route with its schemas', async (t) => {
  const { url } = await startNode(t);
  const response = await fetch(`${url}/openapi.json`);
  assert.equal(response.status, 200);
  const doc = (await response.json()) as {
    openapi: string;
    paths: Record<
      string,
      Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>
    >;
  };
  assert.equal(doc.openapi, '3.1.0');
  for (const route of [
    '/auth/nonce',
    '/auth/siwe',
    '/records',
    '/uploads',
    '/records/{id}/keys/{recipient}',
    '/consents/recipients',
    '/records/{id}',
    '/records/{id}/content',
    '/records/{id}/proof',
    '/audit',
    '/consents/grants',
    '/consents/revocations',
    '/guardians',
    '/health',
    '/intents/{id}',
  ]) {
    assert.ok(doc.paths[route], `documents ${route}`);
  }
  assert.ok(doc.paths['/records']?.post?.requestBody, 'the commit has a body schema');
  assert.ok(doc.paths['/records/{id}']?.get?.responses['200'], 'reads have a response schema');
});

test('errors are problem+json with a stable type: unknown route, invalid body, too large a body', async (t) => {
  const { url } = await startNode(t);
  const token = await signIn(url, newAccount());
  const call = api(url, token);
  const cases: Array<[Promise<Response>, number, string]> = [
    [fetch(`${url}/nope`), 404, 'not-found'],
    [call('/records', { method: 'POST', json: { recordId: 'nope' } }), 400, 'invalid-request'],
    [
      call('/records', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"x":',
      }),
      400,
      'invalid-request',
    ],
    [
      call('/records', { method: 'POST', json: { padding: 'x'.repeat(300_000) } }),
      413,
      'payload-too-large',
    ],
    [
      call('/records', {
        method: 'POST',
        headers: { 'content-type': 'application/xml' },
        body: '<hi/>',
      }),
      415,
      'unsupported-media-type',
    ],
    [call(`/records/0x${'00'.repeat(32)}`), 404, 'record-not-found'],
  ];
  for (const [pending, status, type] of cases) {
    const response = await pending;
    assert.equal(response.status, status, type);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const body = (await response.json()) as {
      type: string;
      title: string;
      status: number;
      detail: string;
    };
    assert.equal(body.type, `https://aegle.dev/problems/${type}`);
    assert.equal(body.status, status);
    assert.ok(body.title && body.detail);
  }
});

test('requests are rate-limited per session, with 429 problem+json', async (t) => {
  const { url } = await startNode(t, { http: { rateLimit: { max: 5, timeWindowMs: 60_000 } } });
  const a = api(url, await signIn(url, newAccount()));
  const b = api(url, await signIn(url, newAccount()));
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await a('/accounts/me')).status);
  assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
  const limited = await a('/accounts/me');
  assert.equal(limited.status, 429);
  assert.equal(
    ((await limited.json()) as { type: string }).type,
    'https://aegle.dev/problems/rate-limited',
  );
  // Another session has its own budget.
  assert.equal((await b('/accounts/me')).status, 200);
});

test('logs never carry tokens, signatures, wrapped keys, ids of patients or record bytes', async (t) => {
  const { url, log, grants } = await startNode(t);
  const alice = newAccount();
  const lee = newAccount();
  const message = await siweMessage(url, alice);
  const signature = await alice.signMessage({ message });
  const siwe = await fetch(`${url}/auth/siwe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, signature }),
  });
  const { token } = (await siwe.json()) as { token: string };
  const asAlice = api(url, token);
  const marker = `MARKER-${Math.random().toString(36).slice(2)}`;
  const wrappedKey = Buffer.from(`wrapped-${marker}`).toString('base64');
  const record = await prepareRecord(alice, alice.address, {
    ciphertext: Buffer.from(`ciphertext ${marker}`),
  });
  assert.equal(
    (
      await uploadRecord(asAlice, record, [
        { recipient: alice.address, wrappedKey },
        { recipient: lee.address, wrappedKey },
      ])
    ).status,
    201,
  );
  await asAlice(`/records/${record.recordId}/content`);
  await asAlice(`/records?patient=${alice.address}`);
  // Failures are logged too: a refused read and a bad body.
  const asLee = api(url, await signIn(url, lee));
  await asLee(`/records/${record.recordId}`);
  await asAlice('/records', {
    method: 'POST',
    json: { recordId: record.recordId, wrappedKeys: [{ wrappedKey }] },
  });
  grants.grant(
    alice.address,
    lee.address,
    'record',
    record.recordId,
    `0x${'01'.repeat(32)}`,
    new Date(Date.now() + 60_000),
  );
  await asLee(`/records/${record.recordId}/content`);
  await fetch(`${url}/accounts/me`, { headers: { authorization: `Bearer ${token}x` } });

  const text = log.text;
  assert.ok(text.includes('"route":"/records/:id/content"'), 'the logs are there');
  for (const secret of [
    token,
    signature,
    marker,
    wrappedKey,
    record.entry.signature,
    alice.address.toLowerCase().slice(2),
    record.recordId.slice(2),
    Buffer.from(message).toString('base64').slice(0, 40),
  ]) {
    assert.ok(!text.toLowerCase().includes(secret.toLowerCase()), 'a secret leaked into the logs');
  }
});

test('no session token, sign-in message or clear bytes at rest: the data directory holds none', async (t) => {
  const { url, dataDir, node } = await startNode(t);
  const alice = newAccount();
  const marker = `PLAINTEXT-${Math.random().toString(36).slice(2)}`;
  // The marker travels in the clear in the sign-in message (its statement): it must not be kept.
  const message = await siweMessage(url, alice, { statement: marker });
  const siwe = await fetch(`${url}/auth/siwe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, signature: await alice.signMessage({ message }) }),
  });
  const { token } = (await siwe.json()) as { token: string };
  const asAlice = api(url, token);
  // Record bytes arrive encrypted (here: the marker XOR-ed, standing in for the SDK's cipher).
  const record = await prepareRecord(alice, alice.address, {
    ciphertext: Buffer.from(marker).map((b) => b ^ 0x5a),
  });
  assert.equal(
    (await uploadRecord(asAlice, record, [{ recipient: alice.address, wrappedKey: 'AA==' }]))
      .status,
    201,
  );
  await waitUntil(
    () => node.context.outbox.depth().pending + node.context.outbox.depth().submitted === 0,
  );
  await node.close();
  const searched: string[] = [];
  for (const file of await readdir(dataDir, { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue;
    searched.push(path.relative(dataDir, path.join(file.parentPath, file.name)));
    const bytes = await readFile(path.join(file.parentPath, file.name));
    assert.ok(!bytes.includes(marker), `${file.name} holds the marker`);
    assert.ok(!bytes.includes(token), `${file.name} holds the session token`);
  }
  // The node's database, the object index, and the blocks (the record's is a row of the table).
  for (const expected of ['node.sqlite', 'store/objects.sqlite']) {
    assert.ok(searched.includes(expected), `searched ${expected}`);
  }
  assert.ok(
    searched.some((f) => /^store\/blocks-[a-z0-9-]+\/small-blocks\.sqlite$/.test(f)),
    'searched the blocks',
  );
});

test('with the chain down, uploads are accepted as pending; after a restart with the chain back, they complete', async (t) => {
  const grants = new GrantTable();
  const relay = new FaultInjectingRelay();
  relay.down = true;
  const first = await startNode(t, { grants, relay });
  const alice = newAccount();
  const asAlice = api(first.url, await signIn(first.url, alice));
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const record = await prepareRecord(alice, alice.address);
    const response = await uploadRecord(asAlice, record, [
      { recipient: alice.address, wrappedKey: 'AA==' },
    ]);
    assert.equal(response.status, 201);
    assert.equal(
      ((await response.json()) as { anchor: { state: string } }).anchor.state,
      'pending',
    );
    ids.push(record.recordId);
  }
  const health = (await (await fetch(`${first.url}/health`)).json()) as {
    outbox: { pending: number };
    chain: { connected: boolean };
  };
  assert.equal(health.outbox.pending, 5);
  await first.node.close();

  relay.down = false;
  const second = await startNode(t, {
    grants,
    relay,
    dataDir: first.dataDir,
    chainHealth: { status: () => ({ connected: true, head: 120, indexed: 118, lagBlocks: 2 }) },
  });
  const asAlice2 = api(second.url, await signIn(second.url, alice));
  await waitUntil(async () => {
    const h = (await (await fetch(`${second.url}/health`)).json()) as {
      outbox: { pending: number; submitted: number };
    };
    return h.outbox.pending + h.outbox.submitted === 0;
  });
  const h = (await (await fetch(`${second.url}/health`)).json()) as {
    status: string;
    chain: { lagBlocks: number };
  };
  assert.deepEqual([h.status, h.chain.lagBlocks], ['ok', 2]);
  assert.deepEqual([...relay.landed].sort(), ids.map((id) => `anchor:${id}`).sort());
  for (const id of ids) {
    const read = (await (await asAlice2(`/records/${id}`)).json()) as {
      record: { anchor: { state: string } };
    };
    assert.equal(read.record.anchor.state, 'confirmed');
  }
});

test('a node that cannot listen closes what it opened and reports why', async (t) => {
  const first = await startNode(t);
  const port = Number(new URL(first.url).port);
  const dataDir = await tempDir(t);
  await assert.rejects(startNode(t, { dataDir, http: { port } }), { code: 'EADDRINUSE' });
  // Its database and store were closed: the directory opens again.
  const again = await startNode(t, { dataDir });
  assert.equal((await fetch(`${again.url}/health`)).status, 200);
});

test('CORS: pages from the allowed origins may call the API and read its refusals; no other origin gets the headers', async (t) => {
  const app = 'http://app.example.test:5173';
  const { url } = await startNode(t, { http: { allowedOrigins: [app] } });
  const recordPath = `/records/0x${'ab'.repeat(32)}/content`;
  // A preflight needs no session, and names what the SDK sends.
  const preflight = await fetch(`${url}${recordPath}`, {
    method: 'OPTIONS',
    headers: {
      origin: app,
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization',
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), app);
  assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /\bGET\b/);
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /\bauthorization\b/);
  assert.equal(preflight.headers.get('access-control-allow-credentials'), null);
  // An answer, and a refusal (no session), both readable by the page, with the header the SDK
  // reads a record's wrapped key from exposed.
  for (const [path, status] of [
    ['/info', 200],
    [recordPath, 401],
  ] as const) {
    const response = await fetch(`${url}${path}`, { headers: { origin: app } });
    assert.equal(response.status, status, path);
    assert.equal(response.headers.get('access-control-allow-origin'), app, path);
    assert.match(response.headers.get('access-control-expose-headers') ?? '', /aegle-wrapped-key/);
    assert.match(response.headers.get('vary') ?? '', /origin/i);
  }
  // A download, whose route writes the socket itself, carries them as well, with the wrapped key.
  const alice = newAccount();
  const asAlice = api(url, await signIn(url, alice));
  const record = await prepareRecord(alice, alice.address);
  const wrappedKey = Buffer.from('wrapped').toString('base64');
  const upload = await uploadRecord(asAlice, record, [{ recipient: alice.address, wrappedKey }]);
  assert.equal(upload.status, 201);
  assert.equal(upload.headers.get('access-control-allow-origin'), null, 'no Origin, no header');
  const download = await asAlice(`/records/${record.recordId}/content`, {
    headers: { origin: app },
  });
  assert.equal(download.status, 200);
  assert.equal(download.headers.get('access-control-allow-origin'), app);
  assert.match(download.headers.get('access-control-expose-headers') ?? '', /aegle-wrapped-key/);
  assert.equal(download.headers.get('aegle-wrapped-key'), wrappedKey);
  assert.deepEqual(new Uint8Array(await download.arrayBuffer()), new Uint8Array(record.ciphertext));
  // Another origin: no header a browser would accept, so its page cannot read the answer.
  for (const init of [
    { headers: { origin: 'https://elsewhere.example' } },
    {
      method: 'OPTIONS',
      headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' },
    },
  ]) {
    const response = await fetch(`${url}/info`, init);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  }
});

test('CORS is off by default: no origin gets the headers, and preflights find no route', async (t) => {
  const { url } = await startNode(t);
  const response = await fetch(`${url}/info`, { headers: { origin: 'http://localhost:5173' } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('access-control-allow-origin'), null);
  const preflight = await fetch(`${url}/info`, {
    method: 'OPTIONS',
    headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
  });
  assert.equal(preflight.status, 404);
  assert.equal(preflight.headers.get('access-control-allow-origin'), null);
});

test('a node refuses an allowed origin that is not one, naming it', async (t) => {
  await assert.rejects(
    startNode(t, {
      dataDir: await tempDir(t),
      http: { allowedOrigins: ['https://app.example.test/web'] },
    }),
    (error: Error) =>
      error.name === 'NodeConfigError' && error.message.includes('https://app.example.test/web'),
  );
});

test('CORS: a page on an allowed origin can read a 429 too (the rate limiter answers with the headers)', async (t) => {
  const app = 'http://app.example.test:5173';
  const { url } = await startNode(t, {
    http: { allowedOrigins: [app], rateLimit: { max: 1, timeWindowMs: 60_000 } },
  });
  const first = await fetch(`${url}/info`, { headers: { origin: app } });
  assert.equal(first.status, 200);
  const limited = await fetch(`${url}/info`, { headers: { origin: app } });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('access-control-allow-origin'), app);
  assert.match(limited.headers.get('access-control-expose-headers') ?? '', /retry-after/);
});
