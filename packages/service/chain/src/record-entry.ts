import {
  type AnchorEntry,
  anchorEntryLeaf,
  anchorEntryTypes,
  recordsDomain,
  type UnsignedAnchorEntry,
} from '@aegle/contracts';
import type { Address, Hex, LocalAccount } from 'viem';

/** An anchor entry exactly as Records.sol's `Entry` struct (the type @aegle/contracts defines). */
export type RecordEntry = AnchorEntry;
export type UnsignedRecordEntry = UnsignedAnchorEntry;

/** Records.leafOf: keccak256(bytes.concat(keccak256(abi.encode(entry fields...)))). */
export const recordLeaf: (e: RecordEntry) => Hex = anchorEntryLeaf;

/** The creator signs an entry (EIP-712, bound to the chain id and the Records contract). */
export async function signRecordEntry(
  creator: LocalAccount,
  domain: { chainId: number; records: Address },
  entry: UnsignedRecordEntry,
): Promise<RecordEntry> {
  const signature = await creator.signTypedData({
    domain: recordsDomain(domain.chainId, domain.records),
    types: anchorEntryTypes,
    primaryType: 'AnchorEntry',
    message: entry,
  });
  return { ...entry, signature };
}
