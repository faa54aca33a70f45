import type { StoredResource } from './data-source.ts';
import { compareRanges, dateTimeRange, periodRange, type TimeRange } from './date-range.ts';
import { type FhirPathNode, referenceTarget } from './fhirpath-subset.ts';
import type { Criterion, ReferenceValue, TokenValue } from './parse-search.ts';

/** Whether a stored resource satisfies every criterion (each one by any of its values). */
export function matchesSearch(
  stored: StoredResource,
  criteria: readonly Criterion[],
  now: number,
): boolean {
  return criteria.every((criterion) => matchesCriterion(stored, criterion, now));
}

function matchesCriterion(stored: StoredResource, criterion: Criterion, now: number): boolean {
  const nodes = criterion.parameter.evaluate(stored);
  switch (criterion.kind) {
    case 'token':
      return nodes.some((node) => criterion.values.some((value) => tokenMatches(node, value)));
    case 'reference':
      return nodes.some((node) => criterion.values.some((value) => referenceMatches(node, value)));
    case 'date': {
      const ranges = nodes.flatMap(nodeRanges);
      return ranges.some((range) =>
        criterion.values.some((value) => compareRanges(value.prefix, range, value.range, now)),
      );
    }
  }
}

function tokenMatches(node: FhirPathNode, value: TokenValue): boolean {
  const pair = (system: unknown, code: unknown): boolean => {
    if (value.system !== undefined) {
      if (value.system === '' ? system !== undefined : system !== value.system) return false;
    }
    return value.code === undefined || code === value.code;
  };
  const object = (node.value ?? {}) as Record<string, unknown>;
  switch (node.type) {
    case 'CodeableConcept':
      return Array.isArray(object.coding)
        ? object.coding.some((coding: { system?: unknown; code?: unknown }) =>
            pair(coding.system, coding.code),
          )
        : false;
    case 'Coding':
      return pair(object.system, object.code);
    case 'Identifier':
      return pair(object.system, object.value);
    case 'ContactPoint':
      return pair(object.system, object.value);
    default:
      // code, id, string, uri, boolean…: the value is the code, and there is no system.
      return typeof node.value === 'string' || typeof node.value === 'boolean'
        ? (value.system === undefined || value.system === '') &&
            (value.code === undefined || String(node.value) === value.code)
        : false;
  }
}

function referenceMatches(node: FhirPathNode, value: ReferenceValue): boolean {
  const reference = (node.value as { reference?: unknown } | null)?.reference;
  if (typeof reference !== 'string') return false;
  const target = referenceTarget(reference);
  return target !== undefined && target.type === value.type && target.id === value.id;
}

function nodeRanges(node: FhirPathNode): TimeRange[] {
  if (typeof node.value === 'string') {
    const range = dateTimeRange(node.value);
    return range === undefined ? [] : [range];
  }
  if (node.type === 'Period') {
    const range = periodRange(node.value as { start?: unknown; end?: unknown });
    return range === undefined ? [] : [range];
  }
  if (node.type === 'Timing') {
    const events = (node.value as { event?: unknown }).event;
    return Array.isArray(events)
      ? events.flatMap((event) => {
          const range = typeof event === 'string' ? dateTimeRange(event) : undefined;
          return range === undefined ? [] : [range];
        })
      : [];
  }
  return [];
}
