import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type AnchorEntry,
  accountsAbi,
  anchorEntryLeafEncoding,
  anchorEntryLeafValues,
  anchorEntryTypes,
  BATCH_SIGNATURE_MAGIC,
  certificationAbi,
  encodeEntryBatchSignature,
  entryBatchDigest,
  entryBatchLeaf,
  entryBatchTypes,
  Fault,
  MAX_BATCH_PROOF_DEPTH,
  Role,
  recordsAbi,
  recordsDomain,
  roleIds,
} from '@aegle/contracts';
import { SimpleMerkleTree, StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { type Hex, hashTypedData, parseEventLogs, toHex, zeroHash } from 'viem';
import {
  type Actor,
  assertEveryErrorExercised,
  expectRevert,
  startTestChain,
  type TestChain,
  write,
  writeUnchecked,
} from './chain.testing.ts';
import {
  deployForTests,
  encryptionKey,
  randomBytes32,
  type TestDeployment,
} from './deploy.testing.ts';
import { entryTree, proofAt, signEntry } from './entries.testing.ts';

const DAY = 86_400n;
const CID = toHex('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi');

let t: TestChain;
let d: TestDeployment;
let node: Actor;
let node2: Actor;
let patient: Actor;
let provider: Actor;
let uncertified: Actor;
let researcher: Actor;
let guardian: Actor;

const rec = () => ({ address: d.records, abi: recordsAbi });
const read = <T>(functionName: string, args: readonly unknown[] = []) =>
  // biome-ignore lint/suspicious/noExplicitAny: dynamic function name
  t.publicClient.readContract({ ...rec(), functionName, args } as any) as Promise<T>;

async function register(actor: Actor, role: number) {
  await write(t, actor, {
    address: d.accounts,
    abi: accountsAbi,
    functionName: 'register',
    args: [role, encryptionKey()],
  });
}
async function certify(subject: Actor) {
  const expiresAt = (await t.now()) + 365n * DAY;
  await write(t, d.authority, {
    address: d.certification,
    abi: certificationAbi,
    functionName: 'certify',
    args: [subject.address, randomBytes32(), expiresAt],
  });
}
async function commit(
  by: Actor,
  entries: AnchorEntry[],
): Promise<{ batchId: bigint; tree: ReturnType<typeof entryTree> }> {
  const tree = entryTree(entries);
  const receipt = await write(t, by, {
    ...rec(),
    functionName: 'commitBatch',
    args: [tree.root, entries.length, CID],
  });
  const [log] = parseEventLogs({
    abi: recordsAbi,
    logs: receipt.logs,
    eventName: 'BatchCommitted',
  });
  assert.ok(log);
  return { batchId: log.args.batchId, tree };
}
/** Commits `entries` in one batch by `by`, challenges each (as `node`), and gives each fault. */
async function challengeAll(by: Actor, entries: AnchorEntry[]): Promise<number[]> {
  const { batchId, tree } = await commit(by, entries);
  const faults: number[] = [];
  for (const [i, e] of entries.entries()) {
    const r = await write(t, node, {
      ...rec(),
      functionName: 'challenge',
      args: [batchId, e, proofAt(tree, i)],
    });
    const [log] = parseEventLogs({ abi: recordsAbi, logs: r.logs, eventName: 'EntryInvalidated' });
    faults.push(log?.args.fault ?? -1);
  }
  return faults;
}
const sign = (creator: Actor, fields: Partial<AnchorEntry> = {}, options = {}) =>
  signEntry(t, d.records, creator, { patient: patient.address, ...fields }, options);

before(async () => {
  t = await startTestChain();
  d = await deployForTests(t);
  [node, node2, patient, provider, uncertified, researcher, guardian] = (await Promise.all(
    Array.from({ length: 7 }, () => t.actor()),
  )) as [Actor, Actor, Actor, Actor, Actor, Actor, Actor];
  for (const n of [node, node2]) {
    await write(t, d.authority, {
      address: d.certification,
      abi: certificationAbi,
      functionName: 'grantRole',
      args: [roleIds.node, n.address],
    });
  }
  await register(patient, Role.Patient);
  await register(provider, Role.Provider);
  await register(uncertified, Role.Provider);
  await register(researcher, Role.Researcher);
  await register(guardian, Role.Patient);
  await certify(provider);
  await certify(researcher);
  // Signing times must come after registrations and certificates.
  await t.testClient.increaseTime({ seconds: 10 });
  await t.testClient.mine({ blocks: 1 });
});
after(async () => {
  await t?.stop();
});

describe('encoding', () => {
  test('the creator signs the EIP-712 digest viem computes (domain "Aegle Records" v1)', async () => {
    const e = await sign(patient);
    const { signature: _, ...message } = e;
    const expected = hashTypedData({
      domain: recordsDomain(t.chain.id, d.records),
      types: anchorEntryTypes,
      primaryType: 'AnchorEntry',
      message,
    });
    assert.equal(await read('entryDigest', [e]), expected);
    const [, name, version, chainId, verifyingContract] =
      await read<readonly unknown[]>('eip712Domain');
    assert.deepEqual([name, version, chainId], ['Aegle Records', '1', BigInt(t.chain.id)]);
    assert.equal((verifyingContract as string).toLowerCase(), d.records.toLowerCase());
  });

  test('leafOf is the StandardMerkleTree leaf of the entry', async () => {
    const entries = [await sign(patient), await sign(provider), await sign(patient, { nonce: 5n })];
    const tree = entryTree(entries);
    for (const e of entries) {
      assert.equal(await read('leafOf', [e]), tree.leafHash(anchorEntryLeafValues(e)));
    }
  });
});

describe('direct anchors', () => {
  test('the patient anchors its own record; anyone may submit it (RecordAnchored)', async () => {
    const e = await sign(patient);
    const submitter = await t.actor();
    const receipt = await write(t, submitter, { ...rec(), functionName: 'anchor', args: [e] });
    const [log] = parseEventLogs({
      abi: recordsAbi,
      logs: receipt.logs,
      eventName: 'RecordAnchored',
    });
    assert.deepEqual(log?.args, {
      recordId: e.recordId,
      patient: patient.address,
      creator: patient.address,
      contentRoot: e.contentRoot,
      metadataHash: e.metadataHash,
      category: e.category,
      supersedes: zeroHash,
      signedAt: e.signedAt,
    });
    const direct = await read<{ leaf: Hex; invalid: boolean }>('directAnchor', [e.recordId]);
    assert.equal(direct.leaf, await read('leafOf', [e]));
    assert.equal(direct.invalid, false);
    assert.equal(await read('nonces', [patient.address]), 1n);
  });

  test('a certified provider and the guardian anchor; keyed nonces run per key; an update names what it supersedes', async () => {
    const first = await sign(provider);
    await write(t, provider, { ...rec(), functionName: 'anchor', args: [first] });
    const key = 7n;
    const keyed = await sign(provider, { nonce: key << 64n, supersedes: first.recordId });
    const r = await write(t, provider, { ...rec(), functionName: 'anchor', args: [keyed] });
    const [log] = parseEventLogs({ abi: recordsAbi, logs: r.logs, eventName: 'RecordAnchored' });
    assert.equal(log?.args.supersedes, first.recordId);
    assert.equal(await read('nonces', [provider.address, key]), (key << 64n) + 1n);
    assert.equal(await read('nonces', [provider.address]), 1n);

    await write(t, patient, {
      address: d.accounts,
      abi: accountsAbi,
      functionName: 'setGuardian',
      args: [guardian.address],
    });
    const byGuardian = await sign(guardian);
    await write(t, guardian, { ...rec(), functionName: 'anchor', args: [byGuardian] });
    assert.equal(
      await read('writeAllowedAt', [guardian.address, patient.address, await t.now()]),
      true,
    );
  });

  test('refusals: zero id, second anchor of an id, forged or tampered signature, reused nonce', async () => {
    await expectRevert(
      t,
      node,
      {
        ...rec(),
        functionName: 'anchor',
        args: [await sign(patient, { recordId: zeroHash, nonce: 1n })],
      },
      'InvalidRecordId',
    );
    const e = await sign(patient, { nonce: 1n });
    await write(t, node, { ...rec(), functionName: 'anchor', args: [e] });
    const again = await sign(patient, { recordId: e.recordId, nonce: 2n });
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'anchor', args: [again] },
      'RecordAlreadyAnchored',
      [e.recordId],
    );

    const forged = await sign(patient, { nonce: 2n }, { signer: provider });
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'anchor', args: [forged] },
      'InvalidSignature',
    );
    const tampered = { ...(await sign(patient, { nonce: 2n })), contentRoot: randomBytes32() };
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'anchor', args: [tampered] },
      'InvalidSignature',
    );
    const otherChain = await sign(patient, { nonce: 2n }, { chainId: 1 });
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'anchor', args: [otherChain] },
      'InvalidSignature',
    );

    const reused = await sign(patient, { nonce: 1n });
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'anchor', args: [reused] },
      'InvalidAccountNonce',
      [patient.address, 2n],
    );
  });

  test('refusals: a signing time in the future or more than a day old', async () => {
    const now = await t.now();
    const future = await sign(patient, { nonce: 2n, signedAt: now + 3600n });
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'anchor', args: [future] },
      'SignatureOutsideWindow',
      [now + 3600n],
    );
    const stale = await sign(patient, { nonce: 2n, signedAt: now - DAY - 60n });
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'anchor', args: [stale] },
      'SignatureOutsideWindow',
    );
  });

  test('a direct anchor by an uncertified creator reverts, on chain too', async () => {
    const e = await sign(uncertified);
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'anchor', args: [e] },
      'CreatorNotAllowed',
      [uncertified.address, patient.address],
    );
    const receipt = await writeUnchecked(t, node, { ...rec(), functionName: 'anchor', args: [e] });
    assert.equal(receipt.status, 'reverted');
    assert.equal((await read<{ leaf: Hex }>('directAnchor', [e.recordId])).leaf, zeroHash);
    // A certified researcher may read with consent but never write records.
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'anchor', args: [await sign(researcher)] },
      'CreatorNotAllowed',
    );
    // A provider writing for someone who is not a registered patient.
    const nobody = await t.actor();
    await expectRevert(
      t,
      node,
      {
        ...rec(),
        functionName: 'anchor',
        args: [await sign(provider, { patient: nobody.address, nonce: 1n })],
      },
      'CreatorNotAllowed',
    );
    await expectRevert(
      t,
      node,
      {
        ...rec(),
        functionName: 'anchor',
        args: [await sign(provider, { patient: researcher.address, nonce: 1n })],
      },
      'CreatorNotAllowed',
    );
  });
});

describe('batched anchors and challenges', () => {
  test('a node commits a batch root with its CID (BatchCommitted); entries verify against it', async () => {
    const entries = [await sign(patient), await sign(provider), await sign(guardian)];
    const tree = entryTree(entries);
    const receipt = await write(t, node, {
      ...rec(),
      functionName: 'commitBatch',
      args: [tree.root, entries.length, CID],
    });
    const [log] = parseEventLogs({
      abi: recordsAbi,
      logs: receipt.logs,
      eventName: 'BatchCommitted',
    });
    const batchId = log?.args.batchId ?? 0n;
    assert.equal(batchId, await read('batchCount'));
    assert.deepEqual(
      [log?.args.root, log?.args.node, log?.args.entryCount, log?.args.cid],
      [tree.root, node.address, 3, CID],
    );
    const stored = await read<{ root: Hex; node: Hex; entryCount: number }>('batch', [batchId]);
    assert.deepEqual([stored.root, stored.node, stored.entryCount], [tree.root, node.address, 3]);
    for (const [i, e] of entries.entries()) {
      const leaf = tree.leafHash(anchorEntryLeafValues(e)) as Hex;
      assert.deepEqual(await read('entryStatus', [batchId, leaf, proofAt(tree, i)]), [
        true,
        Fault.None,
      ]);
      // The same proof verifies off chain with the library a client uses.
      assert.equal(
        StandardMerkleTree.verify(
          tree.root,
          [...anchorEntryLeafEncoding],
          anchorEntryLeafValues(e),
          proofAt(tree, i),
        ),
        true,
      );
    }
    const stranger = (await read('leafOf', [await sign(patient)])) as Hex;
    assert.deepEqual(await read('entryStatus', [batchId, stranger, proofAt(tree, 0)]), [
      false,
      Fault.None,
    ]);
  });

  test('a commit costs about the same whatever the batch size: at most 1,000 gas per record from 100 entries', async () => {
    // Only the root goes on chain, so the entries' content does not matter to the gas.
    const gasOf = async (n: number) => {
      const receipt = await write(t, node, {
        ...rec(),
        functionName: 'commitBatch',
        args: [randomBytes32(), n, `0x01551220${randomBytes32().slice(2)}`],
      });
      return receipt.gasUsed;
    };
    const small = await gasOf(1);
    const large = await gasOf(100);
    // Up to calldata: a zero byte in the random root or CID costs 12 gas less than a nonzero one.
    assert.ok(large - small < 1000n && small - large < 1000n, `${small} vs ${large}`);
    assert.ok(large / 100n <= 1000n, `${large / 100n} gas per record`);
  });

  test('commit refusals: not a node, an empty batch, no CID', async () => {
    const root = randomBytes32();
    await expectRevert(
      t,
      provider,
      { ...rec(), functionName: 'commitBatch', args: [root, 1, CID] },
      'NotNode',
      [provider.address],
    );
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'commitBatch', args: [root, 0, CID] },
      'EmptyBatch',
    );
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'commitBatch', args: [zeroHash, 3, CID] },
      'EmptyBatch',
    );
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'commitBatch', args: [root, 3, '0x'] },
      'MissingCid',
    );
    await expectRevert(t, node, { ...rec(), functionName: 'batch', args: [0n] }, 'UnknownBatch', [
      0n,
    ]);
    await expectRevert(t, node, { ...rec(), functionName: 'batch', args: [999n] }, 'UnknownBatch', [
      999n,
    ]);
  });

  test('a batched entry by an uncertified creator is challenged: marked invalid, the node at fault', async () => {
    const good = await sign(provider);
    const bad = await sign(uncertified);
    const { batchId, tree } = await commit(node, [good, bad]);
    const faultsBefore = await read<bigint>('nodeFaults', [node.address]);
    const challenger = await t.actor();

    await expectRevert(
      t,
      challenger,
      { ...rec(), functionName: 'challenge', args: [batchId, good, proofAt(tree, 0)] },
      'EntryIsValid',
    );
    await expectRevert(
      t,
      challenger,
      { ...rec(), functionName: 'challenge', args: [batchId, bad, proofAt(tree, 0)] },
      'NotIncluded',
    );
    await expectRevert(
      t,
      challenger,
      { ...rec(), functionName: 'challenge', args: [batchId + 1n, bad, proofAt(tree, 1)] },
      'UnknownBatch',
    );

    const receipt = await write(t, challenger, {
      ...rec(),
      functionName: 'challenge',
      args: [batchId, bad, proofAt(tree, 1)],
    });
    const leaf = tree.leafHash(anchorEntryLeafValues(bad)) as Hex;
    const [invalidated] = parseEventLogs({
      abi: recordsAbi,
      logs: receipt.logs,
      eventName: 'EntryInvalidated',
    });
    assert.deepEqual(invalidated?.args, {
      batchId,
      leaf,
      recordId: bad.recordId,
      fault: Fault.CreatorNotAllowed,
    });
    const [faulted] = parseEventLogs({
      abi: recordsAbi,
      logs: receipt.logs,
      eventName: 'NodeFaulted',
    });
    assert.deepEqual(faulted?.args, {
      node: node.address,
      batchId,
      leaf,
      fault: Fault.CreatorNotAllowed,
    });
    assert.equal(await read('nodeFaults', [node.address]), faultsBefore + 1n);
    assert.deepEqual(await read('entryStatus', [batchId, leaf, proofAt(tree, 1)]), [
      true,
      Fault.CreatorNotAllowed,
    ]);
    assert.deepEqual(await read('verifyEntry', [batchId, bad, proofAt(tree, 1)]), [
      true,
      Fault.CreatorNotAllowed,
    ]);
    assert.deepEqual(await read('verifyEntry', [batchId, good, proofAt(tree, 0)]), [
      true,
      Fault.None,
    ]);
    assert.deepEqual(await read('verifyEntry', [batchId, good, proofAt(tree, 1)]), [
      false,
      Fault.None,
    ]);

    await expectRevert(
      t,
      challenger,
      { ...rec(), functionName: 'challenge', args: [batchId, bad, proofAt(tree, 1)] },
      'AlreadyInvalid',
    );
  });

  test('challenges for a bad signature and for a signing time outside the window before the commit', async () => {
    const forged = await sign(patient, {}, { signer: provider });
    const now = await t.now();
    const stale = await sign(patient, { signedAt: now - DAY - 100n });
    const early = await sign(patient, { signedAt: now + 3600n });
    const faults = await challengeAll(node2, [forged, stale, early]);
    assert.deepEqual(faults, [
      Fault.BadSignature,
      Fault.SignedOutsideWindow,
      Fault.SignedOutsideWindow,
    ]);
    assert.equal(await read('nodeFaults', [node2.address]), 3n);
  });

  test('entries are judged at signing time: certification revoked after signing stands, before signing falls', async () => {
    const doctor = await t.actor();
    await register(doctor, Role.Provider);
    await certify(doctor);
    await t.testClient.increaseTime({ seconds: 5 });
    await t.testClient.mine({ blocks: 1 });
    const signedWhileCertified = await sign(doctor);
    await t.testClient.increaseTime({ seconds: 5 });
    await write(t, d.authority, {
      address: d.certification,
      abi: certificationAbi,
      functionName: 'revoke',
      args: [doctor.address],
    });
    await t.testClient.increaseTime({ seconds: 5 });
    await t.testClient.mine({ blocks: 1 });
    const signedAfterRevocation = await sign(doctor);
    const { batchId, tree } = await commit(node, [signedWhileCertified, signedAfterRevocation]);
    await expectRevert(
      t,
      node2,
      {
        ...rec(),
        functionName: 'challenge',
        args: [batchId, signedWhileCertified, proofAt(tree, 0)],
      },
      'EntryIsValid',
    );
    await write(t, node2, {
      ...rec(),
      functionName: 'challenge',
      args: [batchId, signedAfterRevocation, proofAt(tree, 1)],
    });
  });

  test('a guardian writes while appointed: an entry signed after the guardian was removed falls', async () => {
    const ward = await t.actor();
    const carer = await t.actor();
    await register(ward, Role.Patient);
    await register(carer, Role.Patient);
    const appoint = (who: Hex) =>
      write(t, ward, {
        address: d.accounts,
        abi: accountsAbi,
        functionName: 'setGuardian',
        args: [who],
      });
    await appoint(carer.address);
    await t.testClient.increaseTime({ seconds: 5 });
    await t.testClient.mine({ blocks: 1 });
    const whileAppointed = await sign(carer, { patient: ward.address });
    await t.testClient.increaseTime({ seconds: 5 });
    await appoint('0x0000000000000000000000000000000000000000');
    await t.testClient.increaseTime({ seconds: 5 });
    await t.testClient.mine({ blocks: 1 });
    const afterRemoval = await sign(carer, { patient: ward.address });
    const { batchId, tree } = await commit(node, [whileAppointed, afterRemoval]);
    await expectRevert(
      t,
      node2,
      { ...rec(), functionName: 'challenge', args: [batchId, whileAppointed, proofAt(tree, 0)] },
      'EntryIsValid',
    );
    const r = await write(t, node2, {
      ...rec(),
      functionName: 'challenge',
      args: [batchId, afterRemoval, proofAt(tree, 1)],
    });
    const [log] = parseEventLogs({ abi: recordsAbi, logs: r.logs, eventName: 'EntryInvalidated' });
    assert.equal(log?.args.fault, Fault.CreatorNotAllowed);
    // Directly, the former guardian is refused at once.
    await expectRevert(
      t,
      node,
      { ...rec(), functionName: 'anchor', args: [await sign(carer, { patient: ward.address })] },
      'CreatorNotAllowed',
    );
  });

  test('a duplicate record id: the later anchor falls, across batches, against a direct anchor, within a batch', async () => {
    const challenger = await t.actor();
    const dup = (a: bigint, ea: AnchorEntry, pa: Hex[], b: bigint, eb: AnchorEntry, pb: Hex[]) => ({
      ...rec(),
      functionName: 'challengeDuplicate',
      args: [a, ea, pa, b, eb, pb],
    });

    // Across batches: the later batch's copy is invalid and its node at fault.
    const original = await sign(patient);
    const copy = await sign(provider, { recordId: original.recordId });
    const b1 = await commit(node, [original]);
    const b2 = await commit(node2, [copy]);
    const faults2 = await read<bigint>('nodeFaults', [node2.address]);
    const r = await write(
      t,
      challenger,
      dup(b2.batchId, copy, proofAt(b2.tree, 0), b1.batchId, original, proofAt(b1.tree, 0)),
    );
    const [log] = parseEventLogs({ abi: recordsAbi, logs: r.logs, eventName: 'EntryInvalidated' });
    assert.deepEqual([log?.args.batchId, log?.args.fault], [b2.batchId, Fault.Duplicate]);
    assert.equal(await read('nodeFaults', [node2.address]), faults2 + 1n);
    await expectRevert(
      t,
      challenger,
      dup(b1.batchId, original, proofAt(b1.tree, 0), b2.batchId, copy, proofAt(b2.tree, 0)),
      'AlreadyInvalid',
    );

    // A batch after a direct anchor: the batched copy falls.
    const direct = await sign(patient, { nonce: 2n });
    await write(t, patient, { ...rec(), functionName: 'anchor', args: [direct] });
    const late = await sign(provider, { recordId: direct.recordId });
    const b3 = await commit(node, [late]);
    const r3 = await write(
      t,
      challenger,
      dup(0n, direct, [], b3.batchId, late, proofAt(b3.tree, 0)),
    );
    const [l3] = parseEventLogs({ abi: recordsAbi, logs: r3.logs, eventName: 'EntryInvalidated' });
    assert.equal(l3?.args.batchId, b3.batchId);

    // A direct anchor after a batch: the direct anchor falls, no node is at fault.
    const batched = await sign(patient);
    const b4 = await commit(node, [batched]);
    const directCopy = await sign(patient, { recordId: batched.recordId, nonce: 3n });
    await write(t, patient, { ...rec(), functionName: 'anchor', args: [directCopy] });
    const faults1 = await read<bigint>('nodeFaults', [node.address]);
    const r4 = await write(
      t,
      challenger,
      dup(b4.batchId, batched, proofAt(b4.tree, 0), 0n, directCopy, []),
    );
    const [l4] = parseEventLogs({ abi: recordsAbi, logs: r4.logs, eventName: 'EntryInvalidated' });
    assert.deepEqual(
      [l4?.args.batchId, l4?.args.recordId, l4?.args.fault],
      [0n, batched.recordId, Fault.Duplicate],
    );
    assert.equal(
      parseEventLogs({ abi: recordsAbi, logs: r4.logs, eventName: 'NodeFaulted' }).length,
      0,
    );
    assert.equal(await read('nodeFaults', [node.address]), faults1);
    assert.equal(
      (await read<{ invalid: boolean }>('directAnchor', [batched.recordId])).invalid,
      true,
    );
    await expectRevert(
      t,
      challenger,
      dup(b4.batchId, batched, proofAt(b4.tree, 0), 0n, directCopy, []),
      'AlreadyInvalid',
    );

    // Within one batch: the entry with the larger leaf falls.
    const x = await sign(patient);
    const y = await sign(provider, { recordId: x.recordId });
    const b5 = await commit(node, [x, y]);
    const leafX = b5.tree.leafHash(anchorEntryLeafValues(x));
    const leafY = b5.tree.leafHash(anchorEntryLeafValues(y));
    const r5 = await write(
      t,
      challenger,
      dup(b5.batchId, x, proofAt(b5.tree, 0), b5.batchId, y, proofAt(b5.tree, 1)),
    );
    const [l5] = parseEventLogs({ abi: recordsAbi, logs: r5.logs, eventName: 'EntryInvalidated' });
    assert.equal(l5?.args.leaf, BigInt(leafX) > BigInt(leafY) ? leafX : leafY);

    // Not duplicates: different ids, or the same occurrence twice; a direct anchor that is not there.
    const other = await sign(patient);
    const b6 = await commit(node, [other, x]);
    await expectRevert(
      t,
      challenger,
      dup(b6.batchId, other, proofAt(b6.tree, 0), b1.batchId, original, proofAt(b1.tree, 0)),
      'NotDuplicate',
    );
    await expectRevert(
      t,
      challenger,
      dup(b6.batchId, other, proofAt(b6.tree, 0), b6.batchId, other, proofAt(b6.tree, 0)),
      'NotDuplicate',
    );
    await expectRevert(
      t,
      challenger,
      dup(0n, other, [], b6.batchId, other, proofAt(b6.tree, 0)),
      'NotIncluded',
    );
    await expectRevert(
      t,
      challenger,
      dup(b6.batchId, other, proofAt(b6.tree, 1), b6.batchId, other, proofAt(b6.tree, 0)),
      'NotIncluded',
    );
  });
});

/** A random keyed nonce (key << 64, sequence 0): what a batched entry signs. */
const freshNonce = () => (BigInt(randomBytes32()) >> 64n) << 64n;

/**
 * `count` entries for `patient` by `creator`, signed at once: one EIP-712 signature (by `signer`,
 * the creator by default) of the root of their tree, and each entry's batch signature.
 */
async function signAtOnce(
  creator: Actor,
  count: number,
  options: { signer?: Actor } = {},
): Promise<{ entries: AnchorEntry[]; root: Hex; rootSignature: Hex }> {
  const unsigned = [];
  for (let i = 0; i < count; i++) {
    const { signature: _, ...entry } = await sign(creator, { nonce: freshNonce() });
    unsigned.push(entry);
  }
  const tree = SimpleMerkleTree.of(unsigned.map(entryBatchLeaf));
  const rootSignature = await (options.signer ?? creator).account.signTypedData({
    domain: recordsDomain(t.chain.id, d.records),
    types: entryBatchTypes,
    primaryType: 'AnchorEntryBatch',
    message: { entriesRoot: tree.root as Hex },
  });
  const entries = unsigned.map((entry) => ({
    ...entry,
    signature: encodeEntryBatchSignature(
      rootSignature,
      tree.getProof(entryBatchLeaf(entry)) as Hex[],
    ),
  }));
  return { entries, root: tree.root as Hex, rootSignature };
}

describe('entries signed at once (batch signatures)', () => {
  test("leaf, digest and magic computed off chain are the contract's", async () => {
    const { entries, root } = await signAtOnce(patient, 2);
    for (const e of entries) assert.equal(await read('entryBatchLeaf', [e]), entryBatchLeaf(e));
    assert.equal(
      await read('entryBatchDigest', [root]),
      entryBatchDigest(root, t.chain.id, d.records),
    );
    assert.equal(
      await read('entryBatchDigest', [root]),
      hashTypedData({
        domain: recordsDomain(t.chain.id, d.records),
        types: entryBatchTypes,
        primaryType: 'AnchorEntryBatch',
        message: { entriesRoot: root },
      }),
    );
    assert.equal(await read('BATCH_SIGNATURE_MAGIC'), BATCH_SIGNATURE_MAGIC);
    assert.equal(await read('MAX_BATCH_PROOF_DEPTH'), BigInt(MAX_BATCH_PROOF_DEPTH));
  });

  test('an entry signed at once anchors directly, and stands a challenge in a batch; a tree of one too', async () => {
    const { entries } = await signAtOnce(provider, 5);
    const [direct, ...batched] = entries as [AnchorEntry, ...AnchorEntry[]];
    await write(t, node, { ...rec(), functionName: 'anchor', args: [direct] });
    assert.equal(
      (await read<{ leaf: Hex }>('directAnchor', [direct.recordId])).leaf,
      await read('leafOf', [direct]),
    );
    const { batchId, tree } = await commit(node, batched);
    for (const [i, e] of batched.entries()) {
      await expectRevert(
        t,
        node2,
        { ...rec(), functionName: 'challenge', args: [batchId, e, proofAt(tree, i)] },
        'EntryIsValid',
      );
    }
    // One entry: the root is its leaf and the proof is empty.
    const {
      entries: [alone],
    } = await signAtOnce(patient, 1);
    assert.equal((alone as AnchorEntry).signature.length, 2 + 2 * 69);
    await write(t, node, { ...rec(), functionName: 'anchor', args: [alone] });
  });

  test('a batch signature by another key, of another tree, with a wrong proof or cut short is a bad signature: refused directly, invalid when challenged', async () => {
    const mine = await signAtOnce(patient, 3);
    const other = await signAtOnce(patient, 3);
    const [a, b, c] = mine.entries as [AnchorEntry, AnchorEntry, AnchorEntry];
    const proofOf = (e: AnchorEntry) => `0x${e.signature.slice(2 + 2 * 69)}` as Hex;
    const byProvider = (await signAtOnce(patient, 2, { signer: provider }))
      .entries[0] as AnchorEntry;
    const otherRoot = {
      ...a,
      signature: encodeEntryBatchSignature(other.rootSignature, [proofOf(a)]),
    };
    const flipped = proofOf(b).replace(/.$/, (x) => (x === '0' ? '1' : '0')) as Hex;
    const wrongProof = {
      ...b,
      signature: encodeEntryBatchSignature(mine.rootSignature, [flipped]),
    };
    const cutShort = { ...c, signature: c.signature.slice(0, -10) as Hex };
    // A proof deeper than MAX_BATCH_PROOF_DEPTH is not read as one (nobody pays to fold it).
    const padding = Array.from({ length: MAX_BATCH_PROOF_DEPTH + 1 }, () =>
      randomBytes32().slice(2),
    );
    const tooDeep = { ...c, signature: `${c.signature}${padding.join('')}` as Hex };
    const bad = [byProvider, otherRoot, wrongProof, cutShort, tooDeep];
    for (const e of bad) {
      await expectRevert(
        t,
        node,
        { ...rec(), functionName: 'anchor', args: [e] },
        'InvalidSignature',
      );
    }
    const faults = await challengeAll(node2, bad);
    assert.deepEqual(
      faults,
      bad.map(() => Fault.BadSignature),
    );
  });
});

test('every custom error of Records has a revert test', () => {
  assertEveryErrorExercised(recordsAbi, {
    InvalidShortString: 'EIP712 constructor with a constant short name: cannot fail',
    StringTooLong: 'EIP712 constructor with a constant short name: cannot fail',
  });
});
