import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accountsAbi, Role } from '@aegle/contracts';
import { type Hex, parseEventLogs, zeroAddress } from 'viem';
import {
  type Actor,
  assertEveryErrorExercised,
  expectRevert,
  startTestChain,
  type TestChain,
  write,
} from './chain.testing.ts';
import { deployForTests, encryptionKey, type TestDeployment } from './deploy.testing.ts';

let t: TestChain;
let d: TestDeployment;

before(async () => {
  t = await startTestChain();
  d = await deployForTests(t);
});
after(async () => {
  await t?.stop();
});

const at = () => ({ address: d.accounts, abi: accountsAbi });
const read = <T>(functionName: string, args: readonly unknown[]) =>
  // biome-ignore lint/suspicious/noExplicitAny: dynamic function name
  t.publicClient.readContract({ ...at(), functionName, args } as any) as Promise<T>;

async function register(actor: Actor, role: number, key: Hex = encryptionKey()) {
  return write(t, actor, { ...at(), functionName: 'register', args: [role, key] });
}

test('an account registers itself with a role and its encryption key (AccountRegistered)', async () => {
  const patient = await t.actor();
  const key = encryptionKey();
  const receipt = await register(patient, Role.Patient, key);
  const [log] = parseEventLogs({
    abi: accountsAbi,
    logs: receipt.logs,
    eventName: 'AccountRegistered',
  });
  assert.equal(log?.args.account, patient.address);
  assert.equal(log?.args.role, Role.Patient);
  assert.equal(log?.args.encryptionKey, key);
  assert.equal(await read('roleOf', [patient.address]), Role.Patient);
  assert.equal(await read('encryptionKeyOf', [patient.address]), key);
  const block = await t.publicClient.getBlock({ blockNumber: receipt.blockNumber });
  assert.equal(await read('registeredAt', [patient.address]), block.timestamp);
  for (const role of [Role.Provider, Role.Institution, Role.Researcher, Role.Authority]) {
    const other = await t.actor();
    await register(other, role);
    assert.equal(await read('roleOf', [other.address]), role);
  }
});

test('registration refusals: twice, no role, a key too short or too long', async () => {
  const a = await t.actor();
  await expectRevert(
    t,
    a,
    { ...at(), functionName: 'register', args: [Role.None, encryptionKey()] },
    'InvalidRole',
  );
  await expectRevert(
    t,
    a,
    { ...at(), functionName: 'register', args: [Role.Patient, `0x${'11'.repeat(31)}`] },
    'InvalidEncryptionKey',
  );
  await expectRevert(
    t,
    a,
    { ...at(), functionName: 'register', args: [Role.Patient, `0x${'11'.repeat(134)}`] },
    'InvalidEncryptionKey',
  );
  // The bounds themselves are accepted: X25519 (32 bytes) and an uncompressed P-521 point (133).
  await register(a, Role.Patient, `0x${'22'.repeat(133)}`);
  await expectRevert(
    t,
    a,
    { ...at(), functionName: 'register', args: [Role.Provider, encryptionKey()] },
    'AlreadyRegistered',
    [a.address],
  );
});

test('the account or its guardian rotates the key (EncryptionKeyRotated names who did it)', async () => {
  const patient = await t.actor();
  const guardian = await t.actor();
  const stranger = await t.actor();
  await register(patient, Role.Patient);
  await register(guardian, Role.Patient);
  await register(stranger, Role.Provider);

  const own = encryptionKey();
  const r1 = await write(t, patient, {
    ...at(),
    functionName: 'rotateEncryptionKey',
    args: [patient.address, own],
  });
  const [l1] = parseEventLogs({
    abi: accountsAbi,
    logs: r1.logs,
    eventName: 'EncryptionKeyRotated',
  });
  assert.deepEqual(
    [l1?.args.account, l1?.args.encryptionKey, l1?.args.by],
    [patient.address, own, patient.address],
  );
  assert.equal(await read('encryptionKeyOf', [patient.address]), own);

  await expectRevert(
    t,
    guardian,
    { ...at(), functionName: 'rotateEncryptionKey', args: [patient.address, encryptionKey()] },
    'NotAccountOrGuardian',
    [guardian.address, patient.address],
  );
  await write(t, patient, { ...at(), functionName: 'setGuardian', args: [guardian.address] });
  const byGuardian = encryptionKey();
  const r2 = await write(t, guardian, {
    ...at(),
    functionName: 'rotateEncryptionKey',
    args: [patient.address, byGuardian],
  });
  const [l2] = parseEventLogs({
    abi: accountsAbi,
    logs: r2.logs,
    eventName: 'EncryptionKeyRotated',
  });
  assert.equal(l2?.args.by, guardian.address);
  assert.equal(await read('encryptionKeyOf', [patient.address]), byGuardian);

  await expectRevert(
    t,
    stranger,
    { ...at(), functionName: 'rotateEncryptionKey', args: [patient.address, encryptionKey()] },
    'NotAccountOrGuardian',
  );
  await expectRevert(
    t,
    patient,
    { ...at(), functionName: 'rotateEncryptionKey', args: [patient.address, '0x1234'] },
    'InvalidEncryptionKey',
  );
  const unregistered = await t.actor();
  await expectRevert(
    t,
    unregistered,
    { ...at(), functionName: 'rotateEncryptionKey', args: [unregistered.address, encryptionKey()] },
    'NotRegistered',
    [unregistered.address],
  );
});

test('a patient names and removes a guardian (GuardianSet); the history answers guardianAt', async () => {
  const patient = await t.actor();
  const g1 = await t.actor();
  const g2 = await t.actor();
  await register(patient, Role.Patient);
  await register(g1, Role.Patient);
  await register(g2, Role.Institution);

  const r1 = await write(t, patient, { ...at(), functionName: 'setGuardian', args: [g1.address] });
  const t1 = (await t.publicClient.getBlock({ blockNumber: r1.blockNumber })).timestamp;
  const [e1] = parseEventLogs({ abi: accountsAbi, logs: r1.logs, eventName: 'GuardianSet' });
  assert.deepEqual([e1?.args.patient, e1?.args.guardian], [patient.address, g1.address]);
  assert.equal(await read('actsFor', [g1.address, patient.address]), true);

  await t.mineAt(t1 + 100n);
  const r2 = await write(t, patient, { ...at(), functionName: 'setGuardian', args: [g2.address] });
  const t2 = (await t.publicClient.getBlock({ blockNumber: r2.blockNumber })).timestamp;
  await t.mineAt(t2 + 100n);
  const r3 = await write(t, patient, { ...at(), functionName: 'setGuardian', args: [zeroAddress] });
  const t3 = (await t.publicClient.getBlock({ blockNumber: r3.blockNumber })).timestamp;
  const [e3] = parseEventLogs({ abi: accountsAbi, logs: r3.logs, eventName: 'GuardianSet' });
  assert.equal(e3?.args.guardian, zeroAddress);

  assert.equal(await read('guardianOf', [patient.address]), zeroAddress);
  assert.equal(await read('actsFor', [g2.address, patient.address]), false);
  assert.equal(await read('actsFor', [patient.address, patient.address]), true);
  assert.equal(await read('guardianAt', [patient.address, t1 - 1n]), zeroAddress);
  assert.equal(await read('guardianAt', [patient.address, t1]), g1.address);
  assert.equal(await read('guardianAt', [patient.address, t2 - 1n]), g1.address);
  assert.equal(await read('guardianAt', [patient.address, t2]), g2.address);
  assert.equal(await read('guardianAt', [patient.address, t3 - 1n]), g2.address);
  assert.equal(await read('guardianAt', [patient.address, t3]), zeroAddress);
  assert.equal(await read('guardianAt', [patient.address, 2n ** 64n]), zeroAddress);
  assert.equal(await read('guardianAt', [patient.address, t2 + 1n]), g2.address);
});

test('guardian refusals: only patients name one; not themselves, not an unregistered address', async () => {
  const patient = await t.actor();
  const provider = await t.actor();
  const unregistered = await t.actor();
  await register(patient, Role.Patient);
  await register(provider, Role.Provider);
  await expectRevert(
    t,
    provider,
    { ...at(), functionName: 'setGuardian', args: [patient.address] },
    'NotPatient',
    [provider.address],
  );
  await expectRevert(
    t,
    unregistered,
    { ...at(), functionName: 'setGuardian', args: [patient.address] },
    'NotPatient',
  );
  await expectRevert(
    t,
    patient,
    { ...at(), functionName: 'setGuardian', args: [patient.address] },
    'InvalidGuardian',
    [patient.address],
  );
  await expectRevert(
    t,
    patient,
    { ...at(), functionName: 'setGuardian', args: [unregistered.address] },
    'InvalidGuardian',
    [unregistered.address],
  );
  // actsFor is false for accounts that are not patients, whoever asks.
  assert.equal(await read('actsFor', [provider.address, provider.address]), false);
});

test('every custom error of Accounts has a revert test', () => {
  assertEveryErrorExercised(accountsAbi, {
    CheckpointUnorderedInsertion:
      'guardian history is keyed by block.timestamp, which never decreases',
  });
});
