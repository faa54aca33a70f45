import { open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { StoreInUseError } from './errors.ts';

const LOCK_FILE = 'LOCK';

/**
 * Makes this process the only one using a data directory. Opening a store rolls back every upload
 * it finds pending, so a second process opening the same directory would delete the blocks of the
 * first one's uploads in flight. The lock file holds the owner's pid; a lock whose process is gone
 * (killed, crashed) is taken over, so a crash never needs manual cleanup.
 */
export async function acquireStoreLock(dir: string): Promise<{ release(): Promise<void> }> {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => unlink(file).catch(() => {}) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new StoreInUseError(dir, owner);
    }
    // Stale (its process is gone) or unreadable (a crash while writing it): take it over.
    await unlink(file).catch(() => {});
  }
  throw new StoreInUseError(dir, undefined);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
