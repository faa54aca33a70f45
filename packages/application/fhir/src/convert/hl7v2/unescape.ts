import type { Hl7Delimiters } from './parse-message.ts';

/**
 * Replaces HL7 v2 escape sequences (chapter 2.7) in one component or sub-component value.
 *
 * Must run after splitting on the delimiters: an escaped delimiter (\F\, \S\, ...) stands for a
 * literal character that must not split the value. Formatting commands (\.br\, \.sp\) become line
 * breaks, highlighting (\H\, \N\) and character-set switches (\Cxxyy\, \Mxxyyzz\) are dropped, and
 * \Xhh..\ is decoded as UTF-8 bytes. An unterminated or unknown sequence is kept as written rather
 * than guessed at.
 */
export function unescapeHl7(value: string, delimiters: Hl7Delimiters): string {
  const escapeChar = delimiters.escape;
  if (escapeChar === undefined || !value.includes(escapeChar)) return value;
  let out = '';
  let index = 0;
  while (index < value.length) {
    const start = value.indexOf(escapeChar, index);
    if (start === -1) {
      out += value.slice(index);
      break;
    }
    out += value.slice(index, start);
    const end = value.indexOf(escapeChar, start + 1);
    if (end === -1) {
      out += value.slice(start);
      break;
    }
    const sequence = value.slice(start + 1, end);
    const replacement = translate(sequence, delimiters);
    if (replacement === undefined) {
      // Not a sequence we know: keep the text and re-scan from the closing character, which
      // may open the next real sequence.
      out += value.slice(start, end);
      index = end;
      continue;
    }
    out += replacement;
    index = end + 1;
  }
  return out;
}

function translate(sequence: string, d: Hl7Delimiters): string | undefined {
  switch (sequence) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent ?? '';
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape ?? '';
    case 'H':
    case 'N':
      return '';
    case '.br':
    case '.sp':
      return '\n';
  }
  if (/^\.(sp|in|ti|sk|ce|fi|nf)[+-]?\d*$/.test(sequence))
    return sequence.startsWith('.sp') ? '\n' : '';
  if (/^X([0-9A-Fa-f]{2})+$/.test(sequence)) {
    return new TextDecoder().decode(Buffer.from(sequence.slice(1), 'hex'));
  }
  if (/^(C[0-9A-Fa-f]{4}|M[0-9A-Fa-f]{4}([0-9A-Fa-f]{2})?|Z.*)$/.test(sequence)) return '';
  return undefined;
}
