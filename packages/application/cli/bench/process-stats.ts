// Benchmark support: what a process has cost, read from Linux /proc.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system, all threads) a process has used, in clock ticks of 10 ms. */
export function cpuSeconds(pid: number | 'self'): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** User and system CPU seconds of a process, per thread name (threads of one name summed). */
export function cpuByThread(pid: number | 'self'): Map<string, { user: number; system: number }> {
  const threads = new Map<string, { user: number; system: number }>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const sum = threads.get(name) ?? { user: 0, system: 0 };
    sum.user += Number(fields[11]) / 100;
    sum.system += Number(fields[12]) / 100;
    threads.set(name, sum);
  }
  return threads;
}

/** What each thread name used between two `cpuByThread` readings, e.g. `libuv-worker u0.00 s1.05`. */
export function threadCpuSince(
  before: Map<string, { user: number; system: number }>,
  after: Map<string, { user: number; system: number }>,
): string {
  const parts: string[] = [];
  for (const [name, t] of after) {
    const b = before.get(name) ?? { user: 0, system: 0 };
    const user = t.user - b.user;
    const system = t.system - b.system;
    if (user + system >= 0.02) parts.push(`${name} u${user.toFixed(2)} s${system.toFixed(2)}`);
  }
  return parts.join(', ');
}

/**
 * A process's read and write system calls so far (`syscr`, `syscw` of /proc/PID/io: read, pread,
 * write, pwrite and the like, on files and sockets alike). Unlike CPU time, a count per record
 * does not move with the machine's speed: SQLite writes each WAL frame with two of them.
 */
export function ioCalls(pid: number | 'self'): { reads: number; writes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1]);
  return { reads: field('syscr'), writes: field('syscw') };
}
