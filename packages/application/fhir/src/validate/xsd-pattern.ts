// The R4 definitions give each primitive type a regular expression in XML Schema / Java syntax.
// Two differences matter in JavaScript: those patterns match the whole value (no anchors are
// written), and their `\s` means only space, tab, CR and LF, whereas JavaScript's `\s` also
// covers Unicode spaces — so `string`'s `[ \r\n\t\S]+` would reject a no-break space.

const XSD_SPACE = ' \\t\\n\\r';
const SPACE_CHARS = [' ', '\\t', '\\n', '\\r'];

/** Rewrites one bracketed class. A class holding `\S` is "not whitespace, plus what it lists". */
function rewriteClass(body: string): string {
  if (body.startsWith('^') || !body.includes('\\S'))
    return `[${body.replaceAll('\\s', XSD_SPACE)}]`;
  const listed = SPACE_CHARS.filter((space) => body.includes(space));
  const excluded = SPACE_CHARS.filter((space) => !listed.includes(space));
  return excluded.length === 0 ? '[\\s\\S]' : `[^${excluded.join('')}]`;
}

/** Compiles a FHIR (XML Schema flavoured) pattern to an anchored JavaScript RegExp. */
export function xsdPatternToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next === 's') out += `[${XSD_SPACE}]`;
      else if (next === 'S') out += `[^${XSD_SPACE}]`;
      else out += `\\${next}`;
      i++;
    } else if (char === '[') {
      let end = i + 1;
      while (end < pattern.length && pattern[end] !== ']') end += pattern[end] === '\\' ? 2 : 1;
      out += rewriteClass(pattern.slice(i + 1, end));
      i = end;
    } else {
      out += char;
    }
  }
  return new RegExp(`^(?:${out})$`);
}
