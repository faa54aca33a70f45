#!/usr/bin/env node
// The `aegle` command's entry, in plain JavaScript so that it can turn on Node's compile cache
// before the first TypeScript module loads: later runs then reuse each module as stripped and
// compiled, instead of loading the type stripper again (about 20 MB of resident memory per
// process, and start-up time). Everything else is in ../src (bin.ts, run-cli.ts).
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// libuv reads UV_THREADPOOL_SIZE once, when its thread pool first starts, so before any module
// does file or crypto work. A node writes every block to two replicas with synchronous writes,
// each holding a pool thread until the disk answers; 4 threads (the default) leave the disk idle
// between them. An operator's own setting wins.
process.env.UV_THREADPOOL_SIZE ??= '16';
// In NODE_COMPILE_CACHE, by default the OS temp directory; a cache that cannot be written is only
// a slower start. Set in the environment too: worker threads (the node's audit journal and Merkle
// batches) read it there, and each saves its own type stripper (some 12 MB) the same way.
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'node-compile-cache');
module.enableCompileCache?.(process.env.NODE_COMPILE_CACHE);
await import('../src/bin.ts');
