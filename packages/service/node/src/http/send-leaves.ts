import { freeLeaf, sendLeaf } from '@aegle/storage';
import type { FastifyReply } from 'fastify';

/**
 * Sends a stored object's leaves as the response body (status 200 with `headers`), each only
 * once the socket has taken the one before, and frees each leaf's memory as soon as it has.
 *
 * Why not a stream: a 1 MiB leaf that the socket is done with is garbage V8 collects only when
 * external memory has grown by some 64 MB since its last full collection, so a download
 * would hold tens of MB of spent leaves. The leaves of ObjectStore.get belong to the caller alone
 * (read repair is over when one is yielded), so each is detached (ArrayBuffer transfer to an empty
 * one, which frees its memory) once its write has completed — never earlier, since the socket
 * reads it until then. An error after the headers ends the connection, which a client sees as a
 * truncated body (its length is in content-length).
 */
export async function sendLeaves(
  reply: FastifyReply,
  headers: Record<string, string>,
  leaves: AsyncIterable<Uint8Array>,
): Promise<void> {
  // Headers that hooks set on the reply (CORS, rate limits) are kept: a hijacked reply would
  // otherwise drop them, and a browser page on another origin could not read the body.
  const hookHeaders = reply.getHeaders();
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { ...hookHeaders, ...headers } as Record<string, string>);
  try {
    for await (const leaf of leaves) {
      await sendLeaf(raw, leaf);
      freeLeaf(leaf);
    }
    await new Promise<void>((resolve) => raw.end(resolve));
  } catch (error) {
    raw.destroy(error instanceof Error ? error : undefined);
  }
}
