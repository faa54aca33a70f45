import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Address } from '@aegle/crypto';
import { type AegleClient, IntegrityError } from '@aegle/sdk';
import { chunkFixedSize } from '@aegle/storage/unixfs';
import {
  ARCHIVE_CHUNK_BYTES,
  ARCHIVE_VERSION,
  type ArchiveHeader,
  type ArchiveRecord,
} from './archive-format.ts';
import { listVisibleRecords } from './committed-records.ts';
import { ArchivePatientError } from './errors.ts';

/**
 * Writes the patient's visible records (committed imports and records outside imports) to `out`
 * as a portable archive: each record's ciphertext, signed entry, encrypted metadata and data key
 * wrapped for the patient, exactly as the node holds them. Only the patient holds the key that
 * opens it, so only the patient may make one (a guardian's wrapped key is its own).
 * Each ciphertext is streamed in lines of `chunkBytes` (default 1 MiB), so a record of any size
 * passes in constant memory.
 */
export async function writeArchive(
  client: AegleClient,
  patient: Address,
  out: string,
  onProgress?: (done: number, total: number) => void,
  chunkBytes: number = ARCHIVE_CHUNK_BYTES,
): Promise<{ count: number }> {
  if (client.address.toLowerCase() !== patient.toLowerCase()) throw new ArchivePatientError(out);
  const { records } = await listVisibleRecords(client, patient);
  let chunkSize: number | undefined;
  try {
    chunkSize = (await client.info()).chunkSize;
  } catch {
    chunkSize = undefined;
  }
  const header: ArchiveHeader = {
    format: 'aegle-archive',
    version: ARCHIVE_VERSION,
    patient,
    deployment: {
      chainId: client.deployment.chainId,
      records: client.deployment.contracts.records,
    },
    ...(chunkSize !== undefined && { chunkSize }),
    createdAt: new Date().toISOString(),
    count: records.length,
  };
  const stream = createWriteStream(out, { mode: 0o600 });
  const write = async (line: string) => {
    if (!stream.write(`${line}\n`)) await once(stream, 'drain');
  };
  try {
    await write(JSON.stringify(header));
    let done = 0;
    for (const { record } of records) {
      const [{ entry }, view, content] = await Promise.all([
        client.transport.proof(record.recordId),
        client.transport.get(record.recordId),
        client.transport.read(record.recordId),
      ]);
      if (!content.wrappedKey || !view.record.metadata) throw new ArchivePatientError(out);
      const ciphertextSize = content.size ?? record.size;
      const line: ArchiveRecord = {
        record: {
          recordId: record.recordId,
          patient: record.patient,
          creator: record.creator,
          category: record.category,
          cid: record.cid,
          size: record.size,
          createdAt: record.createdAt,
        },
        entry: Object.fromEntries(
          Object.entries(entry).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
        ) as Record<string, string>,
        wrappedKey: content.wrappedKey,
        metadata: Buffer.from(view.record.metadata).toString('base64'),
        ciphertextSize,
        chunks: Math.ceil(ciphertextSize / chunkBytes),
      };
      await write(JSON.stringify(line));
      let written = 0;
      for await (const chunk of chunkFixedSize(content.ciphertext, chunkBytes)) {
        // (An empty stream gives one empty chunk, which is no line: zero bytes are zero chunks.)
        if (chunk.length === 0) continue;
        written += chunk.length;
        if (written > ciphertextSize) break;
        const base64 = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('base64');
        await write(JSON.stringify(base64));
      }
      // The node sent more or fewer bytes than the record holds: no archive of a cut record.
      if (written !== ciphertextSize) throw new IntegrityError('truncated');
      onProgress?.(++done, records.length);
    }
  } catch (error) {
    // A partial archive would restore a partial patient: leave none.
    stream.destroy();
    await rm(out, { force: true });
    throw error;
  }
  stream.end();
  await once(stream, 'close');
  return { count: records.length };
}
