// The seam between the FHIR server (HTTP, search, paging) and where records really live. The SDK
// implements it over the node (decrypting and encrypting locally, auditing on chain);
// MemoryFhirDataSource implements it in memory for tests and offline use.

import type { Resource } from '../convert/fhir-types.ts';

/** One version of a resource as the acting user may read it: plaintext R4 JSON, in memory only. */
export type StoredResource = {
  /** The decrypted R4 resource, with its `id`. */
  resource: Resource;
  /** The version id (FHIR `meta.versionId`): e.g. the record's CID or a counter. */
  versionId: string;
  /** When this version was stored (FHIR `meta.lastUpdated`). */
  lastUpdated: Date;
  /** The patient whose record this is, when the source knows it (a hint for filtering). */
  patientId?: string | undefined;
};

/**
 * Hints a source may use to narrow what it lists. They are only hints: the server applies every
 * search criterion itself, so a source that ignores them (lists everything) is still correct.
 */
export type ListHints = {
  /** Only this resource type is wanted. */
  resourceType?: string | undefined;
  /** Only resources of this patient (by `patientId`, or the Patient itself) are wanted. */
  patientId?: string | undefined;
};

/**
 * Where the FHIR server reads and writes resources.
 *
 * Every resource the server sends out was returned by `read` or `readVersion` for that very
 * request: search and `$everything` use `listResources` only to decide which resources match,
 * then read each resource of the page they return. So an implementation audits exactly
 * `read` and `readVersion` (one audited read per resource disclosed to the client), and treats
 * `listResources` as local matching that discloses nothing by itself.
 *
 * Implementations keep plaintext in memory only (never on disk), and list or read only what the
 * acting user may read: a resource the user may not read is, to the server, a resource that does
 * not exist (404), which does not reveal that it exists.
 */
export interface FhirDataSource {
  /**
   * The current version of every resource the acting user may read, narrowed by the hints when
   * convenient. Used for matching only; the server reads what it returns with `read`.
   */
  listResources(hints: ListHints): AsyncIterable<StoredResource>;

  /** The current version of a resource, or undefined when it does not exist for this user. Audited. */
  read(resourceType: string, id: string): Promise<StoredResource | undefined>;

  /** One version of a resource, or undefined when it does not exist for this user. Audited. */
  readVersion(
    resourceType: string,
    id: string,
    versionId: string,
  ): Promise<StoredResource | undefined>;

  /**
   * Stores new resources, all or nothing: either every one is stored and returned (in the same
   * order), or the promise rejects and none is. The server has already validated each resource
   * against R4, given it its `id` and rewritten references between them (a transaction's
   * `urn:uuid:` references), so the source stores them as they are (the SDK: encrypt, then
   * upload and anchor). An id that already exists is an error (create never overwrites).
   */
  create(resources: readonly Resource[]): Promise<StoredResource[]>;
}
