// Splitting Bundles into one record per resource, with references kept resolvable.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ConversionError } from './errors.ts';
import type { Resource } from './fhir-types.ts';
import { splitBundle } from './split-bundle.ts';
import { assertValidFhir, FIXTURES, fixtureJson } from './test-support.ts';

type Entry = { fullUrl?: string; resource?: Resource; request?: { method: string; url: string } };

/** Every `reference` in a value, with its JSON path. */
function references(value: unknown, path = ''): [string, string][] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => references(item, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === 'reference' && typeof inner === 'string'
      ? [[`${path}.reference`, inner] as [string, string]]
      : references(inner, `${path}.${key}`),
  );
}

describe('splitBundle on the Synthea patients (transaction Bundles, urn:uuid references)', () => {
  const files = readdirSync(`${FIXTURES}synthea`).filter((name) => name.endsWith('.json'));
  for (const file of files) {
    test(file, () => {
      const bundle = fixtureJson(`synthea/${file}`) as { entry: Entry[] };
      const before = JSON.stringify(bundle);
      const { resources, skipped } = splitBundle(bundle);
      assert.equal(JSON.stringify(bundle), before, 'the input is not changed');
      // Consumed (no copies), the same resources.
      assert.deepEqual(splitBundle(JSON.parse(before), { consume: true }).resources, resources);
      assert.deepEqual(skipped, []);
      assert.equal(resources.length, bundle.entry.length);
      const typeOf = new Map(
        bundle.entry.map((entry) => [entry.fullUrl, entry.resource?.resourceType]),
      );
      const keys = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
      assert.equal(keys.size, resources.length, 'ids are unique per type');
      let checked = 0;
      resources.forEach((resource, index) => {
        const entry = bundle.entry[index] as Entry;
        // Stable ids: the UUID of the urn:uuid fullUrl.
        assert.equal(`urn:uuid:${resource.id}`, entry.fullUrl);
        assertValidFhir(resource);
        const original = references(entry.resource);
        const now = references(resource);
        assert.equal(now.length, original.length);
        now.forEach(([path, reference], r) => {
          const [originalPath, originalReference] = original[r] as [string, string];
          assert.equal(path, originalPath);
          if (originalReference.startsWith('urn:uuid:')) {
            const type = typeOf.get(originalReference);
            assert.ok(type, `${originalReference} is an entry of the bundle`);
            assert.equal(reference, `${type}/${originalReference.slice('urn:uuid:'.length)}`);
            assert.ok(keys.has(reference), `${reference} resolves among the split resources`);
            checked++;
          } else assert.equal(reference, originalReference);
        });
      });
      assert.ok(checked > 100, `${checked} references rewritten`);
    });
  }

  test('the same Bundle always splits into the same ids', () => {
    const bundle = fixtureJson(`synthea/${files[0]}`);
    assert.deepEqual(splitBundle(bundle).resources, splitBundle(bundle).resources);
  });
});

describe('splitBundle on the HL7 example Bundles', () => {
  test('transaction: POST/PUT resources taken, GET/DELETE and $lookup reported', () => {
    const { resources, skipped } = splitBundle(
      fixtureJson('fhir/valid/Bundle-bundle-transaction.json'),
    );
    assert.deepEqual(
      resources.map((r) => `${r.resourceType}/${r.id}`),
      [
        'Patient/61ebe359-bfdc-4613-8bf2-c5e300945f0a',
        'Patient/88f151c0-a954-468a-88bd-5ae15c08e059',
        'Patient/123',
        'Patient/74891afc-ed52-42a2-bcd7-f13d9b60f096',
        'Patient/123a',
      ],
    );
    assert.deepEqual(skipped, [
      'entry 5: DELETE without a resource, not imported',
      'entry 6: DELETE without a resource, not imported',
      'entry 7: an operation call (POST ValueSet/$lookup), not imported',
      'entry 8: GET without a resource, not imported',
      'entry 9: GET without a resource, not imported',
    ]);
  });

  test('collection with RESTful fullUrls: relative references keep resolving', () => {
    const { resources } = splitBundle(fixtureJson('fhir/valid/Bundle-lipids.json'));
    const keys = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
    assert.deepEqual(
      [...keys],
      [
        'DiagnosticReport/lipids',
        'Observation/cholesterol',
        'Observation/triglyceride',
        'Observation/hdlcholesterol',
        'Observation/ldlcholesterol',
      ],
    );
    const results = references(resources[0]).filter(([path]) => path.startsWith('.result'));
    assert.equal(results.length, 4);
    for (const [, reference] of results) assert.ok(keys.has(reference), reference);
    // A reference to something outside the Bundle is left as it was.
    assert.ok(references(resources[0]).some(([, reference]) => reference === 'Patient/pat2'));
  });
});

describe('splitBundle reference rules', () => {
  const bundle = {
    resourceType: 'Bundle',
    id: 'b1',
    type: 'collection',
    entry: [
      {
        fullUrl: 'http://a.example/fhir/Patient/p1',
        resource: { resourceType: 'Patient', id: 'p1' },
      },
      {
        fullUrl: 'http://a.example/fhir/Observation/o1',
        resource: {
          resourceType: 'Observation',
          id: 'o1',
          status: 'final',
          code: { text: 'x' },
          subject: { reference: 'Patient/p1' },
          performer: [{ reference: '#org' }, { reference: 'http://a.example/fhir/Patient/p1' }],
          hasMember: [{ reference: 'Observation/o2/_history/3' }],
          contained: [{ resourceType: 'Organization', id: 'org', name: 'Lab' }],
        },
      },
      {
        fullUrl: 'urn:oid:1.2.3.4',
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { text: 'y' },
          subject: { reference: 'urn:oid:1.2.3.4' },
          focus: [{ reference: 'Patient/elsewhere' }],
        },
      },
      {
        // Same id as the first entry, another server: a different resource, kept apart.
        fullUrl: 'http://b.example/fhir/Observation/o2',
        resource: { resourceType: 'Observation', id: 'o2', status: 'final', code: { text: 'z' } },
      },
    ],
  };

  test('absolute, relative, versioned, contained and unresolvable references', () => {
    const { resources } = splitBundle(bundle);
    const [, observation, third] = resources;
    assert.deepEqual(observation?.subject, { reference: 'Patient/p1' });
    assert.deepEqual(observation?.performer, [{ reference: '#org' }, { reference: 'Patient/p1' }]);
    // Observation/o2 is not on this entry's server (a.example) but is an entry: Observation/o2.
    assert.deepEqual(observation?.hasMember, [{ reference: 'Observation/o2' }]);
    // No id and a non-UUID fullUrl: a derived, stable UUID.
    assert.match(
      String(third?.id),
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.deepEqual(third?.subject, { reference: `Observation/${third?.id}` });
    assert.deepEqual(third?.focus, [{ reference: 'Patient/elsewhere' }]);
    for (const resource of resources) assertValidFhir(resource);
  });

  test('a repeated resource is taken once; a non-Bundle is refused', () => {
    const twice = { ...bundle, entry: [bundle.entry[0], bundle.entry[0]] };
    const { resources, skipped } = splitBundle(twice);
    assert.equal(resources.length, 1);
    assert.deepEqual(skipped, ['entry 1: a second Patient with the same id, not imported']);
    assert.throws(
      () => splitBundle({ resourceType: 'Patient' }, { file: 'p.json' }),
      (error: unknown) => error instanceof ConversionError && error.file === 'p.json',
    );
  });
});
