import { ConversionError } from './errors.ts';
import type { Resource } from './fhir-types.ts';
import { deterministicUuid } from './ids.ts';

export type SplitBundleResult = {
  /** The entries' resources, each with an id, references between them rewritten to `Type/id`. */
  resources: Resource[];
  /** Entries that were not taken (requests without a resource, operations, duplicates), and why. */
  skipped: string[];
};

type BundleEntryInput = {
  fullUrl?: unknown;
  resource?: unknown;
  request?: { method?: unknown; url?: unknown };
};

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const URN_UUID =
  /^urn:uuid:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
// A RESTful URL or relative reference: [base/]Type/id[/_history/version].
const RESTFUL =
  /^(?:(.*)\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/**
 * Splits a Bundle (transaction, batch, collection, searchset, document…) into its resources, one
 * record each, keeping every reference between them resolvable once the Bundle is gone.
 *
 * Ids: a resource keeps its own id; one without (a transaction POST) takes the UUID of its
 * `urn:uuid:` fullUrl, or the id of a RESTful fullUrl, or else a UUID derived from `bundleKey`
 * and its position. So the same Bundle always gives the same ids, and re-importing it is
 * idempotent.
 *
 * References: one that names an entry's fullUrl (`urn:uuid:…`, an absolute URL), or a relative
 * `Type/id` that resolves against the referencing entry's RESTful base (the FHIR rules for
 * resolving references in Bundles), is rewritten to that entry's `Type/id`. References to
 * anything outside the Bundle, and `#contained` ones, are left as they are.
 *
 * Transaction entries without a resource (GET, DELETE) and operation calls (`POST Type/$op`) are
 * not resources to keep; they are listed in `skipped`. The Bundle is expected to be valid FHIR
 * (validate it first): this function only rejects what would make the split ambiguous.
 */
export function splitBundle(
  bundle: unknown,
  options: {
    bundleKey?: string;
    file?: string;
    /**
     * The caller gives the Bundle up (convertToFhir, which parsed or built it): its resources are
     * taken and rewritten in place instead of copied. Default false: the Bundle is left untouched.
     */
    consume?: boolean;
  } = {},
): SplitBundleResult {
  const at = (entry: string) => ({ file: options.file, entry });
  const record = bundle as { resourceType?: unknown; id?: unknown; entry?: unknown };
  if (typeof bundle !== 'object' || bundle === null || record.resourceType !== 'Bundle') {
    throw new ConversionError('FHIR', 'the input is not a Bundle', at('resourceType'));
  }
  const entries = (Array.isArray(record.entry) ? record.entry : []) as BundleEntryInput[];
  const bundleKey = options.bundleKey ?? (typeof record.id === 'string' ? record.id : '');
  const skipped: string[] = [];
  const taken: { index: number; fullUrl: string | undefined; resource: Resource }[] = [];
  const byFullUrl = new Map<string, string>();
  const seen = new Set<string>();

  entries.forEach((entry, index) => {
    const method = typeof entry.request?.method === 'string' ? entry.request.method : undefined;
    const url = typeof entry.request?.url === 'string' ? entry.request.url : '';
    if (typeof entry.resource !== 'object' || entry.resource === null) {
      skipped.push(`entry ${index}: ${method ?? 'an entry'} without a resource, not imported`);
      return;
    }
    if (method === 'POST' && /(^|\/)\$/.test(url)) {
      skipped.push(`entry ${index}: an operation call (POST ${url.split('?')[0]}), not imported`);
      return;
    }
    // A copy, unless the caller gave the Bundle up: its Bundle is left untouched.
    const resource = (
      options.consume ? entry.resource : structuredClone(entry.resource)
    ) as Resource;
    if (typeof resource.resourceType !== 'string') {
      throw new ConversionError(
        'FHIR',
        'the resource has no resourceType',
        at(`Bundle.entry[${index}].resource`),
      );
    }
    const fullUrl = typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined;
    resource.id = idFor(resource, fullUrl, bundleKey, index);
    const key = `${resource.resourceType}/${resource.id}`;
    if (seen.has(key)) {
      // Only a history Bundle legitimately repeats a resource; its first entry is the latest.
      skipped.push(
        `entry ${index}: a second ${resource.resourceType} with the same id, not imported`,
      );
      return;
    }
    seen.add(key);
    if (fullUrl !== undefined) byFullUrl.set(fullUrl, key);
    taken.push({ index, fullUrl, resource });
  });

  const local = new Set(seen);
  for (const { fullUrl, resource } of taken) {
    const base = fullUrl === undefined ? undefined : RESTFUL.exec(fullUrl)?.[1];
    rewriteReferences(resource, (reference) => {
      const direct = byFullUrl.get(reference);
      if (direct !== undefined) return direct;
      const relative = RESTFUL.exec(reference);
      if (relative === null || relative[1] !== undefined) return undefined;
      const target = `${relative[2]}/${relative[3]}`;
      if (base !== undefined) {
        const resolved = byFullUrl.get(`${base}/${target}`);
        if (resolved !== undefined) return resolved;
      }
      return local.has(target) ? target : undefined;
    });
  }
  return { resources: taken.map((item) => item.resource), skipped };
}

function idFor(
  resource: Resource,
  fullUrl: string | undefined,
  bundleKey: string,
  index: number,
): string {
  if (typeof resource.id === 'string' && FHIR_ID.test(resource.id)) return resource.id;
  const uuid = fullUrl === undefined ? undefined : URN_UUID.exec(fullUrl)?.[1];
  if (uuid !== undefined) return uuid.toLowerCase();
  const restful = fullUrl === undefined ? null : RESTFUL.exec(fullUrl);
  if (restful !== null && restful[2] === resource.resourceType && restful[3] !== undefined)
    return restful[3];
  return deterministicUuid('aegle-bundle-entry', bundleKey, index, fullUrl ?? '');
}

/**
 * Rewrites, in place, every `reference` of every Reference in a resource. `map` returns the new
 * value or undefined to leave it. Resources inside (contained, nested Bundles) are walked too:
 * their references to the outer Bundle's entries resolve the same way.
 */
export function rewriteReferences(
  value: unknown,
  map: (reference: string) => string | undefined,
): void {
  if (Array.isArray(value)) {
    for (const item of value) rewriteReferences(item, map);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const object = value as Record<string, unknown>;
  for (const [key, inner] of Object.entries(object)) {
    if (key === 'reference' && typeof inner === 'string') {
      if (inner.startsWith('#')) continue;
      const replaced = map(inner);
      if (replaced !== undefined) object[key] = replaced;
    } else if (typeof inner === 'object' && inner !== null) {
      rewriteReferences(inner, map);
    }
  }
}
