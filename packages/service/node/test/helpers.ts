import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { ObjectStore } from '@aegle/storage';
import type { PutBatchObject } from '../src/ports.ts';

/** A fresh temp dir, removed when the test ends. */
export async function tempDir(t: TestContext, prefix = 'aegle-node-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  // Retries cover a writer that is still closing when the hook runs (hooks run in registration order).
  t.after(() => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }));
  return dir;
}

/** Polls `condition` until it holds; throws after `timeoutMs` (a hang guard, not a speed check). */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Batch lists stored in a real ObjectStore, as the node does. */
export function putInto(store: ObjectStore, account = 'node'): PutBatchObject {
  return async (bytes) =>
    (await store.put({ account, size: bytes.length, source: [bytes] })).cid.toString();
}

export async function openStore(t: TestContext, dir: string): Promise<ObjectStore> {
  const store = await ObjectStore.open(dir, { replicationFactor: 1 });
  t.after(() => store.close().catch(() => {}));
  return store;
}
