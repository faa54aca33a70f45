// Helpers shared by the conversion tests (not part of the public API).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateResource } from '../validate/validate-resource.ts';
import type { Bundle, Resource } from './fhir-types.ts';

/** /work/shared/fixtures, the fixtures written by others (see its SOURCES.md): <repo>/../shared. */
export const FIXTURES = fileURLToPath(
  new URL('../../../../../../shared/fixtures/', import.meta.url),
);

export function fixture(path: string): Buffer {
  return readFileSync(`${FIXTURES}${path}`);
}

export function fixtureJson(path: string): unknown {
  return JSON.parse(fixture(path).toString('utf8'));
}

/** Asserts the resource is valid FHIR R4, showing the validator's issues when it is not. */
export function assertValidFhir(resource: unknown): void {
  const result = validateResource(resource);
  assert.ok(result.valid, JSON.stringify(result.outcome.issue, null, 2));
}

/** Every urn:uuid reference in the bundle names one of its entries' fullUrl. */
export function assertReferencesResolve(bundle: Bundle): void {
  const fullUrls = new Set(bundle.entry.map((entry) => entry.fullUrl));
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'reference' && typeof inner === 'string') {
          assert.ok(fullUrls.has(inner), `reference ${inner} does not resolve inside the bundle`);
        } else visit(inner);
      }
    }
  };
  for (const entry of bundle.entry) visit(entry.resource);
}

export function resourcesOf(bundle: Bundle, type: string): Resource[] {
  return bundle.entry
    .map((entry) => entry.resource)
    .filter((resource) => resource.resourceType === type);
}

/** Reads a nested element without a cast at every step: `at(obs, 'valueQuantity', 'value')`. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
