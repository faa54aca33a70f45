import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openRotatingLog } from './rotating-log.ts';

/** Lets the log's write streams flush (they write asynchronously). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

test('a log past its cap becomes .1 and a new file starts; the newest lines stay in the log', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aegle-rotating-log-'));
  try {
    const path = join(dir, 'anvil.log');
    const log = openRotatingLog(path, 100);
    for (let i = 0; i < 25; i++) log.write(`line ${String(i).padStart(2, '0')}\n`); // 8 bytes each
    log.end();
    await settle();
    const current = await readFile(path, 'utf8');
    const older = await readFile(`${path}.1`, 'utf8');
    assert.ok(current.endsWith('line 24\n'));
    assert.ok((await stat(path)).size <= 100);
    assert.ok((await stat(`${path}.1`)).size <= 100);
    // Consecutive: .1 ends where the current log begins (older generations are dropped).
    const first = Number(current.slice(5, 7));
    assert.ok(older.endsWith(`line ${String(first - 1).padStart(2, '0')}\n`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a log already over its cap when opened is rotated before the first write', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aegle-rotating-log-'));
  try {
    const path = join(dir, 'anvil.log');
    await writeFile(path, 'x'.repeat(150));
    const log = openRotatingLog(path, 100);
    log.write('fresh\n');
    log.end();
    await settle();
    assert.equal(await readFile(path, 'utf8'), 'fresh\n');
    assert.equal((await readFile(`${path}.1`, 'utf8')).length, 150);
    // Under the cap: appended to, not rotated.
    const again = openRotatingLog(path, 100);
    again.write('more\n');
    again.end();
    await settle();
    assert.equal(await readFile(path, 'utf8'), 'fresh\nmore\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
