import type { CliContext } from '../context.ts';

/**
 * A record counter on stderr, on a terminal only (piped or --json output gets nothing extra).
 * Redrawn at most ten times a second; `done` clears the line.
 */
export function importProgress(
  ctx: CliContext,
  label: string,
): { onProgress: ((done: number, total: number) => void) | undefined; done(): void } {
  if (!ctx.io.isTTY || ctx.options.json) return { onProgress: undefined, done() {} };
  let last = 0;
  let drawn = false;
  return {
    onProgress(done, total) {
      const now = Date.now();
      if (now - last < 100 && done !== total) return;
      last = now;
      drawn = true;
      ctx.io.stderr.write(`\r${label} ${done}/${total} records`);
    },
    done() {
      if (drawn) ctx.io.stderr.write('\r\x1b[2K');
    },
  };
}
