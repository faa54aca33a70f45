// Public API of @aegle/fhir.

export {
  attachmentPlaceholder,
  type FhirAttachment,
  fillAttachmentUrls,
  parseAttachmentPlaceholder,
} from './convert/attachment.ts';
// Import: detect a file's format and convert it (docs/FHIR.md, "Import and conversions").
export {
  type ConvertToFhirOptions,
  type ConvertToFhirResult,
  convertToFhir,
} from './convert/convert-to-fhir.ts';
export { convertAppleHealth, streamAppleHealth } from './convert/device/apple-health.ts';
export { convertDeviceCsv, DEVICE_CSV_HEADER } from './convert/device/device-csv.ts';
export { convertFitbit, type FitbitConvertOptions } from './convert/device/fitbit.ts';
export { convertOpenMHealth } from './convert/device/openmhealth.ts';
export { convertWithings } from './convert/device/withings.ts';
export {
  convertDicom,
  convertDicomInstances,
  type DicomInstance,
  SOURCE_FILE_EXTENSION,
} from './convert/dicom/convert-dicom.ts';
export { type DicomAttributes, readDicom } from './convert/dicom/read-dicom.ts';
export { readDicomFile } from './convert/dicom/read-dicom-file.ts';
export {
  ConversionError,
  DeviceDataError,
  DicomParseError,
  Hl7ParseError,
  type SourceLocation,
  VcfParseError,
} from './convert/errors.ts';
export type { ConversionResult, Resource } from './convert/fhir-types.ts';
// The converters one by one, and their streaming forms for very large inputs.
export { convertHl7v2, type Hl7ConvertOptions } from './convert/hl7v2/convert-message.ts';
export { type SplitBundleResult, splitBundle } from './convert/split-bundle.ts';
export {
  convertVcf,
  streamVcfObservations,
  type VcfConvertOptions,
} from './convert/vcf/convert-vcf.ts';
export { type DetectedFormat, detectFormat } from './detect/detect-format.ts';
export { SUPPORTED_FORMATS, TruncatedInputError, UnknownFormatError } from './detect/errors.ts';
// The local FHIR server over a pluggable data source (docs/FHIR.md, "FHIR server").
export {
  createFhirServer,
  type FhirServer,
  type FhirServerOptions,
} from './server/create-fhir-server.ts';
export type { FhirDataSource, ListHints, StoredResource } from './server/data-source.ts';
export { DuplicateResourceError, FhirRequestError } from './server/errors.ts';
export { MemoryFhirDataSource } from './server/memory-data-source.ts';
// Validation against the official FHIR R4 definitions (docs/FHIR.md, "Validation").
export { assertValid } from './validate/assert-valid.ts';
export { FhirDefinitionsError } from './validate/fhir-definitions-error.ts';
export { FhirValidationError } from './validate/fhir-validation-error.ts';
export type {
  IssueSeverity,
  IssueType,
  OperationOutcome,
  OperationOutcomeIssue,
} from './validate/operation-outcome.ts';
export { type ValidationResult, validateResource } from './validate/validate-resource.ts';
