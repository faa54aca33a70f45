// Constants of stream format version 1. docs/CRYPTO.md is the normative description.

/** "AEGL": lets a reader recognise an Aegle stream (and reject anything else) from 4 bytes. */
export const MAGIC = new Uint8Array([0x41, 0x45, 0x47, 0x4c]);
export const FORMAT_VERSION = 1;

export const SALT_LENGTH = 32;
export const NONCE_PREFIX_LENGTH = 7;
export const COMMITMENT_LENGTH = 32;
export const TAG_LENGTH = 16;
export const DATA_KEY_LENGTH = 32;

// Header layout: magic(4) version(1) segmentSize(4, u32 BE) salt(32) noncePrefix(7) commitment(32).
export const SEGMENT_SIZE_OFFSET = 5;
export const SALT_OFFSET = 9;
export const NONCE_PREFIX_OFFSET = SALT_OFFSET + SALT_LENGTH; // 41
export const COMMITMENT_OFFSET = NONCE_PREFIX_OFFSET + NONCE_PREFIX_LENGTH; // 48
export const HEADER_LENGTH = COMMITMENT_OFFSET + COMMITMENT_LENGTH; // 80

/**
 * Plaintext bytes per segment unless the caller chooses otherwise (Tink's default too). 1 MiB
 * segments were measured against it (1 GiB end to end and the storage benchmark): less CPU per
 * byte, but no faster and up to 40 MB more peak memory, since each spent segment is a large
 * buffer V8 frees late.
 */
export const DEFAULT_SEGMENT_SIZE = 64 * 1024;
// Bounds on the segment size a header may declare. The upper bound caps what a decryptor
// must buffer, so a hostile header cannot make it allocate gigabytes.
export const MIN_SEGMENT_SIZE = 16;
export const MAX_SEGMENT_SIZE = 16 * 1024 * 1024;

/** The segment index is a u32 in the nonce, so a stream has at most 2^32 segments. */
export const MAX_SEGMENTS = 2 ** 32;

export const KEY_INFO_LABEL = 'aegle/stream/v1/key';
export const COMMIT_INFO_LABEL = 'aegle/stream/v1/commit';
