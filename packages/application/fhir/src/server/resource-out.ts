import type { Resource } from '../convert/fhir-types.ts';
import type { StoredResource } from './data-source.ts';

/** The resource as sent to a client: `meta.versionId` and `meta.lastUpdated` from the source. */
export function resourceOut(stored: StoredResource): Resource {
  const meta = (stored.resource.meta ?? {}) as Record<string, unknown>;
  return {
    ...stored.resource,
    meta: { ...meta, versionId: stored.versionId, lastUpdated: stored.lastUpdated.toISOString() },
  };
}

/** The weak ETag of a version, as FHIR writes it. */
export function etagOf(stored: StoredResource): string {
  return `W/"${stored.versionId}"`;
}
