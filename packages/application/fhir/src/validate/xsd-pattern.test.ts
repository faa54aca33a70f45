import assert from 'node:assert/strict';
import { test } from 'node:test';
import { xsdPatternToRegExp } from './xsd-pattern.ts';

test('patterns match the whole value', () => {
  const id = xsdPatternToRegExp('[A-Za-z0-9\\-\\.]{1,64}');
  assert.equal(id.test('abc'), true);
  assert.equal(id.test('abc/def'), false);
  assert.equal(id.test(`${'a'.repeat(64)}`), true);
  assert.equal(id.test(`${'a'.repeat(65)}`), false);
});

test('\\s and \\S mean XML Schema whitespace (space, tab, CR, LF), not Unicode spaces', () => {
  const code = xsdPatternToRegExp('[^\\s]+(\\s[^\\s]+)*');
  assert.equal(code.test('a b'), true);
  assert.equal(code.test('a\u00a0b'), true);
  assert.equal(code.test('a  b'), false);
  assert.equal(code.test(' a'), false);
  const uri = xsdPatternToRegExp('\\S*');
  assert.equal(uri.test('urn:x\u2003y'), true);
  assert.equal(uri.test('urn:x y'), false);
});

test("a class holding \\S ('string': [ \\r\\n\\t\\S]+) accepts any character", () => {
  const string = xsdPatternToRegExp('[ \\r\\n\\t\\S]+');
  assert.equal(string.test(' \u00a0\t\nx '), true);
  assert.equal(string.test(''), false);
  const partial = xsdPatternToRegExp('[ \\S]+');
  assert.equal(partial.test('a b'), true);
  assert.equal(partial.test('a\tb'), false);
});
