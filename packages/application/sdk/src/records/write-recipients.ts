import type { Address } from '@aegle/crypto';
import { getAddress, type Hex } from 'viem';
import { bytes32Label } from '../signing/contracts.ts';
import type { KeyDirectory } from '../transport/chain-directory.ts';
import type { Transport } from '../transport/transport.ts';
import type { KeyHolder } from './prepare-record.ts';

/** Categories a node answers for in one request (its limit). */
const CATEGORIES_PER_REQUEST = 64;

/**
 * Who new records' data keys must be wrapped for besides the patient and the writer, for each
 * category (as given: a label or its bytes32): the patient's guardian and the live grantees of
 * the category, as the node's index knows them, each with the encryption key the chain has for
 * them (not one the node supplies). One request per 64 categories, and one key lookup per
 * reader, however many categories name them.
 */
export async function resolveWriteRecipients(
  transport: Pick<Transport, 'writeRecipients'>,
  directory: KeyDirectory,
  query: { patient: Address; categories: readonly (string | Hex)[] },
): Promise<Map<string, KeyHolder[]>> {
  const labels = new Map<string, Hex>();
  for (const category of query.categories) {
    labels.set(
      category,
      /^0x[0-9a-fA-F]{64}$/.test(category) ? (category as Hex) : bytes32Label(category),
    );
  }
  const unique = [...new Set([...labels.values()].map((label) => label.toLowerCase() as Hex))];
  const byLabel = new Map<Hex, Address[]>();
  for (let at = 0; at < unique.length; at += CATEGORIES_PER_REQUEST) {
    const categories = unique.slice(at, at + CATEGORIES_PER_REQUEST);
    const answer = await transport.writeRecipients({ patient: query.patient, categories });
    for (const label of categories) {
      // Nodes may answer in lower case; keys are wrapped to (and stored under) checksummed
      // addresses.
      const addresses = (answer[label] ?? answer[label.toLowerCase() as Hex] ?? []).map((a) =>
        getAddress(a),
      );
      byLabel.set(label, [...new Set(addresses)]);
    }
  }
  const keys = new Map<Address, Promise<Uint8Array>>();
  for (const addresses of byLabel.values()) {
    for (const address of addresses) {
      if (keys.has(address)) continue;
      const key = directory.encryptionKeyOf(address);
      key.catch(() => {}); // awaited below; a failure is thrown there, once
      keys.set(address, key);
    }
  }
  const out = new Map<string, KeyHolder[]>();
  for (const [category, label] of labels) {
    const addresses = byLabel.get(label.toLowerCase() as Hex) ?? [];
    out.set(
      category,
      await Promise.all(
        addresses.map(async (address) => ({
          address,
          encryptionPublicKey: await (keys.get(address) as Promise<Uint8Array>),
        })),
      ),
    );
  }
  return out;
}
