import { DATE_PREFIXES, type DatePrefix, dateTimeRange, type TimeRange } from './date-range.ts';
import { FhirRequestError } from './errors.ts';
import { referenceTarget } from './fhirpath-subset.ts';
import type { ServedSearchParameter } from './search-parameters.ts';

export type TokenValue = {
  /** undefined: any system; '': no system (`|code`); else that system. */
  system: string | undefined;
  /** undefined: any code of the system (`system|`). */
  code: string | undefined;
};
export type ReferenceValue = { type: string; id: string };
export type DateValue = { prefix: DatePrefix; range: TimeRange };

/** One search parameter of the query: its values are OR-ed; criteria are AND-ed. */
export type Criterion =
  | { parameter: ServedSearchParameter; kind: 'token'; values: TokenValue[] }
  | { parameter: ServedSearchParameter; kind: 'reference'; values: ReferenceValue[] }
  | { parameter: ServedSearchParameter; kind: 'date'; values: DateValue[] };

export type ParsedSearch = {
  criteria: Criterion[];
  /** Page size. */
  count: number;
  /** Index of the first match on this page. */
  offset: number;
  /** The parameters taken into account, as sent (for the self and paging links). */
  used: [string, string][];
};

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** Result parameters this server honours besides the search parameters themselves. */
const CONTROL_PARAMETERS = new Set(['_count', '_page', '_format']);
const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json']);

/**
 * Parses a search query against the parameters served (by code). Unknown parameters, modifiers
 * and malformed values are a 400 OperationOutcome, unless `lenient` (the client sent
 * `Prefer: handling=lenient`), where unknown parameters and modifiers are ignored (and left out
 * of the self link); malformed values of known parameters are refused either way. `_count`,
 * `_page` (this server's paging token) and `_format` (JSON only) are understood everywhere.
 */
export function parseSearch(
  served: ReadonlyMap<string, ServedSearchParameter>,
  query: [string, string][],
  options: { lenient: boolean; target: string },
): ParsedSearch {
  const resourceType = options.target;
  const criteria: Criterion[] = [];
  const used: [string, string][] = [];
  let count = DEFAULT_PAGE_SIZE;
  let offset = 0;
  for (const [name, value] of query) {
    if (CONTROL_PARAMETERS.has(name)) {
      if (name === '_count') count = parseCount(value);
      else if (name === '_page') offset = parsePageToken(value);
      else if (!JSON_FORMATS.has(value)) {
        throw new FhirRequestError(406, 'not-supported', 'Only the JSON format is served', {
          expression: ['_format'],
        });
      }
      used.push([name, value]);
      continue;
    }
    const parameter = name.includes(':') ? undefined : served.get(name);
    if (parameter === undefined) {
      if (options.lenient) continue;
      throw new FhirRequestError(
        400,
        'not-supported',
        `The search parameter ${safeName(name)} is not supported for ${resourceType} (see /metadata)`,
        {
          expression: [safeName(name).replaceAll('"', '')],
          hint: 'Send Prefer: handling=lenient to have unknown parameters ignored.',
        },
      );
    }
    criteria.push(parseCriterion(parameter, value));
    used.push([name, value]);
  }
  return { criteria, count, offset, used };
}

/** A parameter name safe to echo: only identifier-like names are quoted. */
function safeName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$/.test(name) ? `"${name}"` : '(unnamed)';
}

function parseCount(value: string): number {
  if (!/^\d{1,7}$/.test(value)) {
    throw new FhirRequestError(400, 'invalid', '_count must be a non-negative integer', {
      expression: ['_count'],
    });
  }
  return Math.min(Number(value), MAX_PAGE_SIZE);
}

/** The paging token: the offset, encoded so that clients treat it as opaque. */
export function pageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function parsePageToken(value: string): number {
  try {
    const decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as { o?: unknown };
    if (Number.isSafeInteger(decoded.o) && (decoded.o as number) >= 0) return decoded.o as number;
  } catch {
    // fall through to the error below
  }
  throw new FhirRequestError(400, 'invalid', '_page is not a paging token of this server', {
    expression: ['_page'],
    hint: 'Follow the next and previous links of a search Bundle as they are.',
  });
}

/** Splits on commas not escaped with a backslash, and unescapes `\,` `\|` `\$` `\\`. */
function splitValues(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let index = 0; index < value.length; index++) {
    const char = value[index] as string;
    if (char === '\\' && index + 1 < value.length) {
      current += `\\${value[++index]}`;
    } else if (char === ',') {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function unescapeValue(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** Splits `system|code` on the first unescaped bar. */
function splitBar(text: string): [string, string] | undefined {
  for (let index = 0; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === '|') return [text.slice(0, index), text.slice(index + 1)];
  }
  return undefined;
}

function parseCriterion(parameter: ServedSearchParameter, value: string): Criterion {
  const invalid = (what: string) =>
    new FhirRequestError(400, 'invalid', `The value of ${parameter.code} is not ${what}`, {
      expression: [parameter.code],
    });
  const parts = splitValues(value);
  if (parts.some((part) => part === '')) throw invalid('a list of non-empty values');
  switch (parameter.type) {
    case 'token':
      return {
        parameter,
        kind: 'token',
        values: parts.map((part) => {
          const bar = splitBar(part);
          if (bar === undefined) return { system: undefined, code: unescapeValue(part) };
          const [system, code] = bar;
          if (system === '' && code === '') throw invalid('a token (system|code, code or |code)');
          return {
            system: unescapeValue(system),
            code: code === '' ? undefined : unescapeValue(code),
          };
        }),
      };
    case 'reference':
      return {
        parameter,
        kind: 'reference',
        values: parts.map((part) => {
          const text = unescapeValue(part);
          // `patient` only ever targets Patient, so a bare id means Patient/id.
          if (/^[A-Za-z0-9\-.]{1,64}$/.test(text)) return { type: 'Patient', id: text };
          const target = referenceTarget(text);
          if (target === undefined) throw invalid('a reference (Type/id, id or an absolute URL)');
          return target;
        }),
      };
    case 'date':
      return {
        parameter,
        kind: 'date',
        values: parts.map((part) => {
          const prefix = DATE_PREFIXES.find((candidate) => part.startsWith(candidate));
          // A `+hh:mm` zone sent unencoded arrives as a space (form decoding): take it back.
          const text = (prefix === undefined ? part : part.slice(2)).replace(
            / (\d\d:\d\d)$/,
            '+$1',
          );
          const range = dateTimeRange(text);
          if (range === undefined) {
            throw invalid(
              'a date (an optional prefix eq, ne, lt, gt, le, ge, sa, eb or ap, then YYYY[-MM[-DD[Thh:mm[:ss[.sss]][zone]]]])',
            );
          }
          return { prefix: prefix ?? 'eq', range };
        }),
      };
  }
}
