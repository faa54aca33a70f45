import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareRanges, type DatePrefix, dateTimeRange, periodRange } from './date-range.ts';

const at = (text: string) => Date.parse(text);

test('a date covers the whole span of its precision, in UTC without a zone', () => {
  assert.deepEqual(dateTimeRange('2013'), {
    low: at('2013-01-01T00:00:00Z'),
    high: at('2014-01-01T00:00:00Z'),
  });
  assert.deepEqual(dateTimeRange('2013-02'), {
    low: at('2013-02-01T00:00:00Z'),
    high: at('2013-03-01T00:00:00Z'),
  });
  assert.deepEqual(dateTimeRange('2012-02-29'), {
    low: at('2012-02-29T00:00:00Z'),
    high: at('2012-03-01T00:00:00Z'),
  });
  assert.deepEqual(dateTimeRange('2013-12'), {
    low: at('2013-12-01T00:00:00Z'),
    high: at('2014-01-01T00:00:00Z'),
  });
  assert.deepEqual(dateTimeRange('2013-01-14T10:00'), {
    low: at('2013-01-14T10:00:00Z'),
    high: at('2013-01-14T10:01:00Z'),
  });
  assert.deepEqual(dateTimeRange('2013-01-14T10:00:05+02:00'), {
    low: at('2013-01-14T08:00:05Z'),
    high: at('2013-01-14T08:00:06Z'),
  });
  assert.deepEqual(dateTimeRange('2013-01-14T10:00:05.1-05:30'), {
    low: at('2013-01-14T15:30:05.100Z'),
    high: at('2013-01-14T15:30:05.200Z'),
  });
  assert.deepEqual(dateTimeRange('2013-01-14T10:00:05.123Z'), {
    low: at('2013-01-14T10:00:05.123Z'),
    high: at('2013-01-14T10:00:05.124Z'),
  });
  // Years below 100 are not shifted into the 1900s.
  assert.equal(new Date(dateTimeRange('0050')?.low as number).getUTCFullYear(), 50);
});

test('malformed or impossible dates are refused', () => {
  for (const text of [
    '',
    '13',
    '2013-13',
    '2013-00',
    '2013-02-29',
    '2013-04-31',
    '2013-01-01T24:00',
    '2013-01-01T10:60',
    '2013-01-01T10',
    '2013-01-01T10:00:00+15:00',
    'yesterday',
    '2013-1-1',
    '2013-01-01 10:00',
  ]) {
    assert.equal(dateTimeRange(text), undefined, text);
  }
});

test('a Period is open where it has no start or end', () => {
  assert.deepEqual(periodRange({ start: '2013-01-01', end: '2013-01-02' }), {
    low: at('2013-01-01T00:00:00Z'),
    high: at('2013-01-03T00:00:00Z'),
  });
  assert.deepEqual(periodRange({ start: '2013' }), {
    low: at('2013-01-01T00:00:00Z'),
    high: Number.POSITIVE_INFINITY,
  });
  assert.deepEqual(periodRange({ end: '2013' }), {
    low: Number.NEGATIVE_INFINITY,
    high: at('2014-01-01T00:00:00Z'),
  });
  assert.equal(periodRange({}), undefined);
});

test('each prefix, at and around the boundaries of the parameter range', () => {
  const day = dateTimeRange('2013-03-14') as { low: number; high: number };
  const range = (text: string) => dateTimeRange(text) as { low: number; high: number };
  const now = at('2014-03-14T00:00:00Z');
  // target → the prefixes it satisfies against the day 2013-03-14.
  const cases: [string, { low: number; high: number }, DatePrefix[]][] = [
    ['the day itself', range('2013-03-14'), ['eq', 'ge', 'le', 'ap']],
    ['its first second', range('2013-03-14T00:00:00Z'), ['eq', 'ge', 'le', 'ap']],
    ['its last second', range('2013-03-14T23:59:59Z'), ['eq', 'ge', 'le', 'ap']],
    ['the next day', range('2013-03-15'), ['ne', 'gt', 'ge', 'sa', 'ap']],
    ['the day before', range('2013-03-13'), ['ne', 'lt', 'le', 'eb', 'ap']],
    ['the last second before', range('2013-03-13T23:59:59Z'), ['ne', 'lt', 'le', 'eb', 'ap']],
    ['the first second after', range('2013-03-15T00:00:00Z'), ['ne', 'gt', 'ge', 'sa', 'ap']],
    ['the month around it', range('2013-03'), ['ne', 'lt', 'gt', 'le', 'ge', 'ap']],
    [
      'a period across its start',
      { low: range('2013-03-13T12:00:00Z').low, high: range('2013-03-14T12:00:00Z').high },
      ['ne', 'lt', 'le', 'ap'],
    ],
    [
      'an open-ended period from it',
      { low: day.low, high: Number.POSITIVE_INFINITY },
      ['ne', 'gt', 'ge', 'ap'],
    ],
    [
      'a year later (beyond 10% of the distance to now)',
      range('2014-03-01'),
      ['ne', 'gt', 'ge', 'sa'],
    ],
    ['a month later (within 10%)', range('2013-04-14'), ['ne', 'gt', 'ge', 'sa', 'ap']],
  ];
  const all: DatePrefix[] = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap'];
  for (const [name, target, expected] of cases) {
    const satisfied = all.filter((prefix) => compareRanges(prefix, target, day, now));
    assert.deepEqual(
      satisfied,
      all.filter((prefix) => expected.includes(prefix)),
      name,
    );
  }
});
