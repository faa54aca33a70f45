// Public API of @aegle/cli: the in-process entry point (tests and embedding) and the file key store.
export { type CliIo, DEFAULT_NODE_PORT } from './context.ts';
export { FileKeyStore } from './identity/file-key-store.ts';
export { runCli } from './run-cli.ts';
