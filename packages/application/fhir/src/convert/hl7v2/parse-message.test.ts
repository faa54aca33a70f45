import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hl7ParseError } from '../errors.ts';
import { hl7Repetitions, hl7Value, parseHl7Message, segmentsNamed } from './parse-message.ts';
import { unescapeHl7 } from './unescape.ts';

const STANDARD = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

describe('parseHl7Message', () => {
  test('reads fields, components, repetitions and sub-components with the standard delimiters', () => {
    const message = parseHl7Message(
      'MSH|^~\\&|App|Fac|||20240101||ADT^A01|42|P|2.5\rPID|1||123^^^Hosp&1.2.3&ISO^MR~456^^^^SS||Doe^Jane\r',
    );
    const pid = segmentsNamed(message, 'PID')[0];
    assert.ok(pid);
    assert.equal(hl7Value(message, pid, { field: 3 }), '123');
    assert.equal(hl7Value(message, pid, { field: 3, component: 4, subcomponent: 2 }), '1.2.3');
    assert.equal(hl7Value(message, pid, { field: 3, repetition: 1 }), '456');
    assert.equal(hl7Value(message, pid, { field: 3, repetition: 1, component: 5 }), 'SS');
    assert.equal(hl7Value(message, pid, { field: 5, component: 2 }), 'Jane');
    assert.equal(hl7Value(message, pid, { field: 99 }), '');
    const msh = message.segments[0];
    assert.ok(msh);
    // MSH-1 is the field separator and MSH-2 the encoding characters, never split.
    assert.equal(hl7Value(message, msh, { field: 1 }), '|');
    assert.equal(hl7Value(message, msh, { field: 2 }), '^~\\&');
    assert.equal(hl7Value(message, msh, { field: 9, component: 2 }), 'A01');
    assert.equal(hl7Value(message, msh, { field: 10 }), '42');
  });

  test('uses the delimiters MSH-1 and MSH-2 declare, not the usual ones', () => {
    const message = parseHl7Message(
      'MSH#*@!$#App#Fac#####ADT*A04#7#P#2.5\nPID#1##A1*x*y@A2##Roe*Richard$Jr\n',
    );
    assert.deepEqual(message.delimiters, {
      field: '#',
      component: '*',
      repetition: '@',
      escape: '!',
      subcomponent: '$',
    });
    const pid = segmentsNamed(message, 'PID')[0];
    assert.ok(pid);
    assert.deepEqual(hl7Repetitions(message, pid, 3), ['A1*x*y', 'A2']);
    assert.equal(hl7Value(message, pid, { field: 3, component: 3 }), 'y');
    assert.equal(hl7Value(message, pid, { field: 5, component: 2, subcomponent: 2 }), 'Jr');
    assert.equal(
      hl7Value(message, message.segments[0] as never, { field: 9, component: 2 }),
      'A04',
    );
  });

  test('accepts \\r, \\n and \\r\\n segment ends, a byte-order mark and blank lines', () => {
    for (const end of ['\r', '\n', '\r\n']) {
      const text = `\uFEFFMSH|^~\\&|A|B|||x||ORU^R01|1|P|2.5${end}${end}PID|1${end}OBX|1|ST|c^d^LN||v${end}`;
      const message = parseHl7Message(new TextEncoder().encode(text));
      assert.deepEqual(
        message.segments.map((s) => s.name),
        ['MSH', 'PID', 'OBX'],
        `segment end ${JSON.stringify(end)}`,
      );
    }
  });

  test('keeps empty fields and near-empty segments addressable', () => {
    const message = parseHl7Message('MSH|^~\\&|A|B|||x||SIU^S12|1|P|2.8\nRGS|001|\nNTE\n');
    const rgs = segmentsNamed(message, 'RGS')[0];
    const nte = segmentsNamed(message, 'NTE')[0];
    assert.ok(rgs && nte);
    assert.equal(hl7Value(message, rgs, { field: 1 }), '001');
    assert.equal(hl7Value(message, rgs, { field: 2 }), '');
    assert.deepEqual(hl7Repetitions(message, nte, 3), []);
  });

  test('throws Hl7ParseError for a missing or broken MSH', () => {
    const cases: [string, RegExp][] = [
      ['PID|1||123\r', /does not start with an MSH segment/],
      ['MSH', /MSH-1/],
      ['MSHA^~\\&|x', /MSH-1/],
      ['MSH|^^\\&|A|B|||x||ADT^A01|1|P|2.5', /MSH-2/],
      ['MSH||A|B', /MSH-2/],
      ['MSH|^~\\&|A|B|||x|||1|P|2.5', /MSH-9/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseHl7Message(text, { file: 'broken.hl7' }),
        (error: unknown) =>
          error instanceof Hl7ParseError &&
          message.test(error.message) &&
          error.file === 'broken.hl7',
        text,
      );
    }
  });

  test('names the line of a segment without a valid name, without quoting its content', () => {
    assert.throws(
      () => parseHl7Message('MSH|^~\\&|A|B|||x||ADT^A01|1|P|2.5\rPID|1\rsecret patient text\r'),
      (error: unknown) =>
        error instanceof Hl7ParseError &&
        error.entry === 'line 3' &&
        !error.message.includes('secret'),
    );
  });
});

describe('unescapeHl7', () => {
  test('replaces the delimiter escapes with the declared characters', () => {
    assert.equal(unescapeHl7('A\\T\\E', STANDARD), 'A&E');
    assert.equal(unescapeHl7('1\\F\\2\\S\\3\\R\\4\\E\\5', STANDARD), '1|2^3~4\\5');
    const custom = { field: '#', component: '*', repetition: '@', escape: '!', subcomponent: '$' };
    assert.equal(unescapeHl7('a!F!b!S!c!T!d!R!e!E!f', custom), 'a#b*c$d@e!f');
  });

  test('decodes \\X..\\ as UTF-8 hex and \\.br\\ as a line break, drops highlighting', () => {
    assert.equal(unescapeHl7('\\X4869\\', STANDARD), 'Hi');
    assert.equal(unescapeHl7('caf\\XC3A9\\', STANDARD), 'café');
    assert.equal(unescapeHl7('line one\\.br\\line two', STANDARD), 'line one\nline two');
    assert.equal(unescapeHl7('\\H\\bold\\N\\ text', STANDARD), 'bold text');
  });

  test('keeps unknown or unterminated sequences as written', () => {
    assert.equal(unescapeHl7('C:\\temp', STANDARD), 'C:\\temp');
    assert.equal(unescapeHl7('a\\Q\\b', STANDARD), 'a\\Q\\b');
  });

  test('an escaped delimiter does not split a value', () => {
    const message = parseHl7Message(
      'MSH|^~\\&|A|B|||x||ORU^R01|1|P|2.5\rOBX|1|ST|c||x\\S\\y\\F\\z\r',
    );
    const obx = segmentsNamed(message, 'OBX')[0];
    assert.ok(obx);
    assert.equal(hl7Value(message, obx, { field: 5 }), 'x^y|z');
  });
});
