import { setImmediate } from 'node:timers/promises';
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { InvalidUnixfsError } from './errors.ts';

/**
 * What `readUnixfs` needs from a blockstore. Our stores verify every block against its CID
 * before returning it (and repair it from a replica if needed), so the reader does not hash twice.
 */
export type BlockReader = {
  get(cid: CID): Generator<Uint8Array> | AsyncGenerator<Uint8Array>;
  getBlock?(cid: CID): Promise<Uint8Array>;
};

async function readBlock(store: BlockReader, cid: CID): Promise<Uint8Array> {
  if (store.getBlock) return store.getBlock(cid);
  const parts: Uint8Array[] = [];
  for await (const part of store.get(cid)) parts.push(part);
  return parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
}

/** Blocks fetched ahead of the one being yielded, so disk reads overlap the consumer. */
const READ_AHEAD = 4;

/**
 * Streams a UnixFS file's bytes in order: a raw leaf, or a dag-pb `file`/`raw` node and its
 * links depth-first. Memory is one path from the root plus a few read-ahead leaves.
 */
export async function* readUnixfs(
  store: BlockReader,
  root: CID,
): AsyncGenerator<Uint8Array, void, undefined> {
  // A depth-first walk in which the children of a node are queued in order; leaf reads are
  // started up to READ_AHEAD positions before they are needed.
  const queue: { cid: CID; block: Promise<Uint8Array> }[] = [];
  const stack: CID[][] = [[root]];
  const refill = () => {
    // Nothing may be queued behind a dag-pb node: its children come next, and are not known yet.
    while (queue.length < READ_AHEAD && queue[queue.length - 1]?.cid.code !== dagPb.code) {
      const frame = stack[stack.length - 1];
      if (frame === undefined) return;
      const next = frame.shift();
      if (next === undefined) {
        stack.pop();
        continue;
      }
      const block = readBlock(store, next);
      // The promise is awaited later; attach a handler now so an early failure is not "unhandled".
      block.catch(() => {});
      queue.push({ cid: next, block });
    }
  };
  refill();
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const bytes = await item.block;
    if (item.cid.code === raw.code) {
      refill();
      // One event-loop turn per leaf. A consumer that never waits (its data is always ready) runs
      // this walk in microtasks only, and the read-ahead's file reads, each several thread-pool
      // steps (open, stat, read, close), would advance only when the walk happened to wait: the
      // disk then idles while the consumer decrypts. Measured: read 504–535 → 561–573 MB/s on
      // 1 GiB (bench "read").
      await setImmediate();
      if (bytes.length > 0) yield bytes;
      continue;
    }
    if (item.cid.code !== dagPb.code) {
      throw new InvalidUnixfsError(item.cid.toString(), `codec 0x${item.cid.code.toString(16)}`);
    }
    let node: dagPb.PBNode;
    let unixfs: UnixFS;
    try {
      node = dagPb.decode(bytes);
      if (node.Data === undefined) throw new Error('no Data');
      unixfs = UnixFS.unmarshal(node.Data);
    } catch (cause) {
      throw new InvalidUnixfsError(item.cid.toString(), `undecodable (${String(cause)})`);
    }
    if (unixfs.type !== 'file' && unixfs.type !== 'raw') {
      throw new InvalidUnixfsError(item.cid.toString(), `type ${unixfs.type}`);
    }
    // The queue is empty here (see refill), so the children are next in depth-first order.
    stack.push(node.Links.map((l) => l.Hash));
    refill();
    if (unixfs.data !== undefined && unixfs.data.length > 0) yield unixfs.data;
  }
}
