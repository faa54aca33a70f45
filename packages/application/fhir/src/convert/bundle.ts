import type { Bundle, Resource } from './fhir-types.ts';
import { deterministicUuid, urnUuid } from './ids.ts';

/**
 * Wraps resources (each with an id that is a UUID) as a transaction Bundle whose entries are
 * addressed by urn:uuid, so that references between them resolve inside the bundle and the server
 * that receives it assigns the final ids.
 */
export function transactionBundle(resources: readonly Resource[], bundleKey: string): Bundle {
  return {
    resourceType: 'Bundle',
    id: deterministicUuid('aegle-bundle', bundleKey),
    type: 'transaction',
    entry: resources.map((resource) => {
      if (resource.id === undefined)
        throw new TypeError('transactionBundle: every resource needs an id');
      return {
        fullUrl: urnUuid(resource.id),
        resource,
        request: { method: 'POST' as const, url: resource.resourceType },
      };
    }),
  };
}

/** A reference to a resource of the same bundle, by its urn:uuid fullUrl. */
export function referenceTo(resource: Resource): { reference: string } {
  if (resource.id === undefined) throw new TypeError('referenceTo: the resource needs an id');
  return { reference: urnUuid(resource.id) };
}
