import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningNode, startNode } from '@aegle/node';
import { writeNodeFile } from '../src/node-file.ts';
import { aegle } from './run-cli.testing.ts';

export type CliNode = {
  home: string;
  env: Record<string, string>;
  node: RunningNode;
  close(): Promise<void>;
};

/**
 * A real embedded node in a fresh AEGLE_HOME, announced in its node.json as `aegle node start`
 * would, with a patient identity `alice` already created and registered.
 */
export async function startCliNode(prefix: string): Promise<CliNode> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  const env = { AEGLE_HOME: home, AEGLE_PASSPHRASE: 'a long test passphrase' };
  const node = await startNode({ dataDir: join(home, 'node'), port: 0, logFile: false });
  const d = node.chain.deployment;
  await writeNodeFile(home, {
    url: node.url,
    rpcUrl: node.chain.rpcUrl,
    dataDir: join(home, 'node'),
    pid: process.pid,
    mode: 'embedded',
    deployment: { chainId: d.chainId, deployedAtBlock: d.deployedAtBlock, contracts: d.contracts },
  });
  const created = await aegle(env, 'account', 'create', '--name', 'alice', '--role', 'patient');
  assert.equal(created.code, 0, created.stderr);
  return {
    home,
    env,
    node,
    async close() {
      await node.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
