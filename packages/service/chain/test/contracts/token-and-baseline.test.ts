import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { medTokenAbi, naiveAnchorAbi } from '@aegle/contracts';
import { type Hex, hexToSignature, parseEventLogs, zeroAddress } from 'viem';
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
  randomBytes32,
  type TestDeployment,
  TOKEN_SUPPLY,
} from './deploy.testing.ts';

let t: TestChain;
let d: TestDeployment;
let alice: Actor;
let bob: Actor;

const token = () => ({ address: d.medToken, abi: medTokenAbi });
const read = <T>(functionName: string, args: readonly unknown[] = []) =>
  // biome-ignore lint/suspicious/noExplicitAny: dynamic function name
  t.publicClient.readContract({ ...token(), functionName, args } as any) as Promise<T>;

/** secp256k1 group order: an `s` above half of it is the malleable twin of a valid signature. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

async function signPermit(owner: Actor, spender: Hex, value: bigint, deadline: bigint) {
  const nonce = await read<bigint>('nonces', [owner.address]);
  const signature = await owner.account.signTypedData({
    domain: { name: 'Aegle Med', version: '1', chainId: t.chain.id, verifyingContract: d.medToken },
    types: {
      Permit: [
        { name: 'owner', type: 'address' },
        { name: 'spender', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'Permit',
    message: { owner: owner.address, spender, value, nonce, deadline },
  });
  const { r, s, v } = hexToSignature(signature);
  return { v: Number(v), r, s };
}

before(async () => {
  t = await startTestChain();
  d = await deployForTests(t);
  alice = await t.actor();
  bob = await t.actor();
});
after(async () => {
  await t?.stop();
});

describe('MedToken', () => {
  test('the fixed supply goes to the treasury once; transfers and approvals emit events', async () => {
    assert.equal(await read('totalSupply'), TOKEN_SUPPLY);
    assert.equal(await read('balanceOf', [d.authority.address]), TOKEN_SUPPLY);
    const r1 = await write(t, d.authority, {
      ...token(),
      functionName: 'transfer',
      args: [alice.address, 1000n],
    });
    const [transfer] = parseEventLogs({ abi: medTokenAbi, logs: r1.logs, eventName: 'Transfer' });
    assert.deepEqual(transfer?.args, {
      from: d.authority.address,
      to: alice.address,
      value: 1000n,
    });
    const r2 = await write(t, alice, {
      ...token(),
      functionName: 'approve',
      args: [bob.address, 300n],
    });
    const [approval] = parseEventLogs({ abi: medTokenAbi, logs: r2.logs, eventName: 'Approval' });
    assert.deepEqual(approval?.args, { owner: alice.address, spender: bob.address, value: 300n });
    await write(t, bob, {
      ...token(),
      functionName: 'transferFrom',
      args: [alice.address, bob.address, 100n],
    });
    assert.equal(await read('balanceOf', [bob.address]), 100n);
    assert.equal(await read('allowance', [alice.address, bob.address]), 200n);
  });

  test('ERC-20 refusals', async () => {
    await expectRevert(
      t,
      bob,
      { ...token(), functionName: 'transfer', args: [alice.address, 101n] },
      'ERC20InsufficientBalance',
      [bob.address, 100n, 101n],
    );
    await expectRevert(
      t,
      bob,
      { ...token(), functionName: 'transfer', args: [zeroAddress, 1n] },
      'ERC20InvalidReceiver',
      [zeroAddress],
    );
    await expectRevert(
      t,
      bob,
      { ...token(), functionName: 'transferFrom', args: [alice.address, bob.address, 201n] },
      'ERC20InsufficientAllowance',
      [bob.address, 200n, 201n],
    );
    await expectRevert(
      t,
      alice,
      { ...token(), functionName: 'approve', args: [zeroAddress, 1n] },
      'ERC20InvalidSpender',
      [zeroAddress],
    );
  });

  test('permit: a gasless approval, and its refusals (expired, wrong signer, malleable or empty signature)', async () => {
    const deadline = (await t.now()) + 3600n;
    const p = await signPermit(alice, bob.address, 50n, deadline);
    const args = [alice.address, bob.address, 50n, deadline, p.v, p.r, p.s];
    await write(t, bob, { ...token(), functionName: 'permit', args });
    assert.equal(await read('allowance', [alice.address, bob.address]), 50n);
    // Replayed: the nonce has moved on, so the signature recovers to someone else.
    await expectRevert(
      t,
      bob,
      { ...token(), functionName: 'permit', args },
      'ERC2612InvalidSigner',
    );

    const past = (await t.now()) - 1n;
    const expired = await signPermit(alice, bob.address, 50n, past);
    await expectRevert(
      t,
      bob,
      {
        ...token(),
        functionName: 'permit',
        args: [alice.address, bob.address, 50n, past, expired.v, expired.r, expired.s],
      },
      'ERC2612ExpiredSignature',
      [past],
    );
    const fresh = await signPermit(alice, bob.address, 60n, deadline);
    const high = `0x${(N - BigInt(fresh.s)).toString(16).padStart(64, '0')}` as Hex;
    await expectRevert(
      t,
      bob,
      {
        ...token(),
        functionName: 'permit',
        args: [alice.address, bob.address, 60n, deadline, fresh.v === 27 ? 28 : 27, fresh.r, high],
      },
      'ECDSAInvalidSignatureS',
    );
    await expectRevert(
      t,
      bob,
      {
        ...token(),
        functionName: 'permit',
        args: [alice.address, bob.address, 60n, deadline, 27, `0x${'00'.repeat(32)}`, fresh.s],
      },
      'ECDSAInvalidSignature',
    );
  });
});

describe('NaiveAnchor (benchmark baseline)', () => {
  test('one storage write per record (Anchored); a second write of an id is refused', async () => {
    const na = { address: d.naiveAnchor, abi: naiveAnchorAbi };
    const id = randomBytes32();
    const root = randomBytes32();
    const receipt = await write(t, alice, { ...na, functionName: 'anchor', args: [id, root] });
    const [log] = parseEventLogs({
      abi: naiveAnchorAbi,
      logs: receipt.logs,
      eventName: 'Anchored',
    });
    assert.deepEqual(log?.args, { recordId: id, contentRoot: root });
    assert.equal(
      await t.publicClient.readContract({ ...na, functionName: 'anchors', args: [id] }),
      root,
    );
    await expectRevert(
      t,
      bob,
      { ...na, functionName: 'anchor', args: [id, randomBytes32()] },
      'AlreadyAnchored',
      [id],
    );
  });
});

test('every custom error of MedToken and NaiveAnchor has a revert test', () => {
  assertEveryErrorExercised(medTokenAbi, {
    ECDSAInvalidSignatureLength: 'permit takes (v, r, s), never a byte string',
    ERC20InvalidApprover: 'approvals come from msg.sender or a recovered signer, never address(0)',
    ERC20InvalidSender: 'a transfer from address(0) needs an allowance address(0) cannot give',
    InvalidAccountNonce:
      'permit consumes nonces unchecked; a stale nonce shows as ERC2612InvalidSigner',
    InvalidShortString: 'EIP712 constructor with a constant short name: cannot fail',
    StringTooLong: 'EIP712 constructor with a constant short name: cannot fail',
  });
  assertEveryErrorExercised(naiveAnchorAbi);
});
