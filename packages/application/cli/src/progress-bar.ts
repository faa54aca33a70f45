import type { OnProgress } from '@aegle/sdk';
import type { CliContext } from './context.ts';

const WIDTH = 30;

function mb(bytes: number): string {
  return (bytes / 1_048_576).toFixed(1);
}

/**
 * A progress bar on stderr, on a terminal only: piped output gets nothing extra. Redrawn at most
 * ten times a second; `done` clears the line.
 */
export function progressBar(
  ctx: CliContext,
  label: string,
): { onProgress: OnProgress | undefined; done(): void } {
  if (!ctx.io.isTTY || ctx.options.json) return { onProgress: undefined, done() {} };
  let last = 0;
  let drawn = false;
  return {
    onProgress({ bytesDone, totalBytes }) {
      const now = Date.now();
      if (now - last < 100 && bytesDone !== totalBytes) return;
      last = now;
      drawn = true;
      const line =
        totalBytes === undefined || totalBytes === 0
          ? `${label} ${mb(bytesDone)} MB`
          : (() => {
              const f = Math.min(1, bytesDone / totalBytes);
              const filled = Math.round(f * WIDTH);
              return `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${mb(bytesDone)}/${mb(totalBytes)} MB`;
            })();
      ctx.io.stderr.write(`\r${line}`);
    },
    done() {
      if (drawn) ctx.io.stderr.write('\r\x1b[2K');
    },
  };
}
