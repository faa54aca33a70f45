import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type DetectedFormat,
  detectFormat,
  jsonFormatOf,
  parseJsonInput,
  SNIFF_BYTES,
  sniffedText,
  startsLikeJson,
} from '../detect/detect-format.ts';
import { FhirValidationError } from '../validate/fhir-validation-error.ts';
import { validateResource } from '../validate/validate-resource.ts';
import { attachmentPlaceholder, type FhirAttachment } from './attachment.ts';
import { transactionBundle } from './bundle.ts';
import { convertAppleHealth } from './device/apple-health.ts';
import { convertDeviceCsv } from './device/device-csv.ts';
import { convertFitbit } from './device/fitbit.ts';
import { convertOpenMHealth } from './device/openmhealth.ts';
import { convertWithings } from './device/withings.ts';
import { convertDicomInstances } from './dicom/convert-dicom.ts';
import { readDicom } from './dicom/read-dicom.ts';
import { readDicomFile } from './dicom/read-dicom-file.ts';
import { ConversionError } from './errors.ts';
import type { Bundle, Reference, Resource } from './fhir-types.ts';
import { convertHl7v2 } from './hl7v2/convert-message.ts';
import { deterministicUuid } from './ids.ts';
import type { TextSource } from './read-lines.ts';
import { splitBundle } from './split-bundle.ts';
import { convertVcf } from './vcf/convert-vcf.ts';

export type ConvertToFhirOptions = {
  /** The name shown in errors and given to attachments; defaults to the path's file name. */
  sourceName?: string;
  /** The patient that device, DICOM and VCF data belong to (HL7 v2 and FHIR name their own). */
  subject?: Reference;
  /** Fitbit reports local times without a zone: the user's UTC offset ("+01:00"). */
  utcOffset?: string;
  /** Provenance.recorded of converted HL7 v2 messages; defaults to now. */
  now?: Date;
  /** Called as a file on disk is read: bytes read so far and the file's size. */
  onProgress?: (progress: { bytesRead: number; totalBytes: number }) => void;
};

export type ConvertToFhirResult = {
  format: DetectedFormat;
  /**
   * Valid FHIR R4 resources, each with an id; references between them are `Type/id`, so each
   * can be stored as a record of its own and the references still resolve.
   */
  resources: Resource[];
  /** Original files to store encrypted beside the resources (DICOM, VCF); see FhirAttachment. */
  attachments: FhirAttachment[];
  /** What was in the input but is not in `resources`, and why. */
  skipped: string[];
};

const VCF_FILE_TYPE = { text: 'Variant Call Format (VCF) file' };

/**
 * Detects the format of a file from its content and converts it to FHIR R4 resources: the one
 * entry point for `aegle import FILE` and the SDK.
 *
 * `input` is the file's bytes, or its path (a string or file: URL). From a path, DICOM pixel data
 * are never loaded and VCF, Apple Health and device CSV files are read as a stream; JSON formats
 * and HL7 v2 messages are read whole.
 *
 * All or nothing: the promise resolves with every resource, or rejects with a typed error
 * (UnknownFormatError, TruncatedInputError, FhirValidationError, Hl7ParseError, DicomParseError,
 * VcfParseError, DeviceDataError, ConversionError) that names the file, the entry and the reason.
 * Every resource returned has passed validateResource.
 */
export async function convertToFhir(
  input: Uint8Array | string | URL,
  options: ConvertToFhirOptions = {},
): Promise<ConvertToFhirResult> {
  const path = input instanceof Uint8Array ? undefined : toPath(input);
  const file = options.sourceName ?? (path === undefined ? undefined : basename(path));
  const source: Source =
    path === undefined
      ? { kind: 'bytes', bytes: input as Uint8Array }
      : { kind: 'path', path, size: (await stat(path)).size };
  const { format, json } = await detect(source, file);
  const result = await convert(format, source, file, options, json);
  if (source.kind === 'bytes')
    options.onProgress?.({ bytesRead: source.bytes.length, totalBytes: source.bytes.length });
  // A converter defect must not become stored, invalid FHIR: check everything before returning.
  // A FHIR resource or Bundle was validated whole as it came in, entries and all, and splitting it
  // only sets ids and rewrites references to `Type/id` (split-bundle.ts), which keeps it valid:
  // checking its resources again doubled the validation cost of a FHIR import.
  if (VALIDATED_AS_INPUT.has(format)) return { format, ...result };
  result.resources.forEach((resource, index) => {
    const { valid, outcome } = validateResource(resource);
    if (!valid) {
      throw new ConversionError(
        format,
        `the conversion produced a resource that is not valid FHIR R4 (a converter defect): ${resource.resourceType} ${index + 1}`,
        { file },
        {
          hint: 'Report this with the file format (not the file); error.cause.outcome lists the problems.',
          cause: new FhirValidationError(outcome),
        },
      );
    }
  });
  return { format, ...result };
}

/** Formats validated as they come in (convert below), not converted from something else. */
const VALIDATED_AS_INPUT: ReadonlySet<DetectedFormat> = new Set(['fhir-json', 'fhir-bundle']);

type Source = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'path'; path: string; size: number };

function toPath(input: string | URL): string {
  return input instanceof URL || input.startsWith('file:') ? fileURLToPath(input) : input;
}

/** The format, and for a JSON format the document (parsed once, for detection and conversion). */
async function detect(
  source: Source,
  file: string | undefined,
): Promise<{ format: DetectedFormat; json?: unknown }> {
  let head: Uint8Array;
  if (source.kind === 'bytes') {
    head = source.bytes.subarray(0, SNIFF_BYTES);
  } else {
    const handle = await open(source.path, 'r');
    try {
      const buffer = new Uint8Array(Math.min(source.size, SNIFF_BYTES));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  // JSON formats are told apart by their structure, which needs the whole document.
  if (startsLikeJson(sniffedText(head))) {
    const json = parseJsonInput(new TextDecoder().decode(await readBytes(source)), file);
    return { format: jsonFormatOf(json, file), json };
  }
  return { format: detectFormat(source.kind === 'bytes' ? source.bytes : head, { file }) };
}

type Converted = Omit<ConvertToFhirResult, 'format'>;

async function convert(
  format: DetectedFormat,
  source: Source,
  file: string | undefined,
  options: ConvertToFhirOptions,
  /** A JSON format's document, as `detect` parsed it. */
  json: unknown,
): Promise<Converted> {
  const none = { attachments: [] as FhirAttachment[] };
  const subject = options.subject === undefined ? {} : { subject: options.subject };
  const at = file === undefined ? {} : { file };
  switch (format) {
    case 'fhir-json': {
      const { valid, outcome } = validateResource(json);
      if (!valid) throw new FhirValidationError(outcome, { file });
      const resource = json as Resource;
      if (resource.id === undefined) {
        // No id of its own: one derived from the content, so a re-import is recognisable.
        resource.id = deterministicUuid('aegle-fhir-json', JSON.stringify(json));
      }
      return { resources: [resource], skipped: [], ...none };
    }
    case 'fhir-bundle': {
      const { valid, outcome } = validateResource(json);
      if (!valid) throw new FhirValidationError(outcome, { file });
      return { ...splitBundle(json, { ...at, consume: true }), ...none };
    }
    case 'hl7v2': {
      const converted = convertHl7v2(await readBytes(source), {
        ...at,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      return fromBundle(converted.bundle, converted.skipped, file);
    }
    case 'fitbit-json': {
      const converted = convertFitbit(json, {
        ...at,
        ...subject,
        utcOffset: options.utcOffset ?? '',
      });
      return fromBundle(converted.bundle, converted.skipped, file);
    }
    case 'withings-json': {
      const converted = convertWithings(json, { ...at, ...subject });
      return fromBundle(converted.bundle, converted.skipped, file);
    }
    case 'openmhealth-json': {
      const converted = convertOpenMHealth(json, { ...at, ...subject });
      return fromBundle(converted.bundle, converted.skipped, file);
    }
    case 'apple-health-xml': {
      const converted = await convertAppleHealth(stream(source, options).text, {
        ...at,
        ...subject,
      });
      return fromBundle(converted.bundle, converted.skipped, file);
    }
    case 'device-csv': {
      const converted = await convertDeviceCsv(stream(source, options).text, { ...at, ...subject });
      return fromBundle(converted.bundle, converted.skipped, file);
    }
    case 'dicom':
      return convertDicomSource(source, file, options);
    case 'vcf':
      return convertVcfSource(source, file, options);
  }
}

function fromBundle(bundle: Bundle, skipped: string[], file: string | undefined): Converted {
  const split = splitBundle(bundle, { ...(file === undefined ? {} : { file }), consume: true });
  return {
    resources: split.resources,
    skipped: [...skipped, ...split.skipped],
    attachments: [],
  };
}

async function readBytes(source: Source): Promise<Uint8Array> {
  return source.kind === 'bytes' ? source.bytes : readFile(source.path);
}

type Digests = { sha256: Hash; sha1: Hash; bytes: number };

/** The source as text chunks, hashing (for attachments) and reporting progress as it is read. */
function stream(
  source: Source,
  options: ConvertToFhirOptions,
): { text: TextSource; digests: Digests } {
  const digests: Digests = { sha256: createHash('sha256'), sha1: createHash('sha1'), bytes: 0 };
  const total = source.kind === 'bytes' ? source.bytes.length : source.size;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const input: AsyncIterable<Uint8Array> | Iterable<Uint8Array> =
      source.kind === 'bytes'
        ? [source.bytes]
        : (createReadStream(source.path, {
            highWaterMark: 1024 * 1024,
          }) as AsyncIterable<Uint8Array>);
    for await (const chunk of input) {
      digests.sha256.update(chunk);
      digests.sha1.update(chunk);
      digests.bytes += chunk.length;
      if (source.kind === 'path')
        options.onProgress?.({ bytesRead: digests.bytes, totalBytes: total });
      yield chunk;
    }
  }
  return { text: chunks(), digests };
}

async function drain(text: TextSource): Promise<void> {
  for await (const _ of text as AsyncIterable<unknown>) {
    // only hashing
  }
}

async function convertDicomSource(
  source: Source,
  file: string | undefined,
  options: ConvertToFhirOptions,
): Promise<Converted> {
  const tags =
    source.kind === 'bytes'
      ? readDicom(source.bytes, file)
      : await readDicomFile(source.path, file);
  // The file is hashed as a stream: the pixel data pass through, never held whole.
  const { text, digests } = stream(source, options);
  await drain(text);
  const attachment = makeAttachment(source, file, 'application/dicom', digests, 'dcm');
  const converted = convertDicomInstances(
    [
      {
        tags,
        stored: {
          url: attachment.url,
          size: attachment.size,
          sha1Base64: digests.sha1.digest('base64'),
        },
      },
    ],
    options.subject === undefined ? {} : { subject: options.subject },
  );
  return { ...fromBundle(converted.bundle, converted.skipped, file), attachments: [attachment] };
}

async function convertVcfSource(
  source: Source,
  file: string | undefined,
  options: ConvertToFhirOptions,
): Promise<Converted> {
  const { text, digests } = stream(source, options);
  const converted = await convertVcf(text, {
    ...(file === undefined ? {} : { file }),
    ...(options.subject === undefined ? {} : { subject: options.subject }),
  });
  const compressed =
    source.kind === 'bytes'
      ? source.bytes[0] === 0x1f && source.bytes[1] === 0x8b
      : (await readHead(source.path, 2)).every((byte, index) => byte === [0x1f, 0x8b][index]);
  const attachment = makeAttachment(
    source,
    file,
    compressed ? 'application/gzip' : 'text/x-vcf',
    digests,
    compressed ? 'vcf.gz' : 'vcf',
  );
  const observations = converted.bundle.entry.map((entry) => entry.resource);
  const document: Resource = {
    resourceType: 'DocumentReference',
    id: deterministicUuid('aegle-vcf', 'file', attachment.sha256),
    status: 'current',
    type: VCF_FILE_TYPE,
    ...(options.subject === undefined ? {} : { subject: options.subject }),
    content: [
      {
        attachment: {
          contentType: attachment.contentType,
          url: attachment.url,
          size: attachment.size,
          hash: digests.sha1.digest('base64'),
          ...(file === undefined ? {} : { title: file }),
        },
      },
    ],
  };
  // Observation.derivedFrom: each variant points at the file it was called in.
  for (const observation of observations) {
    observation.derivedFrom = [{ reference: `urn:uuid:${document.id}` }];
  }
  const bundle = transactionBundle([document, ...observations], `vcf|${attachment.sha256}`);
  return { ...fromBundle(bundle, converted.skipped, file), attachments: [attachment] };
}

async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function makeAttachment(
  source: Source,
  file: string | undefined,
  contentType: string,
  digests: Digests,
  extension: string,
): FhirAttachment {
  const sha256 = digests.sha256.digest('hex');
  const common = {
    name: file ?? `attachment.${extension}`,
    contentType,
    size: digests.bytes,
    sha256,
    url: attachmentPlaceholder(sha256),
  };
  return source.kind === 'bytes'
    ? { ...common, bytes: source.bytes }
    : { ...common, path: source.path };
}
