import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CodeSystem, ValueSet } from './definition-types.ts';
import { expandValueSet, type Terminology } from './expand-value-set.ts';
import { loadR4Definitions } from './load-r4-definitions.ts';

function terminology(valueSets: ValueSet[], codeSystems: CodeSystem[]): Terminology {
  return {
    valueSets: new Map(valueSets.map((valueSet) => [valueSet.url, valueSet])),
    codeSystems: new Map(codeSystems.map((system) => [system.url, system])),
  };
}

const system: CodeSystem = {
  resourceType: 'CodeSystem',
  url: 'urn:cs',
  content: 'complete',
  concept: [{ code: 'a', concept: [{ code: 'a1' }] }, { code: 'b' }],
};
const valueSet = (url: string, compose: ValueSet['compose']): ValueSet => ({
  resourceType: 'ValueSet',
  url,
  compose,
});

test('a whole code system is expanded, nested concepts included; |version is ignored', () => {
  const all = valueSet('urn:vs', { include: [{ system: 'urn:cs' }] });
  assert.deepEqual(
    expandValueSet('urn:vs|1.0', terminology([all], [system])),
    new Set(['a', 'a1', 'b']),
  );
});

test('listed concepts, imported value sets and excludes', () => {
  const some = valueSet('urn:some', { include: [{ system: 'urn:cs', concept: [{ code: 'b' }] }] });
  const both = valueSet('urn:both', {
    include: [{ valueSet: ['urn:some'] }, { system: 'urn:cs', concept: [{ code: 'a' }] }],
    exclude: [{ system: 'urn:cs', concept: [{ code: 'b' }] }],
  });
  assert.deepEqual(expandValueSet('urn:both', terminology([some, both], [system])), new Set(['a']));
});

test('what needs a terminology server is not guessed', () => {
  const filtered = valueSet('urn:f', { include: [{ system: 'urn:cs', filter: [{}] }] });
  const external = valueSet('urn:e', { include: [{ system: 'urn:ietf:bcp:13' }] });
  const fragment: CodeSystem = { ...system, url: 'urn:frag', content: 'fragment' };
  const partial = valueSet('urn:p', { include: [{ system: 'urn:frag' }] });
  const cycle = valueSet('urn:c', { include: [{ valueSet: ['urn:c'] }] });
  const known = terminology([filtered, external, partial, cycle], [system, fragment]);
  for (const url of ['urn:f', 'urn:e', 'urn:p', 'urn:c', 'urn:unknown']) {
    assert.equal(expandValueSet(url, known), undefined, url);
  }
});

test('R4 administrative-gender expands to its four codes', () => {
  const r4 = loadR4Definitions();
  assert.deepEqual(
    expandValueSet('http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1', r4),
    new Set(['male', 'female', 'other', 'unknown']),
  );
});
