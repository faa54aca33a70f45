import { join } from 'node:path';
import { type Command, stringOption } from '../command.ts';
import { ScrubUnrecoverableError } from '../errors.ts';
import { openSession } from '../session.ts';
import { operatorDataDir } from './node.ts';

function mb(bytes: unknown): string {
  return typeof bytes === 'number' ? `${(bytes / 1_048_576).toFixed(1)} MB` : '?';
}

export const storeUsage: Command = {
  path: 'store usage',
  summary: 'your storage use and quota on the node',
  usage: '--as NAME',
  async run(ctx) {
    const session = await openSession(ctx);
    const response = await fetch(new URL('/accounts/me', session.node.url), {
      headers: { authorization: `Bearer ${session.transport.token}`, accept: 'application/json' },
    });
    const body = (await response.json()) as Record<string, unknown>;
    const quota = (body.quota ?? body.storage ?? body) as Record<string, unknown>;
    ctx.print(body, () => `${session.identity.name}: ${mb(quota.used)} used of ${mb(quota.limit)}`);
  },
};

export const storeScrub: Command = {
  path: 'store scrub',
  summary:
    'operator: re-hash every stored block on every replica and repair from good copies (node stopped)',
  usage: '[--data-dir D]',
  options: { 'data-dir': { type: 'string' } },
  async run(ctx, args) {
    const dir = join(await operatorDataDir(ctx, stringOption(args, 'data-dir')), 'store');
    // Loaded here: only the operator's scrub needs the storage engine.
    const { ObjectStore } = await import('@aegle/storage');
    // Opening takes the store's lock: a running node holds it, and the scrub then refuses.
    const store = await ObjectStore.open(dir);
    try {
      const report = await store.scrub();
      const out = {
        checked: report.checked,
        repaired: report.repaired,
        unrecoverable: report.unrecoverable.map(String),
        reclaimed: report.reclaimed,
      };
      ctx.print(
        out,
        `checked ${out.checked} block(s), repaired ${out.repaired} copy(ies), ${out.unrecoverable.length} unrecoverable, ${out.reclaimed} unused block(s) deleted`,
      );
      if (out.unrecoverable.length > 0) throw new ScrubUnrecoverableError(out.unrecoverable.length);
    } finally {
      await store.close();
    }
  },
};
