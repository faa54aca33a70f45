// Benchmark support: a disk at rest before a measured phase.
import { spawnSync } from 'node:child_process';

/**
 * Flushes what the file systems hold dirty (`sync`) before a measured phase, so that it does not
 * pay for an earlier benchmark's writeback, or for the discards of the files it deleted (ext4
 * mounted with `discard` issues them at its next journal commit: the first fsync of the phase).
 */
export function settleDisk(): void {
  spawnSync('sync', { stdio: 'ignore' });
}
