import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accountsAbi, certificationAbi, Role, roleIds } from '@aegle/contracts';
import { type Hex, parseEventLogs } from 'viem';
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

const DAY = 86_400n;
let t: TestChain;
let d: TestDeployment;

const cert = () => ({ address: d.certification, abi: certificationAbi });
const read = <T>(functionName: string, args: readonly unknown[] = []) =>
  // biome-ignore lint/suspicious/noExplicitAny: dynamic function name
  t.publicClient.readContract({ ...cert(), functionName, args } as any) as Promise<T>;

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
const blockTime = async (blockNumber: bigint) =>
  (await t.publicClient.getBlock({ blockNumber })).timestamp;

before(async () => {
  t = await startTestChain();
  d = await deployForTests(t);
});
after(async () => {
  await t?.stop();
});

test('the deployer is the first authority and default admin; the authority administers NODE_ROLE', async () => {
  assert.equal(await read('hasRole', [roleIds.authority, d.authority.address]), true);
  assert.equal(await read('hasRole', [roleIds.defaultAdmin, d.authority.address]), true);
  assert.equal(await read('getRoleAdmin', [roleIds.node]), roleIds.authority);
  assert.equal(await read('getRoleAdmin', [roleIds.certifier]), roleIds.defaultAdmin);
  assert.equal(await read('accounts'), d.accounts);
});

test('an authority certifies providers, institutions and researchers with a credential hash and an expiry (Certified)', async () => {
  for (const role of [Role.Provider, Role.Institution, Role.Researcher]) {
    const subject = await registered(role);
    const credential = randomBytes32();
    const expiresAt = (await t.now()) + 30n * DAY;
    const receipt = await write(t, d.authority, {
      ...cert(),
      functionName: 'certify',
      args: [subject.address, credential, expiresAt],
    });
    const [log] = parseEventLogs({
      abi: certificationAbi,
      logs: receipt.logs,
      eventName: 'Certified',
    });
    assert.deepEqual(log?.args, {
      subject: subject.address,
      credentialHash: credential,
      expiresAt,
      issuer: d.authority.address,
    });
    assert.equal(await read('isCertified', [subject.address]), true);
    assert.equal(await read('certificateCount', [subject.address]), 1n);
    const c = await read<{
      credentialHash: Hex;
      expiresAt: bigint;
      revokedAt: bigint;
      issuer: Hex;
    }>('certificateAt', [subject.address, 0n]);
    assert.deepEqual(
      [c.credentialHash, c.expiresAt, c.revokedAt, c.issuer],
      [credential, expiresAt, 0n, d.authority.address],
    );
  }
});

test('certification history: expiry, re-certification and revocation are answerable at any past time', async () => {
  const subject = await registered(Role.Provider);
  const r1 = await write(t, d.authority, {
    ...cert(),
    functionName: 'certify',
    args: [subject.address, randomBytes32(), (await t.now()) + 100n],
  });
  const t1 = await blockTime(r1.blockNumber);
  await t.mineAt(t1 + 50n);
  // Re-certifying ends the current certificate where the new one starts.
  const r2 = await write(t, d.authority, {
    ...cert(),
    functionName: 'certify',
    args: [subject.address, randomBytes32(), t1 + 10_000n],
  });
  const t2 = await blockTime(r2.blockNumber);
  await t.mineAt(t2 + 50n);
  const r3 = await write(t, d.authority, {
    ...cert(),
    functionName: 'revoke',
    args: [subject.address],
  });
  const t3 = await blockTime(r3.blockNumber);
  const [log] = parseEventLogs({
    abi: certificationAbi,
    logs: r3.logs,
    eventName: 'CertificationRevoked',
  });
  assert.deepEqual(log?.args, { subject: subject.address, by: d.authority.address });

  assert.equal(await read('isCertifiedAt', [subject.address, t1 - 1n]), false);
  assert.equal(await read('isCertifiedAt', [subject.address, t1]), true);
  assert.equal(await read('isCertifiedAt', [subject.address, t2]), true);
  assert.equal(await read('isCertifiedAt', [subject.address, t3 - 1n]), true);
  assert.equal(await read('isCertifiedAt', [subject.address, t3]), false);
  assert.equal(await read('isCertified', [subject.address]), false);
  assert.equal(
    (await read<{ revokedAt: bigint }>('certificateAt', [subject.address, 0n])).revokedAt,
    t2,
  );

  // A certificate that simply expires.
  const short = await registered(Role.Institution);
  const r4 = await write(t, d.authority, {
    ...cert(),
    functionName: 'certify',
    args: [short.address, randomBytes32(), (await t.now()) + 20n],
  });
  const t4 = await blockTime(r4.blockNumber);
  assert.equal(await read('isCertifiedAt', [short.address, t4 + 19n]), true);
  assert.equal(await read('isCertifiedAt', [short.address, t4 + 20n]), false);
  await t.mineAt(t4 + 21n);
  await expectRevert(
    t,
    d.authority,
    { ...cert(), functionName: 'revoke', args: [short.address] },
    'NotCertified',
    [short.address],
  );
});

test('certify refusals: a non-certifier, a subject that is not certifiable, no credential, a past expiry', async () => {
  const provider = await registered(Role.Provider);
  const later = (await t.now()) + DAY;
  const call = (subject: Hex, credential: Hex = randomBytes32(), expiresAt = later) => ({
    ...cert(),
    functionName: 'certify',
    args: [subject, credential, expiresAt],
  });
  await expectRevert(t, provider, call(provider.address), 'NotCertifier', [provider.address]);
  for (const role of [Role.Patient, Role.Authority]) {
    const subject = await registered(role);
    await expectRevert(t, d.authority, call(subject.address), 'NotCertifiable', [subject.address]);
  }
  const unregistered = await t.actor();
  await expectRevert(t, d.authority, call(unregistered.address), 'NotCertifiable');
  await expectRevert(
    t,
    d.authority,
    call(provider.address, '0x0000000000000000000000000000000000000000000000000000000000000000'),
    'InvalidCredential',
  );
  const now = await t.now();
  await expectRevert(
    t,
    d.authority,
    call(provider.address, randomBytes32(), now - 1n),
    'ExpiryInPast',
    [now - 1n],
  );
});

test('revoke refusals: a non-certifier, a subject never certified, a certificate already revoked', async () => {
  const provider = await registered(Role.Provider);
  await expectRevert(
    t,
    d.authority,
    { ...cert(), functionName: 'revoke', args: [provider.address] },
    'NotCertified',
  );
  await write(t, d.authority, {
    ...cert(),
    functionName: 'certify',
    args: [provider.address, randomBytes32(), (await t.now()) + DAY],
  });
  await expectRevert(
    t,
    provider,
    { ...cert(), functionName: 'revoke', args: [provider.address] },
    'NotCertifier',
  );
  await write(t, d.authority, { ...cert(), functionName: 'revoke', args: [provider.address] });
  await expectRevert(
    t,
    d.authority,
    { ...cert(), functionName: 'revoke', args: [provider.address] },
    'NotCertified',
  );
});

test('room for the peer-vote path: a CERTIFIER_ROLE holder certifies and revokes like an authority', async () => {
  const certifier = await t.actor();
  const granted = await write(t, d.authority, {
    ...cert(),
    functionName: 'grantRole',
    args: [roleIds.certifier, certifier.address],
  });
  const [g] = parseEventLogs({
    abi: certificationAbi,
    logs: granted.logs,
    eventName: 'RoleGranted',
  });
  assert.deepEqual(
    [g?.args.role, g?.args.account, g?.args.sender],
    [roleIds.certifier, certifier.address, d.authority.address],
  );
  const subject = await registered(Role.Researcher);
  const receipt = await write(t, certifier, {
    ...cert(),
    functionName: 'certify',
    args: [subject.address, randomBytes32(), (await t.now()) + DAY],
  });
  const [log] = parseEventLogs({
    abi: certificationAbi,
    logs: receipt.logs,
    eventName: 'Certified',
  });
  assert.equal(log?.args.issuer, certifier.address);
  await write(t, certifier, { ...cert(), functionName: 'revoke', args: [subject.address] });
  const revoked = await write(t, d.authority, {
    ...cert(),
    functionName: 'revokeRole',
    args: [roleIds.certifier, certifier.address],
  });
  assert.equal(
    parseEventLogs({ abi: certificationAbi, logs: revoked.logs, eventName: 'RoleRevoked' }).length,
    1,
  );
  await expectRevert(
    t,
    certifier,
    {
      ...cert(),
      functionName: 'certify',
      args: [subject.address, randomBytes32(), (await t.now()) + DAY],
    },
    'NotCertifier',
  );
});

test('role administration refusals (AccessControl)', async () => {
  const outsider = await t.actor();
  await expectRevert(
    t,
    outsider,
    { ...cert(), functionName: 'grantRole', args: [roleIds.node, outsider.address] },
    'AccessControlUnauthorizedAccount',
    [outsider.address, roleIds.authority],
  );
  await expectRevert(
    t,
    d.authority,
    { ...cert(), functionName: 'renounceRole', args: [roleIds.authority, outsider.address] },
    'AccessControlBadConfirmation',
  );
  // The role-admin wiring is set once in the constructor (RoleAdminChanged).
  const logs = await t.publicClient.getContractEvents({
    ...cert(),
    eventName: 'RoleAdminChanged',
    fromBlock: 0n,
  });
  assert.deepEqual(
    logs.map((l) => [l.args.role, l.args.newAdminRole]),
    [[roleIds.node, roleIds.authority]],
  );
});

test('every custom error of Certification has a revert test', () => {
  assertEveryErrorExercised(certificationAbi);
});
