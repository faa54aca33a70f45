// Words for a primitive value that does not match its type. They describe the expected form and
// never repeat the value itself, which may be patient data (a birth date, a name).

const EXPECTED: Readonly<Record<string, string>> = {
  base64Binary: 'Base64 text',
  canonical: 'a URI without whitespace',
  code: 'a code without leading, trailing or repeated whitespace',
  date: 'YYYY, YYYY-MM or YYYY-MM-DD',
  dateTime: 'YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.fff] with a timezone',
  decimal: 'a decimal number',
  id: '1 to 64 characters from A-Z, a-z, 0-9, "-" and "."',
  instant: 'YYYY-MM-DDThh:mm:ss[.fff] with a timezone',
  integer: 'a whole number between -2147483648 and 2147483647',
  markdown: 'a non-empty string',
  oid: 'urn:oid: followed by a dotted OID',
  positiveInt: 'a whole number of at least 1',
  string: 'a non-empty string',
  time: 'hh:mm:ss[.fff]',
  unsignedInt: 'a whole number of at least 0',
  uri: 'a URI without whitespace',
  url: 'a URL without whitespace',
  uuid: 'urn:uuid: followed by a lower-case UUID',
};

/** A date with a time but no zone: the commonest dateTime mistake, worth naming. */
const TIME_WITHOUT_ZONE = /T\d\d:\d\d(:\d\d(\.\d+)?)?$/;

export function invalidPrimitiveDiagnostics(type: string, value: unknown): string {
  if ((type === 'dateTime' || type === 'instant') && typeof value === 'string') {
    if (TIME_WITHOUT_ZONE.test(value)) {
      return `Not a valid ${type}: if a date has a time, it must have a timezone (Z or +hh:mm)`;
    }
  }
  if (type === 'base64Binary') return 'Not a valid Base64 value';
  return `Not a valid ${type}: expected ${EXPECTED[type] ?? `a ${type}`}`;
}
