import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { freeLeaf, sendLeaf } from '@aegle/storage';

/**
 * fetch for the SDK's HTTP transport in Node: a streamed request body (an upload) goes out over
 * node:http with stream backpressure, everything else through the global fetch. Node's fetch
 * (undici) keeps memory in proportion to a streamed body's size (about 0.4 MB per MB sent, with
 * a 2 GiB body in 1 MiB chunks), which a 1 GiB upload cannot afford; node:http stays flat.
 * The SDK imports no node:* module (it runs in browsers), so Node apps pass this as
 * createHttpTransport's `fetch` (docs/KEYS.md, "Memory in Node").
 *
 * It takes ownership of a streamed body's chunks: a chunk that is a whole ArrayBuffer is freed
 * (detached) once sent. The SDK's uploads are ciphertext leaves made for the request; a caller
 * that reuses its buffers must not stream them through this.
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
    // The response may come before the body is all sent (a refusal, and the node closes the
    // connection): the response is the answer, and the send's own failure then is not.
    const sending = sendBody(body as ReadableStream<Uint8Array>, req);
    sending.catch(() => {});
    await Promise.race([sending, response]);
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

/**
 * Writes a streamed body chunk by chunk, each once the socket has taken the one before, and
 * frees each chunk that is a whole buffer of its own once written (the SDK's upload bodies are
 * ciphertext leaves nobody else holds): otherwise a spent 1 MiB leaf waits for a GC that runs
 * only after ~64 MB of such garbage, which is most of a lean client's memory.
 */
async function sendBody(body: ReadableStream<Uint8Array>, req: ClientRequest): Promise<void> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await sendLeaf(req, value);
      freeLeaf(value);
    }
    await new Promise<void>((resolve) => req.end(resolve));
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}
