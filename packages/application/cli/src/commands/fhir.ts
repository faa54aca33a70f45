import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { Resource } from '@aegle/fhir';
import { type Command, stringOption } from '../command.ts';
import { FhirInvalidError, UsageError } from '../errors.ts';
import { addResource, createSdkFhirSource } from '../sdk-fhir-source.ts';
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
    'convert a file (FHIR, HL7 v2, DICOM, VCF, device data) to FHIR and store one record per resource',
  usage: 'FILE --patient NAME --as WRITER',
  options: { patient: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(ctx, args) {
    const file = args.positionals[0] as string;
    const { convertToFhir, fillAttachmentUrls } = await import('@aegle/fhir');
    const session = await openSession(ctx);
    const patientName = stringOption(args, 'patient');
    const patient = patientName ? await addressOf(ctx, patientName) : session.patient;
    // Converted first, all or nothing: a file that does not convert stores nothing.
    const converted = await convertToFhir(file, { subject: { reference: `Patient/${patient}` } });
    // Original files (DICOM, VCF) are stored encrypted as records of their own; the resources
    // then point at them by record id.
    const urls = new Map<string, string>();
    const attachments: { id: string; name: string; size: number }[] = [];
    for (const attachment of converted.attachments) {
      const record = await session.client.addRecord({
        patient,
        category: attachment.contentType === 'application/dicom' ? 'Imaging' : 'Attachment',
        content:
          attachment.bytes ??
          createReadStream(attachment.path as string, { highWaterMark: 1 << 20 }),
        size: attachment.size,
        metadata: {
          contentType: attachment.contentType,
          fileName: attachment.name,
          sha256: attachment.sha256,
        },
      });
      urls.set(attachment.url, `aegle:record:${record.recordId}`);
      attachments.push({ id: record.recordId, name: attachment.name, size: attachment.size });
    }
    const resources = fillAttachmentUrls(converted.resources, urls);
    const records: { id: string; resourceType: string; fhirId: string | undefined }[] = [];
    for (const resource of resources) {
      const record = await addResource(session.client, patient, resource);
      records.push({
        id: record.recordId,
        resourceType: resource.resourceType,
        fhirId: resource.id,
      });
    }
    ctx.print({ format: converted.format, records, attachments, skipped: converted.skipped }, () =>
      [
        `imported ${records.length} resource(s) and ${attachments.length} attachment(s) from ${file} (${converted.format})`,
        ...records.map((r) => `${r.id}\t${r.resourceType}/${r.fhirId}`),
        ...attachments.map((a) => `${a.id}\t${a.name}`),
        ...converted.skipped.map((s) => `skipped: ${s}`),
      ].join('\n'),
    );
  },
};

export const exportBundle: Command = {
  path: 'export',
  summary: "a patient's FHIR resources as one Bundle ($everything), decrypted here",
  usage: '[--patient NAME] [--out FILE] --as NAME',
  options: { patient: { type: 'string' }, out: { type: 'string' } },
  async run(ctx, args) {
    const session = await openSession(ctx);
    const patientName = stringOption(args, 'patient');
    const patient = patientName ? await addressOf(ctx, patientName) : session.patient;
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
