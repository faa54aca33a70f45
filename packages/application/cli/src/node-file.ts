import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClientDeployment } from '@aegle/sdk';

/**
 * What `aegle node start` leaves in AEGLE_HOME while it runs, so other commands on this machine
 * find the node, its chain and the contracts without flags. All of it is public.
 */
export type NodeFile = {
  url: string;
  rpcUrl: string;
  dataDir: string;
  pid: number;
  mode: 'embedded' | 'external';
  deployment: ClientDeployment;
};

export const nodeFilePath = (home: string) => join(home, 'node.json');

/** The running local node's file; a file left by a node that died (kill -9) is ignored. */
export async function readNodeFile(home: string): Promise<NodeFile | undefined> {
  let file: NodeFile;
  try {
    file = JSON.parse(await readFile(nodeFilePath(home), 'utf8')) as NodeFile;
  } catch {
    return undefined;
  }
  return isAlive(file.pid) ? file : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function writeNodeFile(home: string, file: NodeFile): Promise<void> {
  await writeFile(nodeFilePath(home), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o644 });
}

/** Removes the file if it still names this process (another node may have replaced it). */
export async function removeNodeFile(home: string, pid: number): Promise<void> {
  const file = await readNodeFile(home);
  if (file?.pid === pid) await rm(nodeFilePath(home), { force: true });
}
