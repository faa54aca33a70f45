import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accountsAbi, bytes32Label, consentsAbi, Role, Scope } from '@aegle/contracts';
import { type Hex, parseEventLogs, zeroAddress, zeroHash } from 'viem';
import {
  type Actor,
  assertEveryErrorExercised,
  expectRevert,
  startTestChain,
  type TestChain,
  write,
} from './chain.testing.ts';
import {
  deployForTests,
  encryptionKey,
  randomBytes32,
  type TestDeployment,
} from './deploy.testing.ts';

const HOUR = 3600n;
const treatment = bytes32Label('treatment');
const research = bytes32Label('research');
const observation = bytes32Label('Observation');
const imaging = bytes32Label('ImagingStudy');

let t: TestChain;
let d: TestDeployment;
let patient: Actor;
let guardian: Actor;
let doctor: Actor;
let lab: Actor;

const con = () => ({ address: d.consents, abi: consentsAbi });
const read = <T>(functionName: string, args: readonly unknown[] = []) =>
  // biome-ignore lint/suspicious/noExplicitAny: dynamic function name
  t.publicClient.readContract({ ...con(), functionName, args } as any) as Promise<T>;
const grant = (
  p: Hex,
  grantee: Hex,
  scope: number,
  target: Hex,
  purpose: Hex,
  expiresAt: bigint,
) => ({
  ...con(),
  functionName: 'grant',
  args: [p, grantee, scope, target, purpose, expiresAt],
});
const revoke = (p: Hex, grantee: Hex, scope: number, target: Hex) => ({
  ...con(),
  functionName: 'revoke',
  args: [p, grantee, scope, target],
});

async function registered(role: number): Promise<Actor> {
  const actor = await t.actor();
  await write(t, actor, {
    address: d.accounts,
    abi: accountsAbi,
    functionName: 'register',
    args: [role, encryptionKey()],
  });
  return actor;
}

before(async () => {
  t = await startTestChain();
  d = await deployForTests(t);
  patient = await registered(Role.Patient);
  guardian = await registered(Role.Patient);
  doctor = await registered(Role.Provider);
  lab = await registered(Role.Institution);
  await write(t, patient, {
    address: d.accounts,
    abi: accountsAbi,
    functionName: 'setGuardian',
    args: [guardian.address],
  });
});
after(async () => {
  await t?.stop();
});

test('the patient grants one record for a purpose until an expiry (ConsentGranted); canRead answers', async () => {
  const record = randomBytes32();
  const expiresAt = (await t.now()) + HOUR;
  const receipt = await write(
    t,
    patient,
    grant(patient.address, doctor.address, Scope.Record, record, treatment, expiresAt),
  );
  const [log] = parseEventLogs({
    abi: consentsAbi,
    logs: receipt.logs,
    eventName: 'ConsentGranted',
  });
  assert.deepEqual(log?.args, {
    patient: patient.address,
    grantee: doctor.address,
    scope: Scope.Record,
    target: record,
    purpose: treatment,
    expiresAt,
    by: patient.address,
  });
  assert.deepEqual(await read('canRead', [doctor.address, patient.address, record, observation]), [
    true,
    treatment,
  ]);
  assert.deepEqual(
    await read('canRead', [doctor.address, patient.address, randomBytes32(), observation]),
    [false, zeroHash],
  );
  assert.deepEqual(await read('canRead', [lab.address, patient.address, record, observation]), [
    false,
    zeroHash,
  ]);
  assert.deepEqual(await read('grantOf', [patient.address, doctor.address, Scope.Record, record]), {
    purpose: treatment,
    expiresAt,
  });
  // The patient always reads its own records; address(0) never does.
  assert.deepEqual(await read('canRead', [patient.address, patient.address, record, observation]), [
    true,
    bytes32Label('owner'),
  ]);
  assert.deepEqual(await read('canRead', [zeroAddress, zeroAddress, record, observation]), [
    false,
    zeroHash,
  ]);
});

test('a category grant covers every record of the category; a record grant wins over it; both expire', async () => {
  const now = await t.now();
  await write(
    t,
    patient,
    grant(patient.address, lab.address, Scope.Category, observation, research, now + 100n),
  );
  const record = randomBytes32();
  assert.deepEqual(await read('canRead', [lab.address, patient.address, record, observation]), [
    true,
    research,
  ]);
  assert.deepEqual(await read('canRead', [lab.address, patient.address, record, imaging]), [
    false,
    zeroHash,
  ]);
  const r = await write(
    t,
    patient,
    grant(patient.address, lab.address, Scope.Record, record, treatment, now + 50n),
  );
  const at = (await t.publicClient.getBlock({ blockNumber: r.blockNumber })).timestamp;
  assert.deepEqual(await read('canRead', [lab.address, patient.address, record, observation]), [
    true,
    treatment,
  ]);
  await t.mineAt(now + 50n);
  assert.ok(at < now + 50n);
  assert.deepEqual(await read('canRead', [lab.address, patient.address, record, observation]), [
    true,
    research,
  ]);
  await t.mineAt(now + 100n);
  assert.deepEqual(await read('canRead', [lab.address, patient.address, record, observation]), [
    false,
    zeroHash,
  ]);
});

test('revocation ends a grant at once (ConsentRevoked); revoking again, or an expired grant, is refused', async () => {
  const record = randomBytes32();
  await write(
    t,
    patient,
    grant(patient.address, doctor.address, Scope.Record, record, treatment, (await t.now()) + HOUR),
  );
  const receipt = await write(
    t,
    patient,
    revoke(patient.address, doctor.address, Scope.Record, record),
  );
  const [log] = parseEventLogs({
    abi: consentsAbi,
    logs: receipt.logs,
    eventName: 'ConsentRevoked',
  });
  assert.deepEqual(log?.args, {
    patient: patient.address,
    grantee: doctor.address,
    scope: Scope.Record,
    target: record,
    by: patient.address,
  });
  assert.deepEqual(await read('canRead', [doctor.address, patient.address, record, observation]), [
    false,
    zeroHash,
  ]);
  await expectRevert(
    t,
    patient,
    revoke(patient.address, doctor.address, Scope.Record, record),
    'NoSuchGrant',
  );
  await expectRevert(
    t,
    patient,
    revoke(patient.address, doctor.address, Scope.Category, imaging),
    'NoSuchGrant',
  );
  const now = await t.now();
  await write(
    t,
    patient,
    grant(patient.address, doctor.address, Scope.Category, imaging, treatment, now + 10n),
  );
  await t.mineAt(now + 10n);
  await expectRevert(
    t,
    patient,
    revoke(patient.address, doctor.address, Scope.Category, imaging),
    'NoSuchGrant',
  );
});

test('the guardian grants and revokes on the patient’s behalf; events name the guardian', async () => {
  const record = randomBytes32();
  const r1 = await write(
    t,
    guardian,
    grant(patient.address, doctor.address, Scope.Record, record, treatment, (await t.now()) + HOUR),
  );
  const [g] = parseEventLogs({ abi: consentsAbi, logs: r1.logs, eventName: 'ConsentGranted' });
  assert.deepEqual([g?.args.patient, g?.args.by], [patient.address, guardian.address]);
  assert.deepEqual(await read('canRead', [doctor.address, patient.address, record, observation]), [
    true,
    treatment,
  ]);
  const r2 = await write(
    t,
    guardian,
    revoke(patient.address, doctor.address, Scope.Record, record),
  );
  const [rv] = parseEventLogs({ abi: consentsAbi, logs: r2.logs, eventName: 'ConsentRevoked' });
  assert.equal(rv?.args.by, guardian.address);
  // The guardian reads nothing by being a guardian: it must grant itself like anyone else.
  assert.deepEqual(
    await read('canRead', [guardian.address, patient.address, record, observation]),
    [false, zeroHash],
  );
});

test('grant and revoke refusals', async () => {
  const later = (await t.now()) + HOUR;
  const record = randomBytes32();
  const unregistered = await t.actor();
  await expectRevert(
    t,
    doctor,
    grant(patient.address, lab.address, Scope.Record, record, treatment, later),
    'NotPatientOrGuardian',
    [doctor.address, patient.address],
  );
  await expectRevert(
    t,
    doctor,
    revoke(patient.address, lab.address, Scope.Record, record),
    'NotPatientOrGuardian',
  );
  // A provider is not a patient: nobody grants on its behalf, not even itself.
  await expectRevert(
    t,
    doctor,
    grant(doctor.address, lab.address, Scope.Record, record, treatment, later),
    'NotPatientOrGuardian',
  );
  await expectRevert(
    t,
    patient,
    grant(patient.address, zeroAddress, Scope.Record, record, treatment, later),
    'InvalidGrantee',
    [zeroAddress],
  );
  await expectRevert(
    t,
    patient,
    grant(patient.address, patient.address, Scope.Record, record, treatment, later),
    'InvalidGrantee',
  );
  await expectRevert(
    t,
    patient,
    grant(patient.address, unregistered.address, Scope.Record, record, treatment, later),
    'InvalidGrantee',
    [unregistered.address],
  );
  await expectRevert(
    t,
    patient,
    grant(patient.address, doctor.address, Scope.Category, zeroHash, treatment, later),
    'InvalidTarget',
  );
  await expectRevert(
    t,
    patient,
    grant(patient.address, doctor.address, Scope.Record, record, zeroHash, later),
    'InvalidPurpose',
  );
  const now = await t.now();
  await expectRevert(
    t,
    patient,
    grant(patient.address, doctor.address, Scope.Record, record, treatment, now - 1n),
    'ExpiryInPast',
    [now - 1n],
  );
});

test('every custom error of Consents has a revert test', () => {
  assertEveryErrorExercised(consentsAbi);
});
