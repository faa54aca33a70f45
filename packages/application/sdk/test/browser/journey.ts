// Runs in Chromium (bundled by browser.test.ts with esbuild for the browser): the SDK as a web
// app uses it, with WebCrypto, the browser's fetch and no node:* module anywhere.
import { createAccount } from '@aegle/crypto';
import { type ClientDeployment, createAegleClient, createHttpTransport } from '../../src/index.ts';

export type JourneyResult = {
  recordId: string;
  bytes: number;
  sameBytes: boolean;
  verified: string;
  wrongAccountError: string;
};

/** A stream's bytes, joined the browser's way (a Blob). */
async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return new Uint8Array(await new Blob(parts).arrayBuffer());
}

/** A patient signs in, registers, writes a record of several leaves, reads it back, verifies it. */
async function runJourney({
  baseUrl,
  ...config
}: {
  /** The page's origin, where the node's API is. */
  baseUrl: string;
  deployment: ClientDeployment;
  rpcUrl: string;
}): Promise<JourneyResult> {
  const account = createAccount();
  const transport = createHttpTransport({ baseUrl });
  const client = createAegleClient({ account, transport, ...config });
  await client.signIn();
  await client.register('patient');
  // 2.5 MiB: three UnixFS leaves, many encryption segments (getRandomValues gives 64 KiB a call).
  const content = new Uint8Array(2.5 * 1024 * 1024);
  for (let i = 0; i < content.length; i += 65_536) {
    crypto.getRandomValues(content.subarray(i, i + 65_536));
  }
  const record = await client.addRecord({
    category: 'Imaging',
    content,
    metadata: { contentType: 'application/octet-stream', fileName: 'scan.bin' },
  });
  const back = await collect(client.readRecord(record.recordId));
  let verified = 'pending';
  for (let i = 0; i < 200 && verified !== 'verified'; i++) {
    verified = (await client.verifyRecord(record.recordId)).anchor.status;
    if (verified !== 'verified') await new Promise((r) => setTimeout(r, 50));
  }
  // Someone else, signed in, is refused the record: the node enforces it, not this page.
  const stranger = createAegleClient({
    account: createAccount(),
    transport: createHttpTransport({ baseUrl }),
    ...config,
  });
  await stranger.signIn();
  let wrongAccountError = 'none';
  try {
    await collect(stranger.readRecord(record.recordId));
  } catch (error) {
    wrongAccountError = (error as Error).name;
  }
  return {
    recordId: record.recordId,
    bytes: back.length,
    sameBytes: back.length === content.length && back.every((b, i) => b === content[i]),
    verified,
    wrongAccountError,
  };
}

(globalThis as unknown as { runJourney: typeof runJourney }).runJourney = runJourney;
