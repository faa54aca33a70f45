import { type GrantView, labelText } from '@aegle/sdk';
import { type Command, type ParsedArgs, stringOption } from '../command.ts';
import { parseDuration } from '../duration.ts';
import { AuditMismatchError, UsageError } from '../errors.ts';
import { addressOf, namesByAddress, openSession } from '../session.ts';
import { recordIdOf } from './record.ts';

type Target = { recordId: `0x${string}` } | { category: string };

/** `ID GRANTEE` or `--category C GRANTEE`. */
function targetAndGrantee(args: ParsedArgs, verb: string): { target: Target; grantee: string } {
  const category = stringOption(args, 'category');
  const [first, second] = args.positionals;
  if (category) {
    if (!first || second)
      throw new UsageError(
        `${verb} --category C takes one grantee`,
        `usage: aegle ${verb} --category C GRANTEE`,
      );
    return { target: { category }, grantee: first };
  }
  if (!first || !second)
    throw new UsageError(
      `${verb} needs a record id and a grantee`,
      `usage: aegle ${verb} ID GRANTEE, or --category C GRANTEE`,
    );
  return { target: { recordId: recordIdOf(first) }, grantee: second };
}

function describeTarget(target: Target): string {
  return 'recordId' in target ? `record ${target.recordId}` : `category ${target.category}`;
}

export const grant: Command = {
  path: 'grant',
  summary: 'let a reader read one record or a whole category, for a purpose, until an expiry',
  usage:
    'ID|--category C GRANTEE [--expires 30d] [--purpose P] --as PATIENT [--on-behalf-of PATIENT]',
  options: {
    category: { type: 'string' },
    expires: { type: 'string' },
    purpose: { type: 'string' },
  },
  positionals: { min: 1, max: 2 },
  async run(ctx, args) {
    const { target, grantee } = targetAndGrantee(args, 'grant');
    const granteeAddress = await addressOf(ctx, grantee);
    const seconds = parseDuration(stringOption(args, 'expires') ?? '30d');
    const purpose = stringOption(args, 'purpose') ?? 'treatment';
    const session = await openSession(ctx);
    const expiresAt = Math.floor(Date.now() / 1000) + seconds;
    const { intent, wrapped, skipped } = await session.client.grant({
      patient: session.patient,
      grantee: granteeAddress,
      target,
      purpose,
      expiresAt,
    });
    ctx.print(
      {
        patient: session.patient,
        grantee: granteeAddress,
        target,
        purpose,
        expiresAt: new Date(expiresAt * 1000).toISOString(),
        txHash: intent.txHash,
        keysWrapped: wrapped.length,
        skipped,
      },
      `granted ${grantee} ${describeTarget(target)} for ${purpose} until ${new Date(expiresAt * 1000).toISOString()} (${wrapped.length} key(s) wrapped${skipped.length ? `; ${skipped.length} existing record(s) skipped: the node did not release their keys to this account` : ''})`,
    );
  },
};

export const revoke: Command = {
  path: 'revoke',
  summary: "end a grant on chain and delete the reader's wrapped keys",
  usage: 'ID|--category C GRANTEE --as PATIENT [--on-behalf-of PATIENT]',
  options: { category: { type: 'string' } },
  positionals: { min: 1, max: 2 },
  async run(ctx, args) {
    const { target, grantee } = targetAndGrantee(args, 'revoke');
    const granteeAddress = await addressOf(ctx, grantee);
    const session = await openSession(ctx);
    const { intent, removed } = await session.client.revoke({
      patient: session.patient,
      grantee: granteeAddress,
      target,
    });
    ctx.print(
      {
        patient: session.patient,
        grantee: granteeAddress,
        target,
        txHash: intent.txHash,
        keysRemoved: removed.length,
      },
      `revoked ${grantee}'s access to ${describeTarget(target)} (${removed.length} key(s) deleted)`,
    );
  },
};

export const grants: Command = {
  path: 'grants',
  summary: "a patient's live grants, read from the chain",
  usage: '--as PATIENT [--on-behalf-of PATIENT]',
  async run(ctx) {
    const session = await openSession(ctx, { signIn: false });
    const name = await namesByAddress(ctx);
    const list = await session.client.listGrants({ patient: session.patient });
    const view = (g: GrantView) => ({
      grantee: g.grantee,
      granteeName: name(g.grantee),
      target: g.target,
      purpose: g.purpose,
      expiresAt: new Date(g.expiresAt * 1000).toISOString(),
      by: g.by,
      byName: name(g.by),
    });
    const out = list.map(view);
    ctx.print(out, () =>
      out.length === 0
        ? 'no live grants'
        : out
            .map(
              (g) =>
                `${g.granteeName}\t${'recordId' in g.target ? g.target.recordId : `category ${g.target.category}`}\t${g.purpose}\tuntil ${g.expiresAt}\tby ${g.byName}`,
            )
            .join('\n'),
    );
  },
};

export const guardianAdd: Command = {
  path: 'guardian add',
  summary: 'name a guardian who may act for you (and give them the keys of your records)',
  usage: 'NAME --as PATIENT',
  positionals: { min: 1, max: 1 },
  async run(ctx, args) {
    const guardian = await addressOf(ctx, args.positionals[0] as string);
    const session = await openSession(ctx);
    const { intent, wrapped } = await session.client.setGuardian(guardian);
    ctx.print(
      {
        patient: session.client.address,
        guardian,
        txHash: intent.txHash,
        keysWrapped: wrapped.length,
      },
      `${args.positionals[0]} is now the guardian of ${session.identity.name} (${wrapped.length} record key(s) wrapped)`,
    );
  },
};

export const audit: Command = {
  path: 'audit',
  summary: "who read a patient's records, when and why; each entry checked against the chain",
  usage: '[--wait] --as PATIENT [--on-behalf-of PATIENT]',
  options: { wait: { type: 'boolean' } },
  async run(ctx, args) {
    const session = await openSession(ctx);
    const name = await namesByAddress(ctx);
    let trail = await session.client.auditTrail({ patient: session.patient });
    const deadline = Date.now() + 180_000;
    while (
      args.values.wait &&
      trail.some((e) => e.verification.status === 'pending') &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 500));
      trail = await session.client.auditTrail({ patient: session.patient });
    }
    const out = trail.map((e) => ({
      recordId: e.recordId,
      reader: e.reader,
      readerName: name(e.reader),
      purpose: labelText(e.purpose),
      releasedAt: new Date(e.releasedAt * 1000).toISOString(),
      verified: e.verification.status,
      ...(e.verification.batchId !== undefined && { commitId: Number(e.verification.batchId) }),
      ...(e.verification.txHash && { txHash: e.verification.txHash }),
    }));
    ctx.print(out, () =>
      out.length === 0
        ? 'no releases to anyone but the patient'
        : out
            .map(
              (e) => `${e.releasedAt}\t${e.readerName}\t${e.purpose}\t${e.recordId}\t${e.verified}`,
            )
            .join('\n'),
    );
    if (out.some((e) => e.verified === 'invalid')) {
      throw new AuditMismatchError();
    }
  },
};
