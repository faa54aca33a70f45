import { randomUUID } from 'node:crypto';
import type { Resource } from '../convert/fhir-types.ts';
import { rewriteReferences } from '../convert/split-bundle.ts';
import { validateResource } from '../validate/validate-resource.ts';
import { FhirRequestError } from './errors.ts';
import { prepareCreate } from './prepare-create.ts';

type Entry = {
  fullUrl?: unknown;
  resource?: Resource;
  request?: { method?: unknown; url?: unknown; ifNoneExist?: unknown; ifMatch?: unknown };
};

/**
 * Checks a transaction Bundle and turns it into the resources to create, in entry order, before
 * anything is stored: the whole Bundle is validated against R4 first; every entry must be a plain
 * create (`POST Type`), the only interaction served; each resource gets a new id; and references
 * to entries' fullUrls (`urn:uuid:…`, absolute URLs) are rewritten to `Type/id`. A `urn:` reference
 * that names no entry is an error, since it could never resolve.
 */
export function prepareTransaction(body: unknown): Resource[] {
  const bundle = body as { resourceType?: unknown; type?: unknown; entry?: unknown };
  if (typeof body !== 'object' || body === null || bundle.resourceType !== 'Bundle') {
    throw new FhirRequestError(400, 'invalid', 'POST / takes a transaction Bundle', {
      expression: ['resourceType'],
    });
  }
  if (bundle.type !== 'transaction') {
    throw new FhirRequestError(
      400,
      'not-supported',
      'Only Bundles of type transaction are processed at the base URL',
      { expression: ['Bundle.type'] },
    );
  }
  const validation = validateResource(body);
  if (!validation.valid) {
    throw new FhirRequestError(400, 'invalid', 'The Bundle is not valid FHIR R4', {
      outcome: validation.outcome,
    });
  }
  const entries = (Array.isArray(bundle.entry) ? bundle.entry : []) as Entry[];
  const byFullUrl = new Map<string, string>();
  const resources: Resource[] = [];
  entries.forEach((entry, index) => {
    const at = `Bundle.entry[${index}]`;
    const request = entry.request ?? {};
    const resource = entry.resource;
    if (
      request.method !== 'POST' ||
      resource === undefined ||
      request.url !== resource.resourceType ||
      request.ifNoneExist !== undefined ||
      request.ifMatch !== undefined
    ) {
      throw new FhirRequestError(
        400,
        'not-supported',
        'Only plain creates (request POST to the resource type, with a resource) are supported in a transaction',
        { expression: [`${at}.request`] },
      );
    }
    const prepared = prepareCreate(resource, randomUUID());
    if (typeof entry.fullUrl === 'string') {
      if (byFullUrl.has(entry.fullUrl)) {
        throw new FhirRequestError(400, 'invalid', 'Two entries have the same fullUrl', {
          expression: [`${at}.fullUrl`],
        });
      }
      byFullUrl.set(entry.fullUrl, `${prepared.resourceType}/${prepared.id}`);
    }
    resources.push(prepared);
  });
  resources.forEach((resource, index) => {
    rewriteReferences(resource, (reference) => {
      const target = byFullUrl.get(reference);
      if (target !== undefined) return target;
      if (reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:')) {
        throw new FhirRequestError(
          400,
          'invalid',
          'A urn: reference names no entry of the Bundle',
          { expression: [`Bundle.entry[${index}].resource`] },
        );
      }
      return undefined;
    });
  });
  return resources;
}
