import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { DEVICE_CSV_HEADER } from '../convert/device/device-csv.ts';
import { OPEN_MHEALTH_PROPERTIES } from '../convert/device/openmhealth.ts';
import { type SUPPORTED_FORMATS, TruncatedInputError, UnknownFormatError } from './errors.ts';

export type DetectedFormat = (typeof SUPPORTED_FORMATS)[number];

// Text formats are recognised from their first bytes; 64 KiB covers Apple Health's inline DTD.
export const SNIFF_BYTES = 64 * 1024;

/**
 * Recognises an import format from the content alone (never the file name, which users rename).
 * JSON formats are told apart by their structure, so the whole JSON document is parsed; binary
 * and line formats need only their first bytes. Unknown content throws UnknownFormatError, JSON
 * that ends early throws TruncatedInputError.
 */
export function detectFormat(
  input: Uint8Array | string,
  options: { file?: string } = {},
): DetectedFormat {
  const { file } = options;
  if (
    typeof input !== 'string' &&
    input.length >= 132 &&
    latin1(input.subarray(128, 132)) === 'DICM'
  )
    return 'dicom';
  if (typeof input !== 'string' && input[0] === 0x1f && input[1] === 0x8b) {
    // gzip or BGZF (bgzip): only VCF is imported compressed, and read decompressing on the fly.
    let inflated: Uint8Array;
    try {
      inflated = gunzipSync(input.subarray(0, SNIFF_BYTES), {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
      });
    } catch {
      throw new UnknownFormatError('it starts like gzip but does not decompress', file);
    }
    if (utf8(inflated.subarray(0, 16)).startsWith('##fileformat=VCF')) return 'vcf';
    throw new UnknownFormatError('it is gzip-compressed, and only VCF is read compressed', file);
  }
  const head = sniffedText(input);
  if (head === '') throw new UnknownFormatError('it is empty', file);
  if (/^MSH[^A-Za-z0-9\s]/.test(head)) return 'hl7v2';
  if (head.startsWith('##fileformat=VCF')) return 'vcf';
  if (head.startsWith('<')) {
    if (/<HealthData[\s>]/.test(head)) return 'apple-health-xml';
    throw new UnknownFormatError(
      'it is XML but not an Apple Health export (no <HealthData> element)',
      file,
    );
  }
  if (startsLikeJson(head)) {
    return detectJson(typeof input === 'string' ? input : utf8(input), file);
  }
  if ((head.split(/\r?\n/, 1)[0] ?? '').trim().toLowerCase() === DEVICE_CSV_HEADER)
    return 'device-csv';
  if (
    typeof input !== 'string' &&
    input.length < 132 &&
    input.length > 0 &&
    input.every((byte) => byte === 0)
  ) {
    throw new TruncatedInputError('DICOM', 'the file ends inside the 128-byte preamble', file);
  }
  throw new UnknownFormatError('its first bytes match no known format', file);
}

/** The first SNIFF_BYTES as detection reads them: a byte-order mark and leading white space left out. */
export function sniffedText(input: Uint8Array | string): string {
  return (
    typeof input === 'string' ? input.slice(0, SNIFF_BYTES) : utf8(input.subarray(0, SNIFF_BYTES))
  )
    .replace(/^\uFEFF/, '')
    .trimStart();
}

/** Whether sniffed text (`sniffedText`) is JSON's: one of the JSON formats, told apart by structure. */
export function startsLikeJson(head: string): boolean {
  return head.startsWith('{') || head.startsWith('[');
}

function detectJson(text: string, file: string | undefined): DetectedFormat {
  return jsonFormatOf(parseJsonInput(text, file), file);
}

/**
 * Parses a JSON import (a byte-order mark allowed): a document that ends early throws
 * TruncatedInputError, one that is not JSON UnknownFormatError.
 */
export function parseJsonInput(text: string, file?: string): unknown {
  const source = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    // V8 names the offset where parsing stopped: at the very end, the document was cut short.
    const position = /at position (\d+)/.exec(message)?.[1];
    const atEnd = position !== undefined && Number(position) >= source.trimEnd().length;
    if (atEnd || /end of (JSON )?(input|data)|Unterminated/i.test(message)) {
      throw new TruncatedInputError(
        'JSON',
        'the document ends before its last value is closed',
        file,
      );
    }
    throw new UnknownFormatError('it starts like JSON but is not well-formed JSON', file);
  }
}

/** Which JSON format a parsed document is, told apart by its structure. */
export function jsonFormatOf(json: unknown, file?: string): DetectedFormat {
  const first = Array.isArray(json) ? json[0] : json;
  if (typeof first !== 'object' || first === null)
    throw new UnknownFormatError('the JSON holds no object', file);
  const object = first as Record<string, unknown>;
  if (!Array.isArray(json) && typeof object.resourceType === 'string') {
    return object.resourceType === 'Bundle' ? 'fhir-bundle' : 'fhir-json';
  }
  if (
    'activities-heart-intraday' in object ||
    'activities-heart' in object ||
    Array.isArray(object.sleep)
  ) {
    return 'fitbit-json';
  }
  const body = object.body as Record<string, unknown> | undefined;
  if (typeof body === 'object' && body !== null && Array.isArray(body.measuregrps))
    return 'withings-json';
  const schema = (object.header as { schema_id?: { namespace?: unknown } } | undefined)?.schema_id;
  const dataPoint = typeof body === 'object' && body !== null ? body : object;
  if (
    schema?.namespace === 'omh' ||
    ('effective_time_frame' in dataPoint &&
      OPEN_MHEALTH_PROPERTIES.some((property) => property in dataPoint))
  ) {
    return 'openmhealth-json';
  }
  throw new UnknownFormatError('it is JSON but neither FHIR nor a known device export', file);
}

function latin1(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes);
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}
