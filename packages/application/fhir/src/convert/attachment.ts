import type { Resource } from './fhir-types.ts';

/**
 * An original file that a conversion keeps beside its FHIR resources (a DICOM instance, a VCF):
 * the storage layer encrypts and stores it, then puts its address where `url` is used.
 */
export type FhirAttachment = {
  /** The source name the caller gave, else a generic one ("attachment.dcm"). */
  name: string;
  contentType: string;
  size: number;
  /** Hex SHA-256 of the plaintext: the placeholder's key and a check for the storage layer. */
  sha256: string;
  /** The placeholder that stands for the stored file in the resources (see attachmentPlaceholder). */
  url: string;
} & ({ bytes: Uint8Array; path?: undefined } | { path: string; bytes?: undefined });

const PREFIX = 'urn:aegle:attachment:sha256:';

/**
 * The placeholder URL an Attachment.url holds until the file is stored:
 * `urn:aegle:attachment:sha256:<64 hex digits>`, the SHA-256 of the file's plaintext.
 *
 * Why content-derived: it is known before anything is stored, the same file always gets the same
 * placeholder (re-imports are idempotent), and the storage layer can check that what it stored
 * is what the resources describe before it fills in the real address.
 */
export function attachmentPlaceholder(sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex))
    throw new TypeError('attachmentPlaceholder: expected 64 lower-case hex digits');
  return `${PREFIX}${sha256Hex}`;
}

/** The SHA-256 a placeholder stands for, or undefined if the URL is not one. */
export function parseAttachmentPlaceholder(url: string): string | undefined {
  if (!url.startsWith(PREFIX)) return undefined;
  const hex = url.slice(PREFIX.length);
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/**
 * Replaces attachment placeholders with the addresses the storage layer gave the files, in every
 * Attachment.url of the resources (copies; the inputs are not changed). `urls` maps a
 * placeholder (or its SHA-256) to the address. A placeholder without an address is an error:
 * a resource must not be stored pointing at nothing. A resource without placeholders is
 * returned as it is: nothing of it changes (most of a Bundle's resources, all of Synthea's).
 */
export function fillAttachmentUrls(
  resources: readonly Resource[],
  urls: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
): Resource[] {
  const lookup = (key: string) =>
    urls instanceof Map ? urls.get(key) : (urls as Readonly<Record<string, string>>)[key];
  return resources.map((resource) => {
    let placeholders = 0;
    visitAttachments(resource, (attachment) => {
      if (typeof attachment.url === 'string' && parseAttachmentPlaceholder(attachment.url)) {
        placeholders++;
      }
    });
    if (placeholders === 0) return resource;
    const copy = structuredClone(resource);
    visitAttachments(copy, (attachment) => {
      const url = attachment.url;
      if (typeof url !== 'string') return;
      const sha256 = parseAttachmentPlaceholder(url);
      if (sha256 === undefined) return;
      const address = lookup(url) ?? lookup(sha256);
      if (address === undefined)
        throw new TypeError(
          `fillAttachmentUrls: no address for attachment sha256:${sha256.slice(0, 12)}…`,
        );
      attachment.url = address;
    });
    return copy;
  });
}

/** Calls `visit` on every object that has a `url` and a `contentType` (FHIR Attachment). */
function visitAttachments(value: unknown, visit: (attachment: Record<string, unknown>) => void) {
  if (Array.isArray(value)) {
    for (const item of value) visitAttachments(item, visit);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const object = value as Record<string, unknown>;
  if (typeof object.url === 'string' && typeof object.contentType === 'string') visit(object);
  for (const inner of Object.values(object)) {
    if (typeof inner === 'object' && inner !== null) visitAttachments(inner, visit);
  }
}
