import path from 'node:path';
import { base32upper } from 'multiformats/bases/base32';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import * as Digest from 'multiformats/hashes/digest';

/** File name suffix of a stored block, as in blockstore-fs. */
export const BLOCK_EXTENSION = '.data';
const SHARD_PREFIX_LENGTH = 2;

/**
 * Where a block lives: blockstore-fs's "next to last" scheme. The key is the multibase base32upper
 * encoding of the *multihash* (not the CID, as in kubo's flatfs), so a raw CIDv1 and a dag-pb CIDv0
 * of the same bytes share one file; the shard directory is the key's last two characters.
 * Keeping the scheme byte-identical means `blockstore-fs` (and so Helia) can open our directories.
 */
export function blockPath(cid: CID): { dir: string; file: string } {
  const key = base32upper.encoder.encode(cid.multihash.bytes);
  return { dir: key.slice(-SHARD_PREFIX_LENGTH), file: `${key}${BLOCK_EXTENSION}` };
}

/** The shard-directory key of a multihash, for grouping without a CID. */
export function blockKey(cid: CID): string {
  return base32upper.encoder.encode(cid.multihash.bytes);
}

/**
 * The CID of a block from its file name. Only the multihash is stored, so the codec is unknown:
 * like kubo's blockstore (`AllKeysChan`) we answer with a raw CIDv1, which names the same bytes.
 * Returns undefined for names that are not block files (temp files, strays).
 */
export function cidFromBlockFile(fileName: string): CID | undefined {
  const name = path.basename(fileName);
  if (!name.endsWith(BLOCK_EXTENSION)) return undefined;
  try {
    const multihash = Digest.decode(
      base32upper.decoder.decode(name.slice(0, -BLOCK_EXTENSION.length)),
    );
    return CID.createV1(raw.code, multihash);
  } catch {
    return undefined;
  }
}
