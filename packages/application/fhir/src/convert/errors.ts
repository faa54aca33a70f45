import { BaseError } from '@aegle/errors';

/** Where in the input a conversion failed: enough to find it, never the value itself. */
export type SourceLocation = {
  /** The file name the caller gave, if any (never guessed from content). */
  file?: string | undefined;
  /** The entry inside the file: a line, a segment, a DICOM tag, a JSON path. */
  entry?: string | undefined;
};

function where(format: string, location: SourceLocation): string {
  const parts = [format];
  if (location.file !== undefined) parts.push(`file "${location.file}"`);
  if (location.entry !== undefined) parts.push(`at ${location.entry}`);
  return parts.join(' ');
}

/**
 * The root of every conversion failure. The message names the file, the entry and the reason,
 * and never quotes the offending value: source data are patient data and errors end up in logs.
 */
export class ConversionError extends BaseError {
  override name = 'ConversionError';
  readonly format: string;
  readonly file: string | undefined;
  readonly entry: string | undefined;
  readonly reason: string;

  constructor(
    format: string,
    reason: string,
    location: SourceLocation = {},
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(`${where(format, location)}: ${reason}`, options);
    this.format = format;
    this.file = location.file;
    this.entry = location.entry;
    this.reason = reason;
  }
}

/** An HL7 v2 message whose structure (MSH, delimiters, segment names) cannot be read. */
export class Hl7ParseError extends ConversionError {
  override name = 'Hl7ParseError';
  constructor(reason: string, location: SourceLocation = {}, hint?: string) {
    super('HL7 v2', reason, location, {
      hint:
        hint ??
        'An HL7 v2 message starts with "MSH", then the field separator and the encoding characters (usually MSH|^~\\&|); check that the file is a complete, unmodified message.',
    });
  }
}

/** A DICOM Part 10 file that is not DICOM, is cut short, or lacks a tag the mapping needs. */
export class DicomParseError extends ConversionError {
  override name = 'DicomParseError';
  constructor(
    reason: string,
    location: SourceLocation = {},
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super('DICOM', reason, location, {
      hint:
        options.hint ??
        'Pass the complete Part 10 file (128-byte preamble, "DICM", meta header, data set); a file that was cut off must be copied again from its source.',
      cause: options.cause,
    });
  }
}

/** A VCF file whose header or a record does not follow VCF 4.x. */
export class VcfParseError extends ConversionError {
  override name = 'VcfParseError';
  constructor(reason: string, location: SourceLocation = {}, hint?: string) {
    super('VCF', reason, location, {
      hint:
        hint ??
        'A VCF 4.x file starts with ##fileformat=VCFv4.x, then ## meta lines, one #CHROM header line and tab-separated records of at least 8 columns.',
    });
  }
}

/** Wearable or device data (Apple Health, Fitbit, Withings, Open mHealth, CSV) that cannot be mapped. */
export class DeviceDataError extends ConversionError {
  override name = 'DeviceDataError';
  constructor(format: string, reason: string, location: SourceLocation = {}, hint?: string) {
    super(format, reason, location, {
      hint:
        hint ??
        'Check that the export is complete and in the documented format (docs/FHIR.md, "Conversions").',
    });
  }
}
