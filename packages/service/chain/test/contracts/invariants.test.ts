// Fuzz/invariant tests: random sequences of grants, revocations, guardian changes, certifications,
// direct anchors, batches, challenges and time travel, run against the contracts on anvil and
// against a plain TypeScript model of the rules; after every step the two must agree.
// Every transaction is mined at a timestamp the model chooses (evm_setNextBlockTimestamp), and
// sent without simulation, so the model sees exactly the chain's clock; the custom error of a
// mined revert is read back from anvil's call trace.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type AnchorEntry,
  accountsAbi,
  anchorEntryLeafValues,
  bytes32Label,
  certificationAbi,
  consentsAbi,
  Fault,
  Role,
  recordsAbi,
  roleIds,
  Scope,
} from '@aegle/contracts';
import { type Abi, decodeErrorResult, type Hex, zeroAddress, zeroHash } from 'viem';
import { type Actor, startTestChain, type TestChain, write } from './chain.testing.ts';
import {
  deployForTests,
  encryptionKey,
  randomBytes32,
  type TestDeployment,
} from './deploy.testing.ts';
import { entryTree, proofAt, signEntry } from './entries.testing.ts';

const DAY = 86_400n;
const SEEDS = process.env.AEGLE_FUZZ_SEED ? [Number(process.env.AEGLE_FUZZ_SEED)] : [1, 2];

let t: TestChain;
let d: TestDeployment;
let clock: bigint;

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}

type Outcome = { ok: true; blockNumber: bigint } | { ok: false; error: string };

/** Mine `call` from `actor` in the next block at `clock + 1`, and report success or its custom error. */
async function step(
  actor: Actor,
  call: { address: Hex; abi: Abi; functionName: string; args: readonly unknown[] },
): Promise<Outcome> {
  clock += 1n;
  await t.testClient.setNextBlockTimestamp({ timestamp: clock });
  // biome-ignore lint/suspicious/noExplicitAny: one helper for every contract's ABI
  const hash = await actor.wallet.writeContract({ ...(call as any), gas: 2_000_000n });
  const receipt = await t.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status === 'success') return { ok: true, blockNumber: receipt.blockNumber };
  const trace = (await t.publicClient.request({
    method: 'debug_traceTransaction',
    params: [hash, { tracer: 'callTracer' }],
  } as never)) as { output?: Hex };
  const decoded = decodeErrorResult({ abi: call.abi, data: trace.output ?? '0x' });
  return { ok: false, error: decoded.errorName };
}

async function travel(seconds: bigint) {
  clock += seconds;
  await t.mineAt(clock);
}

/** What the sequences exercised, as `action:outcome` counts; checked so a run cannot be vacuous. */
const seen = new Map<string, number>();

function expectOutcome(
  outcome: Outcome,
  expected: string | undefined,
  context: string,
  action: string,
) {
  assert.equal(outcome.ok ? undefined : outcome.error, expected, `${context} ${action}`);
  const label = `${action}:${expected ?? 'ok'}`;
  seen.set(label, (seen.get(label) ?? 0) + 1);
}

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
});
after(async () => {
  await t?.stop();
});

for (const seed of SEEDS) {
  test(`grants: random grant/revoke/guardian/expiry/time-travel sequences agree with the model (seed ${seed})`, async () => {
    const rnd = prng(seed);
    const patient = await registered(Role.Patient);
    const guardian = await registered(Role.Patient);
    const stranger = await registered(Role.Provider);
    const grantees = [await registered(Role.Provider), await registered(Role.Researcher)];
    const unregistered = await t.actor();
    const categories = [bytes32Label('Observation'), bytes32Label('ImagingStudy')];
    const records = Array.from({ length: 4 }, (_, i) => ({
      id: randomBytes32(),
      category: categories[i % 2] as Hex,
    }));
    const purposes = [bytes32Label('treatment'), bytes32Label('research')];
    clock = (await t.now()) + 10n;

    const grants = new Map<string, { purpose: Hex; expiresAt: bigint }>();
    const key = (grantee: Hex, scope: number, target: Hex) => `${grantee}/${scope}/${target}`;
    let guardianActive = false;
    const con = { address: d.consents, abi: consentsAbi as Abi };

    const checkReads = async (blockNumber: bigint, at: bigint, context: string) => {
      const questions = grantees.flatMap((g) => records.map((r) => ({ g, r })));
      const answers = await Promise.all(
        questions.map(({ g, r }) =>
          t.publicClient.readContract({
            address: d.consents,
            abi: consentsAbi,
            functionName: 'canRead',
            args: [g.address, patient.address, r.id, r.category],
            blockNumber,
          }),
        ),
      );
      for (const [i, { g, r }] of questions.entries()) {
        const byRecord = grants.get(key(g.address, Scope.Record, r.id));
        const byCategory = grants.get(key(g.address, Scope.Category, r.category));
        const live = [byRecord, byCategory].find((x) => x !== undefined && x.expiresAt > at);
        const expected = live ? [true, live.purpose] : [false, zeroHash];
        assert.deepEqual(answers[i], expected, `${context}: canRead(${g.address}, ${r.id})`);
      }
    };

    for (let i = 0; i < 120; i++) {
      const kind = rnd.int(0, 9);
      const context = `seed ${seed} step ${i}`;
      if (kind <= 4) {
        const caller = rnd.pick([patient, patient, guardian, stranger]);
        const grantee = rnd.chance(0.9)
          ? rnd.pick(grantees).address
          : rnd.pick([unregistered.address, patient.address]);
        const scope = rnd.pick([Scope.Record, Scope.Category]);
        const target = scope === Scope.Record ? rnd.pick(records).id : rnd.pick(categories);
        const purpose = rnd.pick(purposes);
        const at = clock + 1n;
        // Expiries straddle the moment of the grant, to hit the boundaries.
        const expiresAt = at + BigInt(rnd.pick([-5, 0, 1, 2, 30, 200, 1000]));
        const acts = caller === patient || (caller === guardian && guardianActive);
        const expected = !acts
          ? 'NotPatientOrGuardian'
          : grantee === patient.address || grantee === unregistered.address
            ? 'InvalidGrantee'
            : expiresAt <= at
              ? 'ExpiryInPast'
              : undefined;
        const outcome = await step(caller, {
          ...con,
          functionName: 'grant',
          args: [patient.address, grantee, scope, target, purpose, expiresAt],
        });
        expectOutcome(
          outcome,
          expected,
          context,
          caller === guardian ? 'grant-by-guardian' : 'grant',
        );
        if (outcome.ok) {
          grants.set(key(grantee, scope, target), { purpose, expiresAt });
          await checkReads(outcome.blockNumber, at, context);
        }
      } else if (kind <= 6) {
        const caller = rnd.pick([patient, guardian, stranger]);
        // Prefer grants that exist, live or expired.
        const existing = [...grants.keys()];
        const [grantee, scopeText, target] = (
          existing.length > 0 && rnd.chance(0.8)
            ? rnd.pick(existing)
            : key(rnd.pick(grantees).address, Scope.Record, rnd.pick(records).id)
        ).split('/') as [Hex, string, Hex];
        const scope = Number(scopeText);
        const at = clock + 1n;
        const acts = caller === patient || (caller === guardian && guardianActive);
        const live = (grants.get(key(grantee, scope, target))?.expiresAt ?? 0n) > at;
        const expected = !acts ? 'NotPatientOrGuardian' : !live ? 'NoSuchGrant' : undefined;
        const outcome = await step(caller, {
          ...con,
          functionName: 'revoke',
          args: [patient.address, grantee, scope, target],
        });
        expectOutcome(outcome, expected, context, 'revoke');
        if (outcome.ok) {
          grants.delete(key(grantee, scope, target));
          await checkReads(outcome.blockNumber, at, context);
        }
      } else if (kind === 7) {
        const next = guardianActive ? zeroAddress : guardian.address;
        const outcome = await step(patient, {
          address: d.accounts,
          abi: accountsAbi,
          functionName: 'setGuardian',
          args: [next],
        });
        expectOutcome(outcome, undefined, context, 'setGuardian');
        guardianActive = !guardianActive;
      } else {
        await travel(BigInt(rnd.pick([1, 2, 5, 29, 30, 31, 150, 600])));
        await checkReads(
          await t.publicClient.getBlockNumber(),
          clock,
          `${context} after time travel`,
        );
      }
    }
  });

  test(`anchors: random certification, direct anchors, batches and challenges agree with the model (seed ${seed})`, async () => {
    const rnd = prng(seed * 7919);
    const patient = await registered(Role.Patient);
    const providers = [await registered(Role.Provider), await registered(Role.Institution)];
    const researcher = await registered(Role.Researcher);
    const node = await t.actor();
    await write(t, d.authority, {
      address: d.certification,
      abi: certificationAbi,
      functionName: 'grantRole',
      args: [roleIds.node, node.address],
    });
    clock = (await t.now()) + 10n;
    const rec = { address: d.records, abi: recordsAbi as Abi };
    const cert = { address: d.certification, abi: certificationAbi as Abi };

    // Model: certificate histories, anchored ids with their leaves, nonces, batches, faults.
    type Certificate = { issuedAt: bigint; expiresAt: bigint; revokedAt: bigint };
    const certificates = new Map<Hex, Certificate[]>(providers.map((p) => [p.address, []]));
    const active = (c: Certificate, at: bigint) =>
      c.issuedAt <= at && at < c.expiresAt && (c.revokedAt === 0n || at < c.revokedAt);
    const certifiedAt = (who: Hex, at: bigint) => {
      const list = certificates.get(who) ?? [];
      for (let k = list.length - 1; k >= 0; k--) {
        const c = list[k] as Certificate;
        if (c.issuedAt > at) continue;
        return active(c, at);
      }
      return false;
    };
    const registeredAt = (await t.publicClient.readContract({
      address: d.accounts,
      abi: accountsAbi,
      functionName: 'registeredAt',
      args: [patient.address],
    })) as bigint;
    const allowedAt = (creator: Hex, at: bigint) =>
      registeredAt <= at && (creator === patient.address || certifiedAt(creator, at));
    const anchored = new Map<Hex, Hex>();
    const nonces = new Map<Hex, bigint>();
    const pending: { entry: AnchorEntry; forged: boolean }[] = [];
    let faults = 0n;
    const checkpoints: bigint[] = [];

    for (let i = 0; i < 120; i++) {
      const kind = rnd.int(0, 9);
      const context = `seed ${seed} step ${i}`;
      const at = clock + 1n;
      if (kind <= 1) {
        const subject = rnd.pick(providers);
        const expiresAt = at + BigInt(rnd.pick([-1, 0, 40, 300, 5000]));
        const outcome = await step(d.authority, {
          ...cert,
          functionName: 'certify',
          args: [subject.address, randomBytes32(), expiresAt],
        });
        expectOutcome(outcome, expiresAt <= at ? 'ExpiryInPast' : undefined, context, 'certify');
        if (outcome.ok) {
          const list = certificates.get(subject.address) as Certificate[];
          const last = list.at(-1);
          if (last && last.revokedAt === 0n && last.expiresAt > at) last.revokedAt = at;
          list.push({ issuedAt: at, expiresAt, revokedAt: 0n });
        }
      } else if (kind === 2) {
        const subject = rnd.pick(providers);
        const list = certificates.get(subject.address) as Certificate[];
        const last = list.at(-1);
        const live = last !== undefined && active(last, at);
        const outcome = await step(d.authority, {
          ...cert,
          functionName: 'revoke',
          args: [subject.address],
        });
        expectOutcome(outcome, live ? undefined : 'NotCertified', context, 'decertify');
        if (outcome.ok && last) last.revokedAt = at;
      } else if (kind <= 5) {
        const creator = rnd.pick([patient, ...providers, researcher]);
        const reuse = anchored.size > 0 && rnd.chance(0.15);
        const recordId = reuse ? rnd.pick([...anchored.keys()]) : randomBytes32();
        const expectedNonce = nonces.get(creator.address) ?? 0n;
        const nonce = rnd.chance(0.85) ? expectedNonce : expectedNonce + BigInt(rnd.pick([1, 2]));
        const signedAt =
          at -
          BigInt(rnd.pick([0, 0, 1, 20, 200, Number(DAY), Number(DAY) + 1])) +
          BigInt(rnd.pick([0, 0, 0, 5]));
        const entry = await signEntry(t, d.records, creator, {
          patient: patient.address,
          recordId,
          nonce,
          signedAt,
        });
        const expected = anchored.has(recordId)
          ? 'RecordAlreadyAnchored'
          : signedAt > at || signedAt + DAY < at
            ? 'SignatureOutsideWindow'
            : !allowedAt(creator.address, signedAt)
              ? 'CreatorNotAllowed'
              : nonce !== expectedNonce
                ? 'InvalidAccountNonce'
                : undefined;
        const outcome = await step(node, { ...rec, functionName: 'anchor', args: [entry] });
        expectOutcome(outcome, expected, context, 'anchor');
        if (outcome.ok) {
          anchored.set(recordId, entryTree([entry]).leafHash(anchorEntryLeafValues(entry)) as Hex);
          nonces.set(creator.address, expectedNonce + 1n);
        }
      } else if (kind <= 7) {
        // A candidate for the next batch: valid or not, the node commits whatever it is given.
        const creator = rnd.pick([patient, ...providers, researcher]);
        const forged = rnd.chance(0.15);
        const signedAt = at - BigInt(rnd.pick([0, 3, 100, Number(DAY) + 50]));
        const entry = await signEntry(
          t,
          d.records,
          creator,
          { patient: patient.address, signedAt },
          forged ? { signer: rnd.pick([patient, ...providers].filter((a) => a !== creator)) } : {},
        );
        pending.push({ entry, forged });
        clock = at;
      } else if (kind === 8 && pending.length > 0) {
        const batch = pending.splice(0);
        const tree = entryTree(batch.map((b) => b.entry));
        const outcome = await step(node, {
          ...rec,
          functionName: 'commitBatch',
          args: [tree.root, batch.length, '0x01701220'],
        });
        expectOutcome(outcome, undefined, context, 'commitBatch');
        const committedAt = at;
        const batchId = (await t.publicClient.readContract({
          ...rec,
          functionName: 'batchCount',
        })) as bigint;
        for (const [k, { entry, forged }] of batch.entries()) {
          const expectedFault = forged
            ? Fault.BadSignature
            : entry.signedAt > committedAt || entry.signedAt + DAY < committedAt
              ? Fault.SignedOutsideWindow
              : !allowedAt(entry.creator, entry.signedAt)
                ? Fault.CreatorNotAllowed
                : Fault.None;
          const challenged = await step(node, {
            ...rec,
            functionName: 'challenge',
            args: [batchId, entry, proofAt(tree, k)],
          });
          expectOutcome(
            challenged,
            expectedFault === Fault.None ? 'EntryIsValid' : undefined,
            `${context} entry ${k}`,
            `challenge-fault-${expectedFault}`,
          );
          const leaf = tree.leafHash(anchorEntryLeafValues(entry));
          const status = await t.publicClient.readContract({
            ...rec,
            functionName: 'entryStatus',
            args: [batchId, leaf, proofAt(tree, k)],
          });
          assert.deepEqual(status, [true, expectedFault], `${context} entryStatus ${k}`);
          if (expectedFault !== Fault.None) faults++;
        }
      } else {
        await travel(BigInt(rnd.pick([1, 10, 39, 40, 41, 299, 3600, Number(DAY)])));
      }
      checkpoints.push(clock);
    }

    // Invariants at the end: anchored records are unchanged, the node's faults are counted once
    // each, and the certificate history answers "certified at T" for every moment of the run.
    for (const [recordId, leaf] of anchored) {
      const direct = (await t.publicClient.readContract({
        ...rec,
        functionName: 'directAnchor',
        args: [recordId],
      })) as {
        leaf: Hex;
        invalid: boolean;
      };
      assert.deepEqual(
        [direct.leaf, direct.invalid],
        [leaf, false],
        `seed ${seed}: anchor of ${recordId}`,
      );
    }
    assert.equal(
      await t.publicClient.readContract({
        ...rec,
        functionName: 'nodeFaults',
        args: [node.address],
      }),
      faults,
    );
    for (const p of providers) {
      for (const at of checkpoints.filter((_, k) => k % 4 === 0)) {
        const onChain = await t.publicClient.readContract({
          ...cert,
          functionName: 'isCertifiedAt',
          args: [p.address, at],
        });
        assert.equal(
          onChain,
          certifiedAt(p.address, at),
          `seed ${seed}: isCertifiedAt(${p.address}, ${at})`,
        );
      }
    }
  });
}

test('the random sequences reached every outcome the model distinguishes', () => {
  const required = [
    'grant:ok',
    'grant:ExpiryInPast',
    'grant:InvalidGrantee',
    'grant:NotPatientOrGuardian',
    'grant-by-guardian:ok',
    'grant-by-guardian:NotPatientOrGuardian',
    'revoke:ok',
    'revoke:NoSuchGrant',
    'revoke:NotPatientOrGuardian',
    'certify:ok',
    'certify:ExpiryInPast',
    'decertify:ok',
    'decertify:NotCertified',
    'anchor:ok',
    'anchor:RecordAlreadyAnchored',
    'anchor:SignatureOutsideWindow',
    'anchor:CreatorNotAllowed',
    'anchor:InvalidAccountNonce',
    `challenge-fault-${Fault.None}:EntryIsValid`,
    `challenge-fault-${Fault.BadSignature}:ok`,
    `challenge-fault-${Fault.SignedOutsideWindow}:ok`,
    `challenge-fault-${Fault.CreatorNotAllowed}:ok`,
  ];
  assert.deepEqual(
    required.filter((label) => !seen.has(label)),
    [],
    JSON.stringify([...seen]),
  );
});
