import type { Hex } from 'viem';

/** Content type of an import manifest record: the commit point of an import. */
export const IMPORT_MANIFEST_TYPE = 'application/vnd.aegle.import-manifest+json';
/** Public category of manifest records (a grantee needs it to tell committed imports apart). */
export const IMPORT_MANIFEST_CATEGORY = 'Import';
export const FHIR_JSON = 'application/fhir+json';

export type ManifestRecord = {
  recordId: Hex;
  resourceType?: string;
  fhirId?: string;
  name?: string;
};

/**
 * What an import wrote, stored encrypted as the import's last record. Records whose metadata
 * names an `importId` are shown only once a manifest with that id lists them, so an import that
 * stopped part-way leaves nothing visible.
 */
export type ImportManifest = {
  importId: string;
  format: string;
  /** Unix milliseconds when the import began. */
  startedAt: number;
  records: ManifestRecord[];
  attachments: ManifestRecord[];
  /** For an archive restore: where the records came from (chain id and Records contract). */
  movedFrom?: { chainId: number; records: Hex };
};
