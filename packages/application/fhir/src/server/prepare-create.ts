import type { Resource } from '../convert/fhir-types.ts';

/**
 * The resource as it will be stored by a create: a copy with the server's id (FHIR create ignores
 * the client's), and without the versionId and lastUpdated the source assigns.
 */
export function prepareCreate(resource: Resource, id: string): Resource {
  const copy = structuredClone(resource);
  copy.id = id;
  if (typeof copy.meta === 'object' && copy.meta !== null) {
    const {
      versionId: _versionId,
      lastUpdated: _lastUpdated,
      ...meta
    } = copy.meta as Record<string, unknown>;
    if (Object.keys(meta).length > 0) copy.meta = meta;
    else delete copy.meta;
  }
  return copy;
}
