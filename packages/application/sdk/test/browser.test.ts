// The SDK in a real browser: bundled for browsers with esbuild (so @aegle/crypto's WebCrypto
// implementations and @aegle/storage's browser-safe hashing are the ones that run), loaded by
// Chromium (Debian's, driven by playwright-core), against a real node on an embedded chain.
// The page comes from its own origin, as a web app served from anywhere but the node would, and
// calls the node cross-origin: the node allows that origin (CORS), and Chromium enforces the
// rest. Skipped, with the reason, where no Chromium is installed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningNode, startNode } from '@aegle/node';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import type { JourneyResult } from './browser/journey.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

let dir: string;
let node: RunningNode;
let server: ReturnType<typeof createServer>;
let origin: string;
let browser: Browser;

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'aegle-sdk-browser-'));
  const bundle = await build({
    entryPoints: [join(import.meta.dirname, 'browser', 'journey.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  // Anything the page bundles from a node:* module would fail here, at build time.
  assert.ok(script.length > 0);
  const page =
    '<!doctype html><meta charset="utf-8"><script type="module" src="/journey.js"></script>';
  // The web app's own server: the page and its script, nothing of the node's API.
  server = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    else if (req.url === '/journey.js')
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  origin = `http://127.0.0.1:${address.port}`;
  node = await startNode({
    dataDir: join(dir, 'node'),
    port: 0,
    logFile: false,
    allowedOrigins: [origin],
  });
  // Two origins: the same host on another port is another origin to a browser.
  assert.notEqual(new URL(node.url).origin, origin);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  if (skip) return;
  await browser?.close();
  server?.close();
  await node?.close();
  await rm(dir, { recursive: true, force: true });
});

test('in Chromium, a patient writes, reads back byte-exact and verifies a record; a stranger is refused', {
  skip,
  timeout: 120_000,
}, async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(origin);
  await page.waitForFunction(() => 'runJourney' in globalThis);
  const config = {
    baseUrl: node.url,
    deployment: node.chain.deployment,
    rpcUrl: node.chain.rpcUrl,
  };
  const result = (await page.evaluate(
    (c) =>
      (globalThis as unknown as { runJourney: (c: unknown) => Promise<unknown> }).runJourney(c),
    config,
  )) as JourneyResult;
  assert.deepEqual(errors, []);
  assert.equal(result.bytes, 2.5 * 1024 * 1024);
  assert.equal(result.sameBytes, true);
  assert.equal(result.verified, 'verified');
  assert.equal(result.wrongAccountError, 'NotGrantedError');
  await page.close();
});
