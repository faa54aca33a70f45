// Validation throughput over the Synthea patient bundles: every entry resource counts as one.
// Loading the definitions and compiling the types the bundles use happens before the clock starts.
import { readdirSync, readFileSync } from 'node:fs';
import { validateResource } from '../src/validate/validate-resource.ts';

const dir = new URL('../../../../../shared/fixtures/synthea/', import.meta.url);
const bundles = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as { entry?: unknown[] });
const resourcesPerPass = bundles.reduce((sum, bundle) => sum + (bundle.entry?.length ?? 0), 0);

for (const bundle of bundles) {
  if (!validateResource(bundle).valid) throw new Error('a Synthea fixture failed validation');
}

const passes = 200;
const start = process.hrtime.bigint();
for (let pass = 0; pass < passes; pass++) {
  for (const bundle of bundles) validateResource(bundle);
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
// Exactly one JSON line, the figure issue 7 asks for (target: >= 10,000 resources/s).
console.log(
  JSON.stringify({
    bench: 'fhir-validate',
    resources_per_s: Math.round((resourcesPerPass * passes) / seconds),
  }),
);
