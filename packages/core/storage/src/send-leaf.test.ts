import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { freeLeaf } from './free-leaf.ts';
import { sendLeaf } from './send-leaf.ts';

test('freeLeaf empties a whole buffer the caller owns, and leaves views of larger ones alone', () => {
  const whole = new Uint8Array(1024).fill(1);
  freeLeaf(whole);
  assert.equal(whole.length, 0);
  assert.equal(whole.buffer.detached, true);
  const backing = new Uint8Array(2048).fill(2);
  const view = backing.subarray(0, 1024);
  freeLeaf(view);
  assert.equal(view.length, 1024);
  assert.equal(backing[2047], 2);
  const shared = new Uint8Array(new SharedArrayBuffer(16));
  freeLeaf(shared);
  assert.equal(shared.length, 16);
});

test('sendLeaf resolves once the socket took the bytes: freeing then loses nothing', async (t) => {
  const received: Buffer[] = [];
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => received.push(chunk));
    req.on('end', () => res.end('ok'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const req = request({ port, host: '127.0.0.1', method: 'POST' });
  const sent: number[] = [];
  for (let i = 0; i < 8; i++) {
    const leaf = new Uint8Array(1 << 20).fill(i);
    await sendLeaf(req, leaf);
    freeLeaf(leaf);
    sent.push(i);
  }
  req.end();
  const [response] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  response.resume();
  await once(response, 'end');
  const body = Buffer.concat(received);
  assert.equal(body.length, 8 << 20);
  for (const i of sent) assert.equal(body[(i << 20) + 12345], i);
});

test('sendLeaf rejects when the connection is gone', async () => {
  const server = createServer((req) => req.socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const req = request({ port, host: '127.0.0.1', method: 'POST' });
  req.on('error', () => {});
  await assert.rejects(async () => {
    for (let i = 0; i < 64; i++) await sendLeaf(req, new Uint8Array(1 << 20));
  });
  server.close();
});
