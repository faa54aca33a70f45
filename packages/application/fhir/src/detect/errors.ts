import { BaseError } from '@aegle/errors';

export const SUPPORTED_FORMATS = [
  'fhir-json',
  'fhir-bundle',
  'hl7v2',
  'dicom',
  'vcf',
  'apple-health-xml',
  'fitbit-json',
  'withings-json',
  'openmhealth-json',
  'device-csv',
] as const;

/** The content matches none of the formats Aegle can import. */
export class UnknownFormatError extends BaseError {
  override name = 'UnknownFormatError';
  readonly file: string | undefined;
  constructor(reason: string, file?: string) {
    super(
      `${file === undefined ? 'The input' : `File "${file}"`} is in no format Aegle can import: ${reason}`,
      {
        hint: `Supported: ${SUPPORTED_FORMATS.join(', ')}. The format is recognised from the content, not the file name; check that the file is a complete export rather than, say, a zip archive or an HTML error page.`,
      },
    );
    this.file = file;
  }
}

/** The content starts as a known format but ends before it is complete (an interrupted copy or download). */
export class TruncatedInputError extends BaseError {
  override name = 'TruncatedInputError';
  readonly format: string;
  readonly file: string | undefined;
  constructor(format: string, reason: string, file?: string) {
    super(
      `${file === undefined ? 'The input' : `File "${file}"`} looks like ${format} but is truncated: ${reason}`,
      {
        hint: 'Copy or download the file again from its source; a partial file cannot be imported.',
      },
    );
    this.format = format;
    this.file = file;
  }
}
