import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DuplicateResourceError } from './errors.ts';
import { MemoryFhirDataSource } from './memory-data-source.ts';

const patient = { resourceType: 'Patient', id: 'p1', active: true };

test('keeps versions; read gives the latest, readVersion any; copies in and out', async () => {
  const source = new MemoryFhirDataSource({ now: () => new Date('2024-01-01T00:00:00Z') });
  source.add(patient);
  source.add({ ...patient, active: false }, { lastUpdated: new Date('2024-02-01T00:00:00Z') });
  const latest = await source.read('Patient', 'p1');
  assert.equal(latest?.versionId, '2');
  assert.equal(latest?.resource.active, false);
  assert.equal(latest?.lastUpdated.toISOString(), '2024-02-01T00:00:00.000Z');
  const first = await source.readVersion('Patient', 'p1', '1');
  assert.equal(first?.resource.active, true);
  assert.equal(await source.readVersion('Patient', 'p1', '3'), undefined);
  assert.equal(await source.read('Observation', 'p1'), undefined);
  assert.ok(latest);
  latest.resource.active = 'changed';
  assert.equal((await source.read('Patient', 'p1'))?.resource.active, false);
  const listed = [];
  for await (const stored of source.listResources({ resourceType: 'Patient' })) listed.push(stored);
  assert.equal(listed.length, 1);
  for await (const _ of source.listResources({ resourceType: 'Observation' })) assert.fail();
});

test('create is all or nothing, and never overwrites', async () => {
  const source = new MemoryFhirDataSource();
  source.add(patient);
  await assert.rejects(
    source.create([{ resourceType: 'Observation', id: 'o1' }, { ...patient }]),
    DuplicateResourceError,
  );
  assert.equal(source.size, 1);
  await assert.rejects(
    source.create([
      { resourceType: 'Observation', id: 'o1' },
      { resourceType: 'Observation', id: 'o1' },
    ]),
    DuplicateResourceError,
  );
  const stored = await source.create([{ resourceType: 'Observation', id: 'o1' }]);
  assert.deepEqual(
    stored.map((s) => [s.resource.id, s.versionId]),
    [['o1', '1']],
  );
  assert.equal(source.size, 2);
});
