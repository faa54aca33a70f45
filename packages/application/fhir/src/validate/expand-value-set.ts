import type {
  CodeSystem,
  CodeSystemConcept,
  ValueSet,
  ValueSetInclude,
} from './definition-types.ts';

export type Terminology = {
  valueSets: Map<string, ValueSet>;
  codeSystems: Map<string, CodeSystem>;
};

function allCodes(concepts: CodeSystemConcept[] | undefined, into: Set<string>): void {
  for (const concept of concepts ?? []) {
    into.add(concept.code);
    allCodes(concept.concept, into);
  }
}

/** The codes one include/exclude clause selects, or undefined when they cannot be listed here. */
function clauseCodes(
  clause: ValueSetInclude,
  terminology: Terminology,
  seen: Set<string>,
): Set<string> | undefined {
  // Filters (is-a, regex, …) and imports of other value sets combined with a system would need a
  // terminology server; such bindings are left unchecked rather than guessed.
  if (clause.filter && clause.filter.length > 0) return undefined;
  if (clause.valueSet && clause.valueSet.length > 0) {
    if (clause.system) return undefined;
    const codes = new Set<string>();
    for (const url of clause.valueSet) {
      const imported = expandValueSet(url, terminology, seen);
      if (!imported) return undefined;
      for (const code of imported) codes.add(code);
    }
    return codes;
  }
  if (!clause.system) return undefined;
  if (clause.concept) return new Set(clause.concept.map((concept) => concept.code));
  const system = terminology.codeSystems.get(clause.system);
  // Only a code system published in full (content "complete") can be enumerated.
  if (system?.content !== 'complete') return undefined;
  const codes = new Set<string>();
  allCodes(system.concept, codes);
  return codes;
}

/**
 * Expands an R4 value set from its `compose`, using the code systems shipped with the definitions.
 * `url` may carry a `|version` suffix. Returns undefined when the value set is unknown or cannot be
 * expanded without a terminology server (filters, external code systems such as BCP-47 or MIME).
 */
export function expandValueSet(
  url: string,
  terminology: Terminology,
  seen: Set<string> = new Set(),
): Set<string> | undefined {
  const canonical = url.split('|')[0] ?? url;
  if (seen.has(canonical)) return undefined;
  seen.add(canonical);
  const compose = terminology.valueSets.get(canonical)?.compose;
  if (!compose) return undefined;
  const codes = new Set<string>();
  for (const include of compose.include) {
    const included = clauseCodes(include, terminology, seen);
    if (!included) return undefined;
    for (const code of included) codes.add(code);
  }
  for (const exclude of compose.exclude ?? []) {
    const excluded = clauseCodes(exclude, terminology, seen);
    if (!excluded) return undefined;
    for (const code of excluded) codes.delete(code);
  }
  // `seen` guards against import cycles only: a value set imported twice is expanded twice.
  seen.delete(canonical);
  return codes;
}
