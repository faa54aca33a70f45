import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  accountsAbi,
  aegleForwarderAbi,
  bytes32Label,
  consentsAbi,
  forwarderDomain,
  forwardRequestTypes,
  Role,
  Scope,
} from '@aegle/contracts';
import { concat, encodeFunctionData, type Hex, parseEventLogs } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
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

let t: TestChain;
let other: TestChain;
let d: TestDeployment;
let dOther: TestDeployment;
let relayer: Actor;

type RequestData = {
  from: Hex;
  to: Hex;
  value: bigint;
  gas: bigint;
  deadline: number;
  data: Hex;
  signature: Hex;
};

const fwd = () => ({ address: d.forwarder, abi: aegleForwarderAbi });
const readForwarder = <T>(functionName: string, args: readonly unknown[] = []) =>
  // biome-ignore lint/suspicious/noExplicitAny: dynamic function name
  t.publicClient.readContract({ ...fwd(), functionName, args } as any) as Promise<T>;

/** A user's signed request for the forwarder of `deployment` on `chain`. */
async function signRequest(
  chain: TestChain,
  deployment: TestDeployment,
  signer: Actor,
  call: {
    to: Hex;
    data: Hex;
    value?: bigint;
    deadline?: number;
    nonce?: bigint;
    chainId?: number;
    from?: Hex;
  },
): Promise<RequestData> {
  const nonce =
    call.nonce ??
    ((await chain.publicClient.readContract({
      address: deployment.forwarder,
      abi: aegleForwarderAbi,
      functionName: 'nonces',
      args: [call.from ?? signer.address],
    })) as bigint);
  const message = {
    from: call.from ?? signer.address,
    to: call.to,
    value: call.value ?? 0n,
    gas: 1_000_000n,
    nonce,
    deadline: call.deadline ?? Number(await chain.now()) + 3600,
    data: call.data,
  };
  const signature = await signer.account.signTypedData({
    domain: forwarderDomain(call.chainId ?? chain.chain.id, deployment.forwarder),
    types: forwardRequestTypes,
    primaryType: 'ForwardRequest',
    message,
  });
  const { nonce: _, ...rest } = message;
  return { ...rest, signature };
}

const registerData = (role: number = Role.Patient) =>
  encodeFunctionData({ abi: accountsAbi, functionName: 'register', args: [role, encryptionKey()] });

before(async () => {
  // Two chains with the same contracts at the same addresses: only the chain id differs.
  const authorityKey = generatePrivateKey();
  t = await startTestChain({ chainId: 31337 });
  other = await startTestChain({ chainId: 31338 });
  d = await deployForTests(t, { authorityKey });
  dOther = await deployForTests(other, { authorityKey });
  relayer = await t.actor();
});
after(async () => {
  await Promise.all([t?.stop(), other?.stop()]);
});

test('a user without ether registers through a relayer: the contract sees the user (ExecutedForwardRequest)', async () => {
  const user = await t.actor({ fund: false });
  const request = await signRequest(t, d, user, { to: d.accounts, data: registerData() });
  assert.equal(await readForwarder('verify', [request]), true);
  const receipt = await write(t, relayer, { ...fwd(), functionName: 'execute', args: [request] });
  const [executed] = parseEventLogs({
    abi: aegleForwarderAbi,
    logs: receipt.logs,
    eventName: 'ExecutedForwardRequest',
  });
  assert.deepEqual(executed?.args, { signer: user.address, nonce: 0n, success: true });
  const [registered] = parseEventLogs({
    abi: accountsAbi,
    logs: receipt.logs,
    eventName: 'AccountRegistered',
  });
  assert.equal(registered?.args.account, user.address);
  assert.equal(
    await t.publicClient.readContract({
      address: d.accounts,
      abi: accountsAbi,
      functionName: 'roleOf',
      args: [user.address],
    }),
    Role.Patient,
  );
  assert.equal(await t.publicClient.getBalance({ address: user.address }), 0n);
  assert.equal(await readForwarder('nonces', [user.address]), 1n);
});

test('a replayed request is rejected, and a mined replay reverts', async () => {
  const user = await t.actor({ fund: false });
  const request = await signRequest(t, d, user, { to: d.accounts, data: registerData() });
  await write(t, relayer, { ...fwd(), functionName: 'execute', args: [request] });
  assert.equal(await readForwarder('verify', [request]), false);
  // The nonce moved on, so the signature now recovers to someone else.
  await expectRevert(
    t,
    relayer,
    { ...fwd(), functionName: 'execute', args: [request] },
    'ERC2771ForwarderInvalidSigner',
  );
  const receipt = await writeUnchecked(t, relayer, {
    ...fwd(),
    functionName: 'execute',
    args: [request],
  });
  assert.equal(receipt.status, 'reverted');
  assert.equal(await readForwarder('nonces', [user.address]), 1n);
});

test('an expired request is rejected', async () => {
  const user = await t.actor({ fund: false });
  const deadline = Number(await t.now()) - 1;
  const request = await signRequest(t, d, user, { to: d.accounts, data: registerData(), deadline });
  await expectRevert(
    t,
    relayer,
    { ...fwd(), functionName: 'execute', args: [request] },
    'ERC2771ForwarderExpiredRequest',
    [deadline],
  );
});

test('a request signed for another chain is rejected, even with the same contracts at the same addresses', async () => {
  assert.equal(dOther.forwarder, d.forwarder);
  assert.equal(dOther.accounts, d.accounts);
  const user = await t.actor({ fund: false });
  const forOther = await signRequest(other, dOther, user, { to: d.accounts, data: registerData() });
  await expectRevert(
    t,
    relayer,
    { ...fwd(), functionName: 'execute', args: [forOther] },
    'ERC2771ForwarderInvalidSigner',
  );
  // The same kind of request, signed for this chain, goes through.
  const forThis = await signRequest(t, d, user, { to: d.accounts, data: registerData() });
  await write(t, relayer, { ...fwd(), functionName: 'execute', args: [forThis] });
  // And a request signed for this chain, relayed on the other chain (where the user's forwarder
  // nonce is also 0), fails there.
  const otherRelayer = await other.actor();
  const forThisAgain = await signRequest(t, d, user, {
    to: d.accounts,
    data: encodeFunctionData({
      abi: accountsAbi,
      functionName: 'rotateEncryptionKey',
      args: [user.address, encryptionKey()],
    }),
    nonce: 0n,
  });
  await expectRevert(
    other,
    otherRelayer,
    {
      address: dOther.forwarder,
      abi: aegleForwarderAbi,
      functionName: 'execute',
      args: [forThisAgain],
    },
    'ERC2771ForwarderInvalidSigner',
  );
});

test('a forged signature, an untrusting target, a value mismatch, a failing call are rejected', async () => {
  const user = await t.actor({ fund: false });
  const mallory = await t.actor();
  // Mallory signs a request that claims to come from the user.
  const forged = await signRequest(t, d, mallory, {
    to: d.accounts,
    data: registerData(),
    from: user.address,
  });
  await expectRevert(
    t,
    relayer,
    { ...fwd(), functionName: 'execute', args: [forged] },
    'ERC2771ForwarderInvalidSigner',
    [mallory.address, user.address],
  );
  const untrusting = await signRequest(t, d, user, {
    to: d.naiveAnchor,
    data: '0x',
  });
  await expectRevert(
    t,
    relayer,
    { ...fwd(), functionName: 'execute', args: [untrusting] },
    'ERC2771UntrustfulTarget',
    [d.naiveAnchor, d.forwarder],
  );
  const valued = await signRequest(t, d, user, { to: d.accounts, data: registerData(), value: 1n });
  await expectRevert(
    t,
    relayer,
    { ...fwd(), functionName: 'execute', args: [valued] },
    'ERC2771ForwarderMismatchedValue',
    [1n, 0n],
  );
  // A valid request whose call reverts (InvalidRole) fails as a whole, and the nonce is not used.
  const failing = await signRequest(t, d, user, {
    to: d.accounts,
    data: encodeFunctionData({
      abi: accountsAbi,
      functionName: 'register',
      args: [Role.None, encryptionKey()],
    }),
  });
  await expectRevert(
    t,
    relayer,
    { ...fwd(), functionName: 'execute', args: [failing] },
    'FailedCall',
  );
  // In a batch without a refund receiver, value sent to a call that fails (register is not payable)
  // cannot be returned, so the batch reverts.
  await expectRevert(
    t,
    relayer,
    {
      ...fwd(),
      functionName: 'executeBatch',
      args: [[valued], '0x0000000000000000000000000000000000000000'],
      value: 1n,
    },
    'ERC2771ForwarderNoRefundReceiver',
  );
  assert.equal(await readForwarder('nonces', [user.address]), 0n);
});

test('with a refund receiver, a batch skips invalid requests and runs the valid ones', async () => {
  const a = await t.actor({ fund: false });
  const b = await t.actor({ fund: false });
  const good = await signRequest(t, d, a, { to: d.accounts, data: registerData() });
  const expired = await signRequest(t, d, b, { to: d.accounts, data: registerData(), deadline: 1 });
  const receipt = await write(t, relayer, {
    ...fwd(),
    functionName: 'executeBatch',
    args: [[good, expired], relayer.address],
  });
  const executed = parseEventLogs({
    abi: aegleForwarderAbi,
    logs: receipt.logs,
    eventName: 'ExecutedForwardRequest',
  });
  assert.deepEqual(
    executed.map((e) => e.args.signer),
    [a.address],
  );
});

test('a guardian grants consent gaslessly; appending an address to a direct call does not impersonate', async () => {
  const patient = await t.actor({ fund: false });
  const guardian = await t.actor({ fund: false });
  const doctor = await t.actor({ fund: false });
  for (const [who, role] of [
    [patient, Role.Patient],
    [guardian, Role.Patient],
    [doctor, Role.Provider],
  ] as const) {
    await write(t, relayer, {
      ...fwd(),
      functionName: 'execute',
      args: [await signRequest(t, d, who, { to: d.accounts, data: registerData(role) })],
    });
  }
  await write(t, relayer, {
    ...fwd(),
    functionName: 'execute',
    args: [
      await signRequest(t, d, patient, {
        to: d.accounts,
        data: encodeFunctionData({
          abi: accountsAbi,
          functionName: 'setGuardian',
          args: [guardian.address],
        }),
      }),
    ],
  });
  const record = randomBytes32();
  const grantData = encodeFunctionData({
    abi: consentsAbi,
    functionName: 'grant',
    args: [
      patient.address,
      doctor.address,
      Scope.Record,
      record,
      bytes32Label('treatment'),
      BigInt(Number(await t.now()) + 3600),
    ],
  });
  const receipt = await write(t, relayer, {
    ...fwd(),
    functionName: 'execute',
    args: [await signRequest(t, d, guardian, { to: d.consents, data: grantData })],
  });
  const [granted] = parseEventLogs({
    abi: consentsAbi,
    logs: receipt.logs,
    eventName: 'ConsentGranted',
  });
  assert.equal(granted?.args.by, guardian.address);

  // The ERC-2771 suffix is honoured only from the trusted forwarder: sent directly, the relayer
  // stays the sender, and it may not act for the patient.
  const hash = await relayer.wallet.sendTransaction({
    to: d.consents,
    data: concat([grantData, guardian.address]),
    gas: 500_000n,
  });
  const direct = await t.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(direct.status, 'reverted');
});

test('every custom error of AegleForwarder has a revert test', () => {
  assertEveryErrorExercised(aegleForwarderAbi, {
    InsufficientBalance: 'refunds never exceed the value the batch was sent with',
    InvalidAccountNonce:
      'the forwarder consumes nonces unchecked; a stale nonce shows as InvalidSigner',
    InvalidShortString: 'EIP712 constructor with a constant short name: cannot fail',
    StringTooLong: 'EIP712 constructor with a constant short name: cannot fail',
  });
});
