import type { Address } from '@aegle/crypto';
import { getAddress, type Hex } from 'viem';
import { bytes32Label } from '../signing/contracts.ts';
import type { KeyDirectory } from '../transport/chain-directory.ts';
import type { Transport } from '../transport/transport.ts';
import type { KeyHolder } from './prepare-record.ts';

/**
 * Who a new record's data key must be wrapped for besides the patient and the writer: the
 * patient's guardian and the live grantees of the category, as the node's index knows them, each
 * with the encryption key the chain has for them (not one the node supplies).
 */
export async function resolveWriteRecipients(
  transport: Pick<Transport, 'writeRecipients'>,
  directory: KeyDirectory,
  query: { patient: Address; category: string | Hex },
): Promise<KeyHolder[]> {
  const category = /^0x[0-9a-fA-F]{64}$/.test(query.category)
    ? (query.category as Hex)
    : bytes32Label(query.category);
  const addresses = await transport.writeRecipients({ patient: query.patient, category });
  // Nodes may answer in lower case; keys are wrapped to (and stored under) checksummed addresses.
  const unique = [...new Set(addresses.map((a) => getAddress(a)))];
  return Promise.all(
    unique.map(async (address) => ({
      address,
      encryptionPublicKey: await directory.encryptionKeyOf(address),
    })),
  );
}
