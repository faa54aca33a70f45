// FAULT INJECTOR for tests: a real FsBlockstore behind a wrapper that can be told to fail writes
// (an I/O error, a full disk) or hold them until released. Everything else is the real replica.
import type { CID } from 'multiformats/cid';
import type { BlockReplica, BlockWriteOptions, WrittenBlock } from '../src/index.ts';
import { FsBlockstore } from '../src/index.ts';

export type Fault = 'eio' | 'enospc';

export class FaultyReplica implements BlockReplica {
  readonly inner: FsBlockstore;
  /** Writes that succeed before every later one fails (Infinity: never fail). */
  failWritesAfter = Number.POSITIVE_INFINITY;
  fault: Fault = 'eio';
  /** While set, writes wait for it before going to disk. */
  gate: Promise<void> | undefined;
  /** The sync option of every write, in order, and the options of every syncBlocks call. */
  readonly writeModes: (string | undefined)[] = [];
  readonly syncCalls: { count: number; directoriesOnly: boolean }[] = [];
  writes = 0;

  constructor(location: string) {
    this.inner = new FsBlockstore(location);
  }

  get path(): string {
    return this.inner.path;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  async writeVerifiedBlock(cid: CID, block: Uint8Array, options?: BlockWriteOptions) {
    this.writeModes.push(options?.sync);
    await this.gate;
    if (this.writes >= this.failWritesAfter) throw faultError(this.fault);
    this.writes++;
    return this.inner.writeVerifiedBlock(cid, block, options);
  }

  syncBlocks(blocks: Iterable<CID | WrittenBlock>, options: { directoriesOnly?: boolean } = {}) {
    const list = [...blocks];
    this.syncCalls.push({ count: list.length, directoriesOnly: options.directoriesOnly === true });
    return this.inner.syncBlocks(list, options);
  }

  readUnverified(cid: CID) {
    return this.inner.readUnverified(cid);
  }

  has(cid: CID) {
    return this.inner.has(cid);
  }

  delete(cid: CID) {
    return this.inner.delete(cid);
  }

  listBlocks() {
    return this.inner.listBlocks();
  }

  removeTempFiles() {
    return this.inner.removeTempFiles();
  }
}

/** What node:fs throws for these conditions (the same shape: a message and an errno code). */
function faultError(fault: Fault): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException =
    fault === 'enospc'
      ? new Error('ENOSPC: no space left on device, write')
      : new Error('EIO: i/o error, write');
  error.code = fault === 'enospc' ? 'ENOSPC' : 'EIO';
  return error;
}
