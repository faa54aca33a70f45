// Holds the one-way dependency rule: core ← service ← application. A package may import only
// packages of its own layer or of a layer below it, and must declare every package it imports.
// Run by `npm run check`; exits non-zero naming each offending file and import.
import { globSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const LAYERS = ['core', 'service', 'application'] as const;
type Manifest = {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

const packages = globSync('packages/*/*/package.json').map((file) => {
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  const dir = dirname(file);
  return { dir, manifest, layer: LAYERS.indexOf(dir.split('/')[1] as (typeof LAYERS)[number]) };
});
const layerOf = new Map(packages.map((p) => [p.manifest.name, p.layer]));
const problems: string[] = [];

for (const { dir, manifest, layer } of packages) {
  if (layer < 0) problems.push(`${dir}: not under packages/{${LAYERS.join(',')}}`);
  const declared = new Set(
    Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).concat(manifest.name),
  );
  for (const file of globSync(join(dir, '{src,test,bench}/**/*.ts'))) {
    const source = readFileSync(file, 'utf8');
    const statements = source.matchAll(
      /^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([@#.\w][^'"\s,]*)['"]/gm,
    );
    const dynamic = source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g);
    for (const match of [...statements, ...dynamic]) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('#'))
        continue;
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
      if (!declared.has(name)) problems.push(`${file}: imports ${name}, not in package.json`);
      const target = layerOf.get(name);
      if (target !== undefined && target > layer) {
        problems.push(`${file}: ${LAYERS[layer]} imports ${name} (${LAYERS[target]})`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`check-layers: ${problems.length} problem(s)\n${problems.join('\n')}`);
  process.exitCode = 1;
}
