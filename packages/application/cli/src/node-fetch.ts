import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * fetch for the SDK's HTTP transport in Node: a streamed request body (an upload) goes out over
 * node:http with stream backpressure, everything else through the global fetch. Node's fetch
 * (undici) keeps memory in proportion to a streamed body's size (about 0.4 MB per MB sent, with
 * a 2 GiB body in 1 MiB chunks), which a 1 GiB upload cannot afford; node:http stays flat.
 * The SDK imports no node:* module (it runs in browsers), so Node apps pass this as
 * createHttpTransport's `fetch` (docs/KEYS.md, "Memory in Node").
 */
export const nodeStreamingFetch: typeof fetch = async (input, init) => {
  const body = init?.body;
  if (!(body instanceof ReadableStream)) return globalThis.fetch(input, init);
  const url = new URL(input instanceof Request ? input.url : String(input));
  const headers = Object.fromEntries(new Headers(init?.headers).entries());
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = send(url, { method: init?.method ?? 'POST', headers });
  const signal = init?.signal;
  const onAbort = () =>
    req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  try {
    // The response may come before the body is all sent (a refusal): stop sending then.
    await Promise.race([
      pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream), req),
      response,
    ]);
    const res = await response;
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
    }
    const status = res.statusCode ?? 500;
    const nullBody = status === 204 || status === 304;
    if (nullBody) res.resume();
    return new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
      status,
      statusText: res.statusMessage ?? '',
      headers: responseHeaders,
    });
  } catch (error) {
    req.destroy();
    throw new TypeError('fetch failed', { cause: error });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
};
