// Imported first by bin.ts, so it runs before any module starts file or crypto work: libuv reads
// UV_THREADPOOL_SIZE once, when its thread pool first starts. A node writes every block to two
// replicas with synchronous writes, each holding a pool thread until the disk answers; 4 threads
// (the default) leave the disk idle between them. An operator's own setting wins.
process.env.UV_THREADPOOL_SIZE ??= '16';
