// Walks a JSON value against the compiled R4 model and collects OperationOutcome issues. Each
// issue's expression is the FHIRPath-style location of the problem in the instance, with array
// indexes (`Bundle.entry[3].resource.status`); choice elements keep their JSON name
// (`Observation.valueQuantity.value`), and a primitive's `_name` companion keeps its underscore.

import type { ComplexModel, PrimitiveModel, PropertyModel, R4Model } from './compile-model.ts';
import type { IssueType, OperationOutcomeIssue } from './operation-outcome.ts';
import { invalidPrimitiveDiagnostics } from './primitive-diagnostics.ts';

/** Past this many issues the rest are summarised: a broken file should not produce megabytes. */
export const MAX_ISSUES = 500;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonKindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** Property names are schema-level text, but an unknown one is echoed only if it looks like one. */
function nameForMessage(key: string): string {
  return SAFE_NAME.test(key) ? key : '(unprintable name)';
}

export class InstanceWalk {
  readonly issues: OperationOutcomeIssue[] = [];
  #dropped = 0;
  readonly #model: R4Model;

  constructor(model: R4Model) {
    this.#model = model;
  }

  /** The issues found, with a closing note when some were cut. */
  result(): OperationOutcomeIssue[] {
    if (this.#dropped === 0) return this.issues;
    return [
      ...this.issues,
      {
        severity: 'error',
        code: 'too-costly',
        diagnostics: `${this.#dropped} further issues were not listed (limit ${MAX_ISSUES})`,
      },
    ];
  }

  #add(code: IssueType, path: string, diagnostics: string): void {
    if (this.issues.length >= MAX_ISSUES) {
      this.#dropped++;
      return;
    }
    this.issues.push({ severity: 'error', code, diagnostics, expression: [path] });
  }

  /** A resource at `path` ('' for the document itself, whose location is then its type). */
  resource(value: unknown, path: string): void {
    const where = path || 'Resource';
    if (!isObject(value)) {
      this.#add(
        'structure',
        where,
        `A resource must be a JSON object, not a JSON ${jsonKindOf(value)}`,
      );
      return;
    }
    const type = value.resourceType;
    if (typeof type !== 'string') {
      this.#add('required', path ? `${path}.resourceType` : 'resourceType', 'Missing resourceType');
      return;
    }
    if (!this.#model.isResourceType(type)) {
      this.#add(
        'invalid',
        path ? `${path}.resourceType` : 'resourceType',
        `Unknown resourceType '${nameForMessage(type)}': not a FHIR R4 resource type`,
      );
      return;
    }
    this.#complex(this.#model.type(type) as ComplexModel, value, path || type, true);
  }

  #complex(model: ComplexModel, value: JsonObject, path: string, isResource: boolean): void {
    for (const key in value) {
      if (isResource && key === 'resourceType') continue;
      // Absent in JSON; a JavaScript caller's `{ x: undefined }` means the same.
      if (value[key] === undefined) continue;
      const property = model.properties.get(key);
      if (property) {
        const elementPart = property.hasElementPart ? value[`_${key}`] : undefined;
        this.#property(property, value[key], elementPart, `${path}.${key}`, `${path}._${key}`);
        continue;
      }
      if (key.charCodeAt(0) === 95 /* _ */) {
        const primitive = model.properties.get(key.slice(1));
        if (primitive?.hasElementPart) {
          // With its value present the companion was checked alongside it.
          if (value[primitive.name] === undefined) {
            this.#elementPartOnly(primitive, value[key], `${path}.${key}`);
          }
          continue;
        }
      }
      this.#add(
        'structure',
        `${path}.${nameForMessage(key)}`,
        `Unrecognized property '${nameForMessage(key)}'`,
      );
    }
    for (const property of model.required) {
      const count = this.#count(value, property);
      if (count < property.min) {
        this.#add(
          'required',
          `${path}.${property.name}`,
          `Missing required element '${property.name}': minimum cardinality ${property.min}, found ${count}`,
        );
      }
    }
    for (const group of model.choices) {
      let present = 0;
      for (const member of group.members) {
        if (value[member] !== undefined || value[`_${member}`] !== undefined) present++;
      }
      if (present > 1) {
        this.#add(
          'structure',
          `${path}.${group.name}`,
          `Only one of the ${group.name} forms may be present, found ${present}`,
        );
      } else if (present === 0 && group.min > 0) {
        this.#add(
          'required',
          `${path}.${group.name}`,
          `Missing required element '${group.name}': minimum cardinality ${group.min}, found 0`,
        );
      }
    }
  }

  #count(value: JsonObject, property: PropertyModel): number {
    const own = value[property.name];
    const part = property.hasElementPart ? value[`_${property.name}`] : undefined;
    const length = (item: unknown): number =>
      item === undefined ? 0 : Array.isArray(item) ? item.length : 1;
    return Math.max(length(own), length(part));
  }

  #property(
    property: PropertyModel,
    value: unknown,
    elementPart: unknown,
    path: string,
    partPath: string,
  ): void {
    if (!property.array) {
      if (Array.isArray(value)) {
        this.#add(
          'structure',
          path,
          `The property ${property.name} must be a single value, not a JSON array (maximum cardinality 1)`,
        );
        return;
      }
      if (value === null) this.#add('structure', path, 'null is not allowed here');
      else this.#value(property, value, path);
      if (elementPart !== undefined) this.#elementPart(property, elementPart, partPath);
      return;
    }
    if (!Array.isArray(value)) {
      this.#add(
        'structure',
        path,
        `The property ${property.name} must be a JSON array, not a JSON ${jsonKindOf(value)}`,
      );
      return;
    }
    if (value.length === 0)
      this.#add('structure', path, 'Array cannot be empty: leave the property out instead');
    if (value.length > property.max) {
      this.#add(
        'structure',
        path,
        `Too many items: maximum cardinality ${property.max}, found ${value.length}`,
      );
    }
    const parts = elementPart === undefined ? undefined : elementPart;
    if (parts !== undefined && (!Array.isArray(parts) || parts.length !== value.length)) {
      this.#add(
        'structure',
        partPath,
        `_${property.name} must be a JSON array as long as ${property.name}`,
      );
    }
    const partArray = Array.isArray(parts) && parts.length === value.length ? parts : undefined;
    for (let index = 0; index < value.length; index++) {
      const item = value[index];
      const part = partArray?.[index];
      if (item === null) {
        // null keeps the arrays aligned when only the companion has content at this index.
        if (part === undefined || part === null)
          this.#add('structure', `${path}[${index}]`, 'null is not allowed here');
      } else {
        this.#value(property, item, `${path}[${index}]`);
      }
      if (part !== undefined && part !== null)
        this.#elementPart(property, part, `${partPath}[${index}]`);
    }
  }

  /** A `_name` companion without its value: the element then carries only id/extension. */
  #elementPartOnly(property: PropertyModel, part: unknown, path: string): void {
    if (!property.array) {
      this.#elementPart(property, part, path);
      return;
    }
    if (!Array.isArray(part)) {
      this.#add(
        'structure',
        path,
        `The property _${property.name} must be a JSON array, not a JSON ${jsonKindOf(part)}`,
      );
      return;
    }
    for (let index = 0; index < part.length; index++) {
      const item = part[index];
      if (item === null) this.#add('structure', `${path}[${index}]`, 'null is not allowed here');
      else this.#elementPart(property, item, `${path}[${index}]`);
    }
  }

  #elementPart(property: PropertyModel, part: unknown, path: string): void {
    const model = property.type() as PrimitiveModel;
    if (!isObject(part)) {
      this.#add(
        'structure',
        path,
        `_${property.name} must be a JSON object (id, extension), not a JSON ${jsonKindOf(part)}`,
      );
      return;
    }
    this.#complex(model.element, part, path, false);
  }

  #value(property: PropertyModel, value: unknown, path: string): void {
    const model = property.type();
    if (model.kind === 'primitive') {
      this.#primitive(model, property, value, path);
    } else if (model.kind === 'resource') {
      this.resource(value, path);
    } else if (isObject(value)) {
      this.#complex(model, value, path, false);
    } else {
      this.#add(
        'structure',
        path,
        `The property ${property.name} must be a JSON object, not a JSON ${jsonKindOf(value)}`,
      );
    }
  }

  #primitive(model: PrimitiveModel, property: PropertyModel, value: unknown, path: string): void {
    if (typeof value !== model.json) {
      this.#add(
        'structure',
        path,
        `The ${model.name} value must be a JSON ${model.json}, not a JSON ${jsonKindOf(value)}`,
      );
      return;
    }
    if (model.json === 'number') {
      const number = value as number;
      const ok =
        (!model.int32 ||
          (Number.isInteger(number) && number >= INT32_MIN && number <= INT32_MAX)) &&
        (model.pattern === undefined || model.pattern.test(String(number)));
      if (!ok) this.#add('value', path, invalidPrimitiveDiagnostics(model.name, value));
      return;
    }
    if (model.json === 'string') {
      if (model.pattern ? !model.pattern.test(value as string) : (value as string).length === 0) {
        this.#add('value', path, invalidPrimitiveDiagnostics(model.name, value));
        return;
      }
      if (property.codes && !property.codes.has(value as string)) {
        this.#add(
          'code-invalid',
          path,
          `The code is not in the required value set ${property.valueSet} of ${property.name}`,
        );
      }
    }
  }
}
