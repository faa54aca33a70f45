import { Hl7ParseError } from '../errors.ts';
import { unescapeHl7 } from './unescape.ts';

/** The five characters MSH-1 and MSH-2 declare; escape and sub-component may be absent in old messages. */
export type Hl7Delimiters = {
  field: string;
  component: string;
  repetition: string;
  escape: string | undefined;
  subcomponent: string | undefined;
};

/** One segment: `fields[n]` is the raw (still escaped) text of field n, `fields[0]` the segment name. */
export type Hl7Segment = { name: string; fields: string[]; line: number };

export type Hl7Message = { delimiters: Hl7Delimiters; segments: Hl7Segment[] };

const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/;

/**
 * Parses an HL7 v2.x message (ER7 "pipe" encoding) with the delimiters the message itself declares.
 *
 * Accepts segments ending in \r, \n or \r\n, a leading byte-order mark and blank lines. Fields are
 * kept raw: `hl7Value` splits and unescapes on access, so a message is read once and fields nobody
 * asks for cost nothing.
 */
export function parseHl7Message(
  input: string | Uint8Array,
  options: { file?: string } = {},
): Hl7Message {
  let text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const location = (entry: string) => ({ file: options.file, entry });

  if (!text.startsWith('MSH')) {
    throw new Hl7ParseError('the message does not start with an MSH segment', location('line 1'));
  }
  const field = text[3];
  if (field === undefined || /[A-Za-z0-9\s]/.test(field)) {
    throw new Hl7ParseError(
      'MSH-1 (field separator) is missing or not a punctuation character',
      location('MSH-1'),
    );
  }
  const fieldEnd = text.indexOf(field, 4);
  const lineEnd = text.search(/[\r\n]/);
  const encoding = text.slice(
    4,
    fieldEnd === -1 || (lineEnd !== -1 && lineEnd < fieldEnd) ? 4 : fieldEnd,
  );
  const [component, repetition, escapeChar, subcomponent] = encoding;
  const declared = [field, ...encoding];
  if (
    component === undefined ||
    repetition === undefined ||
    encoding.length > 5 ||
    new Set(declared).size !== declared.length ||
    declared.some((c) => /[A-Za-z0-9\s]/.test(c))
  ) {
    throw new Hl7ParseError(
      'MSH-2 (encoding characters) must declare distinct component, repetition, escape and sub-component characters',
      location('MSH-2'),
    );
  }
  const delimiters: Hl7Delimiters = {
    field,
    component,
    repetition,
    escape: escapeChar,
    subcomponent,
  };

  const segments: Hl7Segment[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? '';
    if (raw.trim() === '') continue;
    const name = raw.slice(0, 3);
    if (!SEGMENT_NAME.test(name) || (raw.length > 3 && raw[3] !== field)) {
      throw new Hl7ParseError(
        `segment ${segments.length + 1} has no valid segment name (three upper-case letters or digits followed by the field separator)`,
        location(`line ${index + 1}`),
      );
    }
    let fields: string[];
    if (name === 'MSH') {
      // MSH-1 is the separator itself, so the split is shifted by one.
      const rest = raw.slice(4).split(field);
      fields = ['MSH', field, ...rest];
    } else {
      fields = raw.split(field);
    }
    segments.push({ name, fields, line: index + 1 });
  }
  if (segments[0]?.name !== 'MSH') {
    throw new Hl7ParseError('the message does not start with an MSH segment', location('line 1'));
  }
  const msh = segments[0];
  if ((msh.fields[9] ?? '') === '') {
    throw new Hl7ParseError('MSH-9 (message type) is empty', location('MSH-9'));
  }
  return { delimiters, segments };
}

/** Address of a value: field n, repetition r (0-based), component c and sub-component s (1-based). */
export type Hl7Path = {
  field: number;
  repetition?: number;
  component?: number;
  subcomponent?: number;
};

/** The raw repetitions of a field ([] when the field is absent or empty). MSH-2 is never split. */
export function hl7Repetitions(message: Hl7Message, segment: Hl7Segment, field: number): string[] {
  const raw = segment.fields[field];
  if (raw === undefined || raw === '') return [];
  if (segment.name === 'MSH' && (field === 1 || field === 2)) return [raw];
  return raw.split(message.delimiters.repetition);
}

/** One unescaped value, '' when absent: `hl7Value(m, pid, { field: 5, component: 2 })` is the given name. */
export function hl7Value(message: Hl7Message, segment: Hl7Segment, path: Hl7Path): string {
  const repetition = hl7Repetitions(message, segment, path.field)[path.repetition ?? 0];
  if (repetition === undefined) return '';
  if (segment.name === 'MSH' && (path.field === 1 || path.field === 2)) return repetition;
  return componentOf(message, repetition, path.component ?? 1, path.subcomponent ?? 1);
}

/** Splits a raw repetition into a component, then a sub-component, and unescapes it. */
export function componentOf(
  message: Hl7Message,
  repetition: string,
  component: number,
  subcomponent = 1,
): string {
  const d = message.delimiters;
  const componentText = repetition.split(d.component)[component - 1] ?? '';
  const sub =
    d.subcomponent === undefined
      ? componentText
      : (componentText.split(d.subcomponent)[subcomponent - 1] ?? '');
  return unescapeHl7(sub, d).trim();
}

/** The whole text of a component with its sub-components joined back as the sender wrote them, unescaped. */
export function componentText(message: Hl7Message, repetition: string, component: number): string {
  const d = message.delimiters;
  const text = repetition.split(d.component)[component - 1] ?? '';
  if (d.subcomponent === undefined) return unescapeHl7(text, d).trim();
  return text
    .split(d.subcomponent)
    .map((part) => unescapeHl7(part, d))
    .join(d.subcomponent)
    .trim();
}

export function segmentsNamed(message: Hl7Message, name: string): Hl7Segment[] {
  return message.segments.filter((segment) => segment.name === name);
}
