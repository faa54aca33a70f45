import type { Resource } from '../convert/fhir-types.ts';
import type { FhirDataSource, ListHints, StoredResource } from './data-source.ts';
import { DuplicateResourceError } from './errors.ts';

/**
 * A FhirDataSource held in this process's memory only (nothing is written to disk), with every
 * version of every resource. For tests and for offline use of the server; it has no access
 * control (everything in it is readable) and no audit.
 *
 * Every resource handed in or out is a copy, so callers cannot change what is stored.
 */
export class MemoryFhirDataSource implements FhirDataSource {
  readonly #versions = new Map<string, StoredResource[]>();
  readonly #now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Stores a version of a resource (which must have an id): the first one, or a new version of
   * one already stored. `lastUpdated` defaults to now. Returns what was stored.
   */
  add(resource: Resource, options: { lastUpdated?: Date } = {}): StoredResource {
    if (typeof resource.id !== 'string' || resource.id === '') {
      throw new TypeError('MemoryFhirDataSource.add needs a resource with an id');
    }
    const key = `${resource.resourceType}/${resource.id}`;
    const history = this.#versions.get(key) ?? [];
    const stored: StoredResource = {
      resource: structuredClone(resource),
      versionId: String(history.length + 1),
      lastUpdated: new Date(options.lastUpdated ?? this.#now()),
    };
    history.push(stored);
    this.#versions.set(key, history);
    return copy(stored);
  }

  /** How many resources (not versions) are stored. */
  get size(): number {
    return this.#versions.size;
  }

  async *listResources(hints: ListHints): AsyncIterable<StoredResource> {
    for (const history of this.#versions.values()) {
      const current = history.at(-1);
      if (current === undefined) continue;
      if (hints.resourceType !== undefined && current.resource.resourceType !== hints.resourceType)
        continue;
      yield copy(current);
    }
  }

  async read(resourceType: string, id: string): Promise<StoredResource | undefined> {
    const current = this.#versions.get(`${resourceType}/${id}`)?.at(-1);
    return current === undefined ? undefined : copy(current);
  }

  async readVersion(
    resourceType: string,
    id: string,
    versionId: string,
  ): Promise<StoredResource | undefined> {
    const found = this.#versions
      .get(`${resourceType}/${id}`)
      ?.find((version) => version.versionId === versionId);
    return found === undefined ? undefined : copy(found);
  }

  async create(resources: readonly Resource[]): Promise<StoredResource[]> {
    // Checked before anything is stored: all or nothing.
    const keys = new Set<string>();
    for (const resource of resources) {
      const key = `${resource.resourceType}/${resource.id}`;
      if (typeof resource.id !== 'string' || this.#versions.has(key) || keys.has(key)) {
        throw new DuplicateResourceError(resource.resourceType);
      }
      keys.add(key);
    }
    const lastUpdated = this.#now();
    return resources.map((resource) => this.add(resource, { lastUpdated }));
  }
}

function copy(stored: StoredResource): StoredResource {
  return {
    ...stored,
    resource: structuredClone(stored.resource),
    lastUpdated: new Date(stored.lastUpdated),
  };
}
