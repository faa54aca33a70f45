import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getAddress, type Hex, hashStruct, hashTypedData } from 'viem';
import { anchorEntryTypes, recordsDomain, type UnsignedAnchorEntry } from './anchor-entry.ts';
import { anchorEntryDigest, anchorEntryStructHash } from './anchor-entry-digest.ts';
import { randomEntry, randomHex } from './random-entry.testing.ts';

const hex = randomHex;

test('the digest is viem’s hashTypedData for the Records domain, across deployments', () => {
  const deployments: [number, Hex][] = [
    [31337, hex(20)],
    [1, hex(20)],
    [2_147_483_647, hex(20)],
  ];
  for (let i = 0; i < 30; i++) {
    const entry = randomEntry();
    assert.equal(
      anchorEntryStructHash(entry),
      hashStruct({ data: entry, primaryType: 'AnchorEntry', types: anchorEntryTypes }),
    );
    for (const [chainId, records] of deployments) {
      const expected = hashTypedData({
        domain: recordsDomain(chainId, records),
        types: anchorEntryTypes,
        primaryType: 'AnchorEntry',
        message: entry,
      });
      assert.equal(anchorEntryDigest(entry, chainId, records), expected);
      // The cached separator does not depend on how the address is spelled.
      assert.equal(anchorEntryDigest(entry, chainId, getAddress(records)), expected);
    }
  }
});

test('every field, and the deployment, changes the digest', () => {
  const entry = randomEntry();
  const records = hex(20);
  const base = anchorEntryDigest(entry, 31337, records);
  for (const field of Object.keys(entry) as (keyof UnsignedAnchorEntry)[]) {
    const changed = {
      ...entry,
      [field]:
        typeof entry[field] === 'bigint'
          ? (entry[field] as bigint) + 1n
          : hex(field === 'patient' || field === 'creator' ? 20 : 32),
    };
    assert.notEqual(anchorEntryDigest(changed, 31337, records), base, field);
  }
  assert.notEqual(anchorEntryDigest(entry, 31338, records), base);
  assert.notEqual(anchorEntryDigest(entry, 31337, hex(20)), base);
});
