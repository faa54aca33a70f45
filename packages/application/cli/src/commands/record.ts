import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { IntegrityError, labelText, type RecordMetadata, type RecordSummary } from '@aegle/sdk';
import type { Hex } from 'viem';
import { type Command, stringOption } from '../command.ts';
import { FhirInvalidError, UsageError } from '../errors.ts';
import { progressBar } from '../progress-bar.ts';
import { addressOf, namesByAddress, openSession } from '../session.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.dcm': 'application/dicom',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.xml': 'application/xml',
  '.hl7': 'x-application/hl7-v2+er7',
};
/** FHIR resources are small; a larger file is treated as a plain file without parsing it. */
const MAX_FHIR_BYTES = 16 * 1024 * 1024;

/** A record id as given: 0x and 64 hex digits. */
export function recordIdOf(text: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text)) {
    throw new UsageError(
      `"${text}" is not a record id`,
      'use the 0x… id that `aegle record list` prints',
    );
  }
  return text.toLowerCase() as Hex;
}

/** Reads a file's head to tell a FHIR resource (JSON with a resourceType) from any other file. */
async function fhirResourceOf(
  file: string,
  size: number,
): Promise<Record<string, unknown> | undefined> {
  if (size > MAX_FHIR_BYTES) return undefined;
  const handle = await open(file);
  try {
    const first = Buffer.alloc(1);
    await handle.read(first, 0, 1, 0);
    if (first.toString() !== '{') return undefined;
    const text = (await handle.readFile()).toString('utf8');
    const json = JSON.parse(text) as unknown;
    if (
      json &&
      typeof json === 'object' &&
      typeof (json as { resourceType?: unknown }).resourceType === 'string'
    ) {
      return json as Record<string, unknown>;
    }
  } catch {
    // Not JSON: a plain file.
  } finally {
    await handle.close();
  }
  return undefined;
}

function summary(record: RecordSummary, name: (a: string) => string) {
  return {
    id: record.recordId,
    patient: record.patient,
    patientName: name(record.patient),
    creator: record.creator,
    creatorName: name(record.creator),
    category: labelText(record.category),
    size: record.size,
    cid: record.cid,
    createdAt: new Date(record.createdAt).toISOString(),
    anchor: record.anchor.state,
  };
}

export const recordAdd: Command = {
  path: 'record add',
  summary: "encrypt a file (or a FHIR resource) on this machine and store it as a patient's record",
  usage: 'FILE --patient NAME [--category C] [--content-type T] --as WRITER',
  options: {
    patient: { type: 'string' },
    category: { type: 'string' },
    'content-type': { type: 'string' },
  },
  positionals: { min: 1, max: 1 },
  async run(ctx, args) {
    const file = args.positionals[0] as string;
    const { size } = await stat(file);
    const resource = await fhirResourceOf(file, size);
    if (resource) {
      // Loaded only for FHIR input: the R4 definitions take a moment to load.
      const { validateResource } = await import('@aegle/fhir');
      const result = validateResource(resource);
      if (!result.valid) throw new FhirInvalidError(result.outcome);
    }
    const session = await openSession(ctx);
    const patientName = stringOption(args, 'patient');
    const patient = patientName ? await addressOf(ctx, patientName) : session.patient;
    const category =
      stringOption(args, 'category') ?? (resource ? String(resource.resourceType) : 'Document');
    const metadata: RecordMetadata = {
      fileName: basename(file),
      contentType:
        stringOption(args, 'content-type') ??
        (resource
          ? 'application/fhir+json'
          : (CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')),
      ...(resource && { resourceType: String(resource.resourceType) }),
    };
    const bar = progressBar(ctx, 'upload');
    let record: RecordSummary;
    try {
      record = await session.client.addRecord({
        patient,
        category,
        content: createReadStream(file, { highWaterMark: 1 << 20 }),
        size,
        metadata,
        ...(bar.onProgress && { onProgress: bar.onProgress }),
      });
    } finally {
      bar.done();
    }
    const out = summary(record, await namesByAddress(ctx));
    ctx.print(out, `${out.id}\t${out.category}\t${size} bytes for ${out.patientName}`);
  },
};

export const recordGet: Command = {
  path: 'record get',
  summary: 'fetch, verify and decrypt a record (to --out, or stdout)',
  usage: 'ID [--out FILE] --as READER',
  options: { out: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(ctx, args) {
    const recordId = recordIdOf(args.positionals[0] as string);
    const out = stringOption(args, 'out');
    const session = await openSession(ctx);
    const bar = progressBar(ctx, 'download');
    const stream = session.client.readRecord(
      recordId,
      bar.onProgress ? { onProgress: bar.onProgress } : {},
    );
    // The plaintext goes to a temporary file renamed only once the whole record verified: a
    // failed check leaves nothing that could be taken for the record (docs/KEYS.md).
    const temp = out ? join(dirname(out), `.${basename(out)}.${process.pid}.part`) : undefined;
    let size = 0;
    try {
      const counted = (async function* () {
        for await (const chunk of stream) {
          size += chunk.length;
          yield chunk;
        }
      })();
      if (temp) await pipeline(Readable.from(counted), createWriteStream(temp, { mode: 0o600 }));
      else await pipeline(Readable.from(counted), ctx.io.stdout, { end: false });
    } catch (error) {
      if (temp) await rm(temp, { force: true });
      throw error;
    } finally {
      bar.done();
    }
    if (temp && out) {
      await rename(temp, out);
      ctx.print({ id: recordId, out, size }, `wrote ${size} bytes to ${out}`);
    }
  },
};

export const recordList: Command = {
  path: 'record list',
  summary: "a patient's records (the patient's own, or as their guardian)",
  usage: '[--patient NAME] --as NAME',
  options: { patient: { type: 'string' } },
  async run(ctx, args) {
    const session = await openSession(ctx);
    const patientName = stringOption(args, 'patient');
    const patient = patientName ? await addressOf(ctx, patientName) : session.patient;
    const name = await namesByAddress(ctx);
    const records = (await session.client.listRecords({ patient })).map((r) => summary(r, name));
    ctx.print(records, () =>
      records
        .map(
          (r) => `${r.id}\t${r.category}\t${r.size}\t${r.createdAt}\t${r.creatorName}\t${r.anchor}`,
        )
        .join('\n'),
    );
  },
};

export const recordVerify: Command = {
  path: 'record verify',
  summary: "check a record's signed entry and its anchor against the chain",
  usage: 'ID [--wait] --as NAME',
  options: { wait: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(ctx, args) {
    const recordId = recordIdOf(args.positionals[0] as string);
    const session = await openSession(ctx);
    let result = await session.client.verifyRecord(recordId);
    const deadline = Date.now() + 180_000;
    while (args.values.wait && result.anchor.status === 'pending' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      result = await session.client.verifyRecord(recordId);
    }
    const out = {
      id: recordId,
      signature: result.signature,
      anchor: result.anchor.status,
      ...(result.anchor.reason && { reason: result.anchor.reason }),
      ...(result.anchor.batchId !== undefined && { batchId: Number(result.anchor.batchId) }),
      ...(result.anchor.root && { root: result.anchor.root }),
      ...(result.anchor.txHash && { txHash: result.anchor.txHash }),
      creator: result.creator,
      contentRoot: result.contentRoot,
    };
    ctx.print(out, () =>
      result.anchor.status === 'verified'
        ? `verified: signed by its creator ${result.creator}, in batch ${out.batchId} (root ${out.root}) on chain`
        : result.anchor.status === 'pending'
          ? 'signature valid; anchor pending (the node has not committed its batch yet): run again, or add --wait'
          : `INVALID: ${result.anchor.reason}`,
    );
    if (result.anchor.status === 'invalid') {
      throw new IntegrityError('bad-entry');
    }
  },
};
