import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type AuditEntry,
  auditEntryLeafEncoding,
  auditEntryLeafValues,
  auditLogAbi,
  bytes32Label,
  certificationAbi,
  roleIds,
} from '@aegle/contracts';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { type Hex, parseEventLogs, toHex, zeroHash } from 'viem';
import {
  type Actor,
  assertEveryErrorExercised,
  expectRevert,
  startTestChain,
  type TestChain,
  write,
} from './chain.testing.ts';
import { deployForTests, randomBytes32, type TestDeployment } from './deploy.testing.ts';

const CID = toHex('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku');
let t: TestChain;
let d: TestDeployment;
let node: Actor;

const log = () => ({ address: d.auditLog, abi: auditLogAbi });
const read = <T>(functionName: string, args: readonly unknown[] = []) =>
  // biome-ignore lint/suspicious/noExplicitAny: dynamic function name
  t.publicClient.readContract({ ...log(), functionName, args } as any) as Promise<T>;

before(async () => {
  t = await startTestChain();
  d = await deployForTests(t);
  node = await t.actor();
  await write(t, d.authority, {
    address: d.certification,
    abi: certificationAbi,
    functionName: 'grantRole',
    args: [roleIds.node, node.address],
  });
});
after(async () => {
  await t?.stop();
});

test('a node commits audit entries as a Merkle root with the list CID; each entry verifies', async () => {
  const patient = (await t.actor()).address;
  const now = await t.now();
  const entries: AuditEntry[] = Array.from({ length: 5 }, (_, i) => ({
    recordId: randomBytes32(),
    patient,
    reader: `0x${String(i + 1).padStart(40, '0')}` as Hex,
    purpose: bytes32Label(i % 2 ? 'treatment' : 'research'),
    releasedAt: now - BigInt(i),
  }));
  const tree = StandardMerkleTree.of(entries.map(auditEntryLeafValues), [
    ...auditEntryLeafEncoding,
  ]);
  const receipt = await write(t, node, {
    ...log(),
    functionName: 'commit',
    args: [tree.root, 5, CID],
  });
  const [event] = parseEventLogs({
    abi: auditLogAbi,
    logs: receipt.logs,
    eventName: 'AuditCommitted',
  });
  assert.deepEqual(event?.args, {
    commitId: 1n,
    root: tree.root,
    node: node.address,
    entryCount: 5,
    cid: CID,
  });
  assert.equal(await read('commitCount'), 1n);
  const stored = await read<{ root: Hex; node: Hex; entryCount: number }>('commitAt', [1n]);
  assert.deepEqual([stored.root, stored.node, stored.entryCount], [tree.root, node.address, 5]);
  for (const [i, e] of entries.entries()) {
    const proof = tree.getProof(i);
    assert.equal(await read('verifyEntry', [1n, ...auditEntryLeafValues(e), proof]), true);
    // Any changed field (here: the purpose) fails.
    const altered = auditEntryLeafValues({ ...e, purpose: bytes32Label('marketing') });
    assert.equal(await read('verifyEntry', [1n, ...altered, proof]), false);
  }
});

test('commit refusals: not a node, empty, no CID; unknown commit ids', async () => {
  const stranger = await t.actor();
  const root = randomBytes32();
  await expectRevert(
    t,
    stranger,
    { ...log(), functionName: 'commit', args: [root, 1, CID] },
    'NotNode',
    [stranger.address],
  );
  await expectRevert(
    t,
    node,
    { ...log(), functionName: 'commit', args: [root, 0, CID] },
    'EmptyCommit',
  );
  await expectRevert(
    t,
    node,
    { ...log(), functionName: 'commit', args: [zeroHash, 2, CID] },
    'EmptyCommit',
  );
  await expectRevert(
    t,
    node,
    { ...log(), functionName: 'commit', args: [root, 2, '0x'] },
    'MissingCid',
  );
  await expectRevert(t, node, { ...log(), functionName: 'commitAt', args: [0n] }, 'UnknownCommit', [
    0n,
  ]);
  await expectRevert(
    t,
    node,
    { ...log(), functionName: 'commitAt', args: [99n] },
    'UnknownCommit',
    [99n],
  );
  const values = [
    randomBytes32(),
    stranger.address,
    stranger.address,
    bytes32Label('x'),
    1n,
  ] as const;
  await expectRevert(
    t,
    node,
    { ...log(), functionName: 'verifyEntry', args: [7n, ...values, []] },
    'UnknownCommit',
  );
});

test('every custom error of AuditLog has a revert test', () => {
  assertEveryErrorExercised(auditLogAbi);
});
