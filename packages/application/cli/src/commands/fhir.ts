import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Resource } from '@aegle/fhir';
import { type Command, stringOption } from '../command.ts';
import { FhirInvalidError, UsageError } from '../errors.ts';
import type { ImportedFile } from '../fhir/import-file.ts';
import { importFiles } from '../fhir/import-files.ts';
import { importProgress } from '../fhir/import-progress.ts';
import { writeArchive } from '../fhir/write-archive.ts';
import { createSdkFhirSource } from '../sdk-fhir-source.ts';
import { addressOf, openSession } from '../session.ts';

export const fhirValidate: Command = {
  path: 'fhir validate',
  summary: 'validate a FHIR R4 resource (JSON); prints the OperationOutcome',
  usage: 'FILE',
  positionals: { min: 1, max: 1 },
  async run(ctx, args) {
    const { validateResource } = await import('@aegle/fhir');
    const result = validateResource(await readFile(args.positionals[0] as string, 'utf8'));
    if (!result.valid) {
      ctx.io.stdout.write(
        `${JSON.stringify(result.outcome, null, ctx.options.json ? undefined : 2)}\n`,
      );
      throw new FhirInvalidError(result.outcome);
    }
    ctx.print(result.outcome, 'valid FHIR R4');
  },
};

export const importFile: Command = {
  path: 'import',
  summary:
    'convert files (FHIR, HL7 v2, DICOM, VCF, device data) to FHIR, or restore Aegle archives, and store one record per resource, all or nothing per file',
  usage: 'FILE... --patient NAME --as WRITER [--utc-offset +HH:MM]',
  options: { patient: { type: 'string' }, 'utc-offset': { type: 'string' } },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  async run(ctx, args) {
    const files = args.positionals;
    const session = await openSession(ctx);
    const patientName = stringOption(args, 'patient');
    const patient = patientName ? await addressOf(ctx, patientName) : session.patient;
    const utcOffset = stringOption(args, 'utc-offset');
    const progress = importProgress(
      ctx,
      files.length === 1
        ? `importing ${basename(files[0] as string)}`
        : `importing ${files.length} files`,
    );
    let imported: ImportedFile[];
    try {
      imported = await importFiles(session.client, session.account, patient, files, {
        ...(utcOffset !== undefined && { utcOffset }),
        ...(progress.onProgress && { onProgress: progress.onProgress }),
      });
    } finally {
      progress.done();
    }
    const summaries = imported.map((done, i) => importSummary(files[i] as string, done));
    if (summaries.length === 1) {
      const [only] = summaries as [ImportSummary];
      ctx.print(only.json, only.text);
      return;
    }
    ctx.print(
      summaries.map((s) => s.json),
      () => summaries.map((s) => s.text()).join('\n'),
    );
  },
};

type ImportSummary = { json: Record<string, unknown>; text: () => string };

/** What `aegle import` prints of one imported file. */
function importSummary(file: string, done: ImportedFile): ImportSummary {
  const records = done.records.map((r) => ({
    id: r.recordId,
    resourceType: r.resourceType,
    fhirId: r.fhirId,
  }));
  const attachments = done.attachments.map((a) => ({
    id: a.recordId,
    name: a.name,
    size: a.record.size,
  }));
  return {
    json: {
      file,
      format: done.format,
      importId: done.importId,
      manifest: done.manifest.recordId,
      records,
      attachments,
      skipped: done.skipped,
    },
    text: () =>
      [
        `imported ${records.length} resource(s) and ${attachments.length} other record(s) from ${file} (${done.format})`,
        ...records.map((r) => `${r.id}\t${r.resourceType}/${r.fhirId}`),
        ...attachments.map((a) => `${a.id}\t${a.name ?? ''}`),
        ...done.skipped.map((s) => `skipped: ${s}`),
      ].join('\n'),
  };
}

export const exportBundle: Command = {
  path: 'export',
  summary:
    "a patient's FHIR resources as one Bundle ($everything), decrypted here; or, with --archive, a portable encrypted archive another node can import",
  usage: '[--patient NAME] [--out FILE | --archive FILE] --as NAME',
  options: { patient: { type: 'string' }, out: { type: 'string' }, archive: { type: 'string' } },
  async run(ctx, args) {
    const session = await openSession(ctx);
    const patientName = stringOption(args, 'patient');
    const patient = patientName ? await addressOf(ctx, patientName) : session.patient;
    const archive = stringOption(args, 'archive');
    if (archive) {
      if (stringOption(args, 'out')) {
        throw new UsageError('--out and --archive exclude each other', 'pass one of them');
      }
      const progress = importProgress(ctx, 'archiving');
      let count: number;
      try {
        ({ count } = await writeArchive(session.client, patient, archive, progress.onProgress));
      } finally {
        progress.done();
      }
      ctx.print(
        { archive, count },
        `wrote ${count} encrypted record(s) to ${archive}; \`aegle import ${archive} --patient NAME\` restores them on any node`,
      );
      return;
    }
    const source = createSdkFhirSource(session.client, patient);
    const entry: { fullUrl: string; resource: Resource }[] = [];
    for await (const stored of source.listResources({})) {
      entry.push({
        fullUrl: `${stored.resource.resourceType}/${stored.resource.id}`,
        resource: {
          ...stored.resource,
          meta: {
            ...((stored.resource.meta as object | undefined) ?? {}),
            versionId: stored.versionId,
            lastUpdated: stored.lastUpdated.toISOString(),
          },
        },
      });
    }
    const bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: entry.length,
      timestamp: new Date().toISOString(),
      entry,
    };
    const text = `${JSON.stringify(bundle, null, 2)}\n`;
    const out = stringOption(args, 'out');
    if (out) {
      await writeFile(out, text, { mode: 0o600 });
      ctx.print({ out, total: entry.length }, `wrote ${entry.length} resource(s) to ${out}`);
    } else {
      ctx.io.stdout.write(text);
    }
  },
};

export const fhirServe: Command = {
  path: 'fhir serve',
  summary:
    "a local FHIR R4 server over a patient's records (decrypted here, in memory); Ctrl-C stops it",
  usage: '--as NAME [--on-behalf-of PATIENT] [--port P]',
  options: { port: { type: 'string' } },
  async run(ctx, args) {
    const { createFhirServer } = await import('@aegle/fhir');
    const session = await openSession(ctx);
    const port = Number(stringOption(args, 'port') ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new UsageError(`--port ${stringOption(args, 'port')} is not a port`, 'use 0 to 65535');
    }
    const server = await createFhirServer({
      source: createSdkFhirSource(session.client, session.patient),
      port,
    });
    ctx.print(
      { url: server.url, patient: session.patient },
      `FHIR R4 server for ${ctx.options.onBehalfOf ?? session.identity.name} on ${server.url}; Ctrl-C to stop`,
    );
    try {
      await (ctx.io.waitForStop ?? (() => new Promise<void>(() => {})))();
    } finally {
      await server.close();
    }
  },
};
