import { open } from 'node:fs/promises';

/** fdatasync of a file by name: its bytes (and the size and allocation that read them) are on disk. */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** fsync on a directory makes the names created or renamed in it durable (POSIX, ext4, xfs). */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
