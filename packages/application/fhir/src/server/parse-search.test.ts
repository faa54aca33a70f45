import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FhirRequestError } from './errors.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageToken, parseSearch } from './parse-search.ts';
import { searchParametersFor } from './search-parameters.ts';

const observation = searchParametersFor('Observation');
const parse = (query: [string, string][], lenient = false) =>
  parseSearch(observation, query, { lenient, target: 'Observation' });

test('tokens: system|code, code, |code, system|, commas (escaped ones kept)', () => {
  const [criterion] = parse([
    ['code', 'http://loinc.org|8302-2,8302-2,|x,http://loinc.org|,a\\,b'],
  ]).criteria;
  assert.equal(criterion?.kind, 'token');
  assert.deepEqual(criterion?.values, [
    { system: 'http://loinc.org', code: '8302-2' },
    { system: undefined, code: '8302-2' },
    { system: '', code: 'x' },
    { system: 'http://loinc.org', code: undefined },
    { system: undefined, code: 'a,b' },
  ]);
});

test('references: Patient/x, x, absolute; date prefixes default to eq', () => {
  const { criteria } = parse([
    ['patient', 'Patient/1,2,http://h/fhir/Patient/3'],
    ['date', 'ge2013,2014'],
  ]);
  assert.deepEqual(criteria[0]?.values, [
    { type: 'Patient', id: '1' },
    { type: 'Patient', id: '2' },
    { type: 'Patient', id: '3' },
  ]);
  assert.deepEqual(
    criteria[1]?.values.map((value) => (value as { prefix: string }).prefix),
    ['ge', 'eq'],
  );
  // An unencoded + in a zone arrives as a space; it is read as the + it was.
  const [zoned] = parse([...new URLSearchParams('date=gt2013-01-14T10:00:00+02:00')]).criteria;
  assert.deepEqual(zoned?.values, [
    {
      prefix: 'gt',
      range: { low: Date.parse('2013-01-14T08:00:00Z'), high: Date.parse('2013-01-14T08:00:01Z') },
    },
  ]);
});

test('paging: default and capped _count, opaque _page tokens', () => {
  assert.equal(parse([]).count, DEFAULT_PAGE_SIZE);
  assert.equal(parse([['_count', '100000']]).count, MAX_PAGE_SIZE);
  assert.equal(parse([['_page', pageToken(40)]]).offset, 40);
  for (const query of [[['_count', 'ten']], [['_page', '40']], [['_page', pageToken(-1)]]] as [
    string,
    string,
  ][][]) {
    assert.throws(() => parse(query), FhirRequestError);
  }
});

test('unknown parameters and modifiers: 400, or left out when lenient', () => {
  for (const name of ['onset-date', 'code:text', '_sort', 'subject']) {
    assert.throws(
      () => parse([[name, 'x']]),
      (error: FhirRequestError) =>
        error.status === 400 && error.outcome.issue[0]?.code === 'not-supported',
    );
    const lenient = parse(
      [
        [name, 'x'],
        ['_id', 'a'],
      ],
      true,
    );
    assert.deepEqual(lenient.used, [['_id', 'a']]);
  }
  // A malformed value of a known parameter is refused even when lenient.
  assert.throws(() => parse([['date', 'gt2013-02-30']], true), FhirRequestError);
  assert.throws(() => parse([['code', '']], true), FhirRequestError);
  assert.throws(
    () => parse([['_format', 'xml']]),
    (error: FhirRequestError) => error.status === 406,
  );
});
