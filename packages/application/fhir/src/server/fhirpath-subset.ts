// The small part of FHIRPath that R4's SearchParameter expressions for the served parameters use:
// paths (choice elements included), unions, parentheses, `.ofType(T)` and
// `.where(resolve() is T)`. Anything else is refused when the expression is compiled, so a
// parameter whose expression is not understood is never advertised nor half-evaluated.

import type { TypeModel } from '../validate/compile-model.ts';
import { r4Model } from '../validate/r4-model.ts';

/** A value found by an expression, with its FHIR type (`dateTime`, `Period`, `CodeableConcept`…). */
export type FhirPathNode = { value: unknown; type: string };

type Step =
  | { kind: 'child'; name: string }
  | { kind: 'ofType'; type: string }
  | { kind: 'resolveIs'; type: string };

/** One term of a union: a path from a resource type. */
export type PathTerm = { root: string; steps: Step[] };

/** The expression could not be compiled by this subset. */
export class UnsupportedFhirPathError extends Error {
  override name = 'UnsupportedFhirPathError';
}

const TOKEN = /\s*([()|.]|[A-Za-z_][A-Za-z0-9_]*)/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (match === null) {
      if (expression.slice(start).trim() === '') break;
      throw new UnsupportedFhirPathError(`unsupported syntax at ${start}`);
    }
    tokens.push(match[1] as string);
  }
  return tokens;
}

/** Parses an expression into its union terms. */
export function compileFhirPath(expression: string): PathTerm[] {
  const tokens = tokenize(expression);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string): string => {
    const token = tokens[at++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new UnsupportedFhirPathError(`expected ${expected ?? 'more'}`);
    }
    return token;
  };
  const identifier = (): string => {
    const token = take();
    if (!/^[A-Za-z_]/.test(token)) throw new UnsupportedFhirPathError('expected a name');
    return token;
  };

  const steps = (): Step[] => {
    const result: Step[] = [];
    while (peek() === '.') {
      take('.');
      const name = identifier();
      if (peek() !== '(') {
        result.push({ kind: 'child', name });
        continue;
      }
      take('(');
      if (name === 'ofType') {
        result.push({ kind: 'ofType', type: identifier() });
      } else if (name === 'where') {
        take('resolve');
        take('(');
        take(')');
        take('is');
        result.push({ kind: 'resolveIs', type: identifier() });
      } else {
        throw new UnsupportedFhirPathError(`unsupported function ${name}`);
      }
      take(')');
    }
    return result;
  };

  const term = (): PathTerm[] => {
    if (peek() === '(') {
      take('(');
      const inner = union();
      take(')');
      const after = steps();
      return inner.map((item) => ({ root: item.root, steps: [...item.steps, ...after] }));
    }
    const root = identifier();
    return [{ root, steps: steps() }];
  };

  const union = (): PathTerm[] => {
    const terms = term();
    while (peek() === '|') {
      take('|');
      terms.push(...term());
    }
    return terms;
  };

  const terms = union();
  if (at !== tokens.length) throw new UnsupportedFhirPathError('unexpected trailing tokens');
  return terms;
}

/**
 * Checks that every step of a term can be followed in the R4 model of its root type (so a typo or
 * an element of another version is caught at compile time, not silently matching nothing).
 */
export function checkPathTerm(term: PathTerm): void {
  const model = r4Model();
  let current: TypeModel[] = [model.type(term.root)];
  for (const step of term.steps) {
    if (step.kind === 'child') {
      const next: TypeModel[] = [];
      for (const type of current) {
        if (type.kind !== 'complex') continue;
        for (const property of propertiesNamed(type, step.name)) next.push(property.type());
      }
      if (next.length === 0) throw new UnsupportedFhirPathError(`no element ${step.name}`);
      current = next;
    } else if (step.kind === 'ofType') {
      current = current.filter((type) => type.kind !== 'resource' && type.name === step.type);
      if (current.length === 0) throw new UnsupportedFhirPathError(`no ${step.type} here`);
    } else {
      current = current.filter((type) => type.kind === 'complex' && type.name === 'Reference');
      if (current.length === 0) throw new UnsupportedFhirPathError('resolve() on a non-Reference');
    }
  }
}

function propertiesNamed(type: TypeModel & { kind: 'complex' }, name: string) {
  const direct = type.properties.get(name);
  if (direct !== undefined) return [direct];
  return [...type.properties.values()].filter((property) => property.choice?.name === `${name}[x]`);
}

/** Evaluates compiled terms on a resource; terms rooted at another type give nothing. */
export function evaluateFhirPath(
  terms: readonly PathTerm[],
  resource: { resourceType: string; [element: string]: unknown },
): FhirPathNode[] {
  const model = r4Model();
  const results: FhirPathNode[] = [];
  for (const term of terms) {
    if (term.root !== resource.resourceType) continue;
    let nodes: { value: unknown; model: TypeModel }[] = [
      { value: resource, model: model.type(term.root) },
    ];
    for (const step of term.steps) {
      nodes = applyStep(nodes, step);
    }
    for (const node of nodes) {
      if (node.model.kind !== 'resource')
        results.push({ value: node.value, type: node.model.name });
    }
  }
  return results;
}

function applyStep(
  nodes: { value: unknown; model: TypeModel }[],
  step: Step,
): { value: unknown; model: TypeModel }[] {
  const next: { value: unknown; model: TypeModel }[] = [];
  for (const node of nodes) {
    if (step.kind === 'child') {
      if (node.model.kind !== 'complex' || typeof node.value !== 'object' || node.value === null)
        continue;
      const object = node.value as Record<string, unknown>;
      for (const property of propertiesNamed(node.model, step.name)) {
        const value = object[property.name];
        if (value === undefined || value === null) continue;
        const items = Array.isArray(value) ? value : [value];
        for (const item of items) {
          if (item !== null && item !== undefined)
            next.push({ value: item, model: property.type() });
        }
      }
    } else if (step.kind === 'ofType') {
      if (node.model.kind !== 'resource' && node.model.name === step.type) next.push(node);
    } else if (referenceIs(node.value, step.type)) {
      next.push(node);
    }
  }
  return next;
}

/** Whether a Reference points at a resource of this type, judged without resolving it. */
export function referenceIs(value: unknown, type: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const reference = value as { reference?: unknown; type?: unknown };
  if (reference.type === type) return true;
  if (typeof reference.reference !== 'string') return false;
  return referenceTarget(reference.reference)?.type === type;
}

const REFERENCE =
  /^(?:.*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** The type and id a literal reference (relative, absolute or versioned) names. */
export function referenceTarget(reference: string): { type: string; id: string } | undefined {
  const match = REFERENCE.exec(reference);
  if (match === null) return undefined;
  return { type: match[1] as string, id: match[2] as string };
}
