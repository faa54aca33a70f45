// Compiles R4 StructureDefinition snapshots into validators' data: per type, a map from each JSON
// property name to what it may hold. Types are compiled on first use and kept, so validating a
// Patient never pays for the 140 resource types it does not touch.

import {
  type ElementDefinition,
  type ElementType,
  FHIR_TYPE_EXTENSION,
  type StructureDefinition,
} from './definition-types.ts';
import { expandValueSet, type Terminology } from './expand-value-set.ts';
import { FhirDefinitionsError } from './fhir-definitions-error.ts';
import { xsdPatternToRegExp } from './xsd-pattern.ts';

const REGEX_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/regex';
const SYSTEM_TYPE_PREFIX = 'http://hl7.org/fhirpath/System.';

export type JsonKind = 'string' | 'number' | 'boolean';

export type PrimitiveModel = {
  kind: 'primitive';
  name: string;
  /** How the value is written in JSON (R4 JSON format: numbers and booleans are not quoted). */
  json: JsonKind;
  /** The spec's regular expression, anchored; undefined for xhtml. */
  pattern: RegExp | undefined;
  /** integer and its specialisations are 32-bit signed in R4. */
  int32: boolean;
  /** The shape of the `_name` companion object (id, extension). */
  element: ComplexModel;
};

export type ChoiceGroup = {
  /** The element name as the definition writes it, e.g. `value[x]`. */
  name: string;
  min: number;
  members: string[];
};

export type PropertyModel = {
  /** JSON property name, e.g. `valueQuantity`. */
  name: string;
  min: number;
  max: number;
  array: boolean;
  /** A `_name` companion is allowed (primitive types not rendered as XML attributes). */
  hasElementPart: boolean;
  /** Codes allowed by a required binding that could be expanded (code-typed elements only). */
  codes: ReadonlySet<string> | undefined;
  /** The value set those codes come from, for messages. */
  valueSet: string | undefined;
  choice: ChoiceGroup | undefined;
  type: () => TypeModel;
};

export type ComplexModel = {
  kind: 'complex';
  /** The type name, or the backbone element's path (`Observation.component`). */
  name: string;
  properties: Map<string, PropertyModel>;
  /** Non-choice properties with min ≥ 1. */
  required: PropertyModel[];
  choices: ChoiceGroup[];
};

/** Any resource, decided by the instance's `resourceType` (Bundle.entry.resource, contained). */
export type ResourceSlotModel = { kind: 'resource' };

export type TypeModel = PrimitiveModel | ComplexModel | ResourceSlotModel;

const RESOURCE_SLOT: ResourceSlotModel = { kind: 'resource' };

function fhirTypeCode(type: ElementType): string {
  if (!type.code.startsWith(SYSTEM_TYPE_PREFIX)) return type.code;
  const declared = type.extension?.find((extension) => extension.url === FHIR_TYPE_EXTENSION);
  return declared?.valueUrl ?? 'string';
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function maxOf(element: ElementDefinition): number {
  return element.max === undefined || element.max === '*'
    ? Number.POSITIVE_INFINITY
    : Number(element.max);
}

export class R4Model {
  readonly #structures: Map<string, StructureDefinition>;
  readonly #terminology: Terminology;
  readonly #types = new Map<string, TypeModel>();
  readonly #bindings = new Map<string, ReadonlySet<string> | undefined>();

  constructor(structures: Map<string, StructureDefinition>, terminology: Terminology) {
    this.#structures = structures;
    this.#terminology = terminology;
  }

  /** True for a concrete (non-abstract) resource type of R4. */
  isResourceType(name: string): boolean {
    const definition = this.#structures.get(name);
    return definition?.kind === 'resource' && !definition.abstract;
  }

  /** The compiled model of a type; throws for a name that is not an R4 type. */
  type(name: string): TypeModel {
    const cached = this.#types.get(name);
    if (cached) return cached;
    if (name === 'Resource') return RESOURCE_SLOT;
    const definition = this.#structures.get(name);
    if (!definition) throw new FhirDefinitionsError(`The R4 definitions have no type ${name}`);
    const model =
      definition.kind === 'primitive-type'
        ? this.#compilePrimitive(definition)
        : this.#compileComplex(definition);
    this.#types.set(name, model);
    return model;
  }

  #codes(valueSet: string): ReadonlySet<string> | undefined {
    if (!this.#bindings.has(valueSet)) {
      this.#bindings.set(valueSet, expandValueSet(valueSet, this.#terminology));
    }
    return this.#bindings.get(valueSet);
  }

  #jsonKind(definition: StructureDefinition): JsonKind {
    for (let current: StructureDefinition | undefined = definition; current; ) {
      if (current.type === 'boolean') return 'boolean';
      if (current.type === 'integer' || current.type === 'decimal') return 'number';
      const base: string | undefined = current.baseDefinition?.split('/').pop();
      current = base ? this.#structures.get(base) : undefined;
    }
    return 'string';
  }

  #isInteger(definition: StructureDefinition): boolean {
    return (
      definition.type === 'integer' || definition.baseDefinition?.endsWith('/integer') === true
    );
  }

  #compilePrimitive(definition: StructureDefinition): PrimitiveModel {
    const valuePath = `${definition.type}.value`;
    const value = definition.snapshot.element.find((element) => element.path === valuePath);
    const regex = value?.type?.[0]?.extension?.find(
      (extension) => extension.url === REGEX_EXTENSION,
    );
    const elementPart = definition.snapshot.element.filter((element) => element.path !== valuePath);
    return {
      kind: 'primitive',
      name: definition.type,
      json: this.#jsonKind(definition),
      pattern: regex?.valueString ? xsdPatternToRegExp(regex.valueString) : undefined,
      int32: this.#isInteger(definition),
      element: this.#compileTree(definition.type, elementPart).get(definition.type) as ComplexModel,
    };
  }

  #compileComplex(definition: StructureDefinition): ComplexModel {
    return this.#compileTree(definition.type, definition.snapshot.element).get(
      definition.type,
    ) as ComplexModel;
  }

  /** Compiles a snapshot into the type's model and one model per backbone element. */
  #compileTree(root: string, elements: ElementDefinition[]): Map<string, ComplexModel> {
    const children = new Map<string, ElementDefinition[]>();
    for (const element of elements) {
      const cut = element.path.lastIndexOf('.');
      if (cut === -1) continue;
      const parent = element.path.slice(0, cut);
      const siblings = children.get(parent);
      if (siblings) siblings.push(element);
      else children.set(parent, [element]);
    }
    const nested = new Map<string, ComplexModel>();
    for (const path of [root, ...children.keys()]) {
      nested.set(path, {
        kind: 'complex',
        name: path,
        properties: new Map(),
        required: [],
        choices: [],
      });
    }
    for (const [parentPath, members] of children) {
      const parent = nested.get(parentPath) as ComplexModel;
      for (const element of members) this.#addProperty(parent, element, nested, children);
    }
    return nested;
  }

  #addProperty(
    parent: ComplexModel,
    element: ElementDefinition,
    nested: Map<string, ComplexModel>,
    children: Map<string, ElementDefinition[]>,
  ): void {
    const elementName = element.path.slice(element.path.lastIndexOf('.') + 1);
    const min = element.min ?? 0;
    const max = maxOf(element);
    const binding =
      element.binding?.strength === 'required' && element.binding.valueSet
        ? element.binding.valueSet
        : undefined;
    const hasElementPart = !element.representation?.includes('xmlAttr');
    const base = { min, max, array: element.max !== '1', choice: undefined };

    if (element.contentReference || children.has(element.path)) {
      // A backbone element, or a reference to one elsewhere in the same type (`#Questionnaire.item`).
      const target = element.contentReference?.slice(1) ?? element.path;
      const property: PropertyModel = {
        ...base,
        name: elementName,
        hasElementPart: false,
        codes: undefined,
        valueSet: undefined,
        type: () => {
          const model = nested.get(target);
          if (!model)
            throw new FhirDefinitionsError(
              `The R4 definitions have no element ${target} to reference`,
            );
          return model;
        },
      };
      parent.properties.set(elementName, property);
      if (min > 0) parent.required.push(property);
      return;
    }

    const types = element.type ?? [];
    const choiceName = elementName.endsWith('[x]') ? elementName.slice(0, -3) : undefined;
    const group: ChoiceGroup | undefined = choiceName
      ? { name: elementName, min, members: [] }
      : undefined;
    for (const type of types) {
      const code = fhirTypeCode(type);
      const name = choiceName === undefined ? elementName : choiceName + upperFirst(code);
      const isPrimitive = this.#structures.get(code)?.kind === 'primitive-type';
      let resolved: TypeModel | undefined;
      const property: PropertyModel = {
        ...base,
        name,
        // Choice members are counted as a group, not each on its own.
        min: group ? 0 : min,
        hasElementPart: isPrimitive && hasElementPart,
        codes: binding && code === 'code' ? this.#codes(binding) : undefined,
        valueSet: binding && code === 'code' ? binding.split('|')[0] : undefined,
        choice: group,
        type: () => {
          resolved ??= this.type(code);
          return resolved;
        },
      };
      parent.properties.set(name, property);
      group?.members.push(name);
      if (!group && min > 0) parent.required.push(property);
    }
    if (group) parent.choices.push(group);
  }
}
