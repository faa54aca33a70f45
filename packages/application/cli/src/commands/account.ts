import { readFile, writeFile } from 'node:fs/promises';
import {
  createIdentity,
  exportIdentity,
  importIdentity,
  NodeUnreachableError,
  ROLES,
  type StoredIdentity,
} from '@aegle/sdk';
import { type Command, stringOption } from '../command.ts';
import { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { readNodeFile } from '../node-file.ts';
import { readPassphrase } from '../passphrase.ts';
import { openSession } from '../session.ts';

function describe(identity: StoredIdentity) {
  return {
    name: identity.name,
    role: identity.role,
    address: identity.keystore.address,
    encryptionPublicKey: identity.keystore.encryptionPublicKey,
  };
}

export const accountCreate: Command = {
  path: 'account create',
  summary: 'create an identity (signing and encryption keys) in the local keystore directory',
  usage: `--name NAME --role ${ROLES.join('|')}`,
  options: { name: { type: 'string' }, role: { type: 'string' } },
  async run(ctx, args) {
    const name = stringOption(args, 'name');
    const role = stringOption(args, 'role');
    if (!name || !role) throw new UsageError('account create needs --name and --role');
    const passphrase = await readPassphrase(ctx, `passphrase for ${name}`);
    const { identity } = await createIdentity({
      name,
      role,
      passphrase,
      keyStore: ctx.keyStore,
    });
    const result = describe(identity);
    // Registered on chain right away when a node is known (started here, or named): the account
    // can then receive keys. Otherwise `aegle account register` does it later.
    let registered = false;
    if (ctx.options.node || ctx.io.env.AEGLE_NODE || (await readNodeFile(ctx.home))) {
      try {
        registered = await registerAs(ctx, name);
      } catch (error) {
        // The identity exists either way; registration can be retried on its own.
        if (!(error instanceof NodeUnreachableError)) throw error;
      }
    }
    ctx.print(
      { ...result, registered },
      `created ${result.role} ${result.name} ${result.address}${registered ? ', registered on chain' : `; run \`aegle account register --as ${name}\` once a node is running`}`,
    );
  },
};

/** Registers identity `name` (role and encryption key) through the node, unless it already is. */
async function registerAs(ctx: CliContext, name: string): Promise<boolean> {
  const session = await openSession(
    new CliContext(ctx.io, { ...ctx.options, as: name, onBehalfOf: undefined }),
  );
  if (!(await session.client.roleOf())) await session.client.register(session.identity.role);
  return true;
}

export const accountRegister: Command = {
  path: 'account register',
  summary: 'register an identity on chain (role and encryption key), gasless through the node',
  usage: '--as NAME',
  async run(ctx) {
    const session = await openSession(ctx);
    const role = await session.client.roleOf();
    if (role) {
      ctx.print(
        { name: session.identity.name, address: session.client.address, role, registered: true },
        `${session.identity.name} is already registered as ${role}`,
      );
      return;
    }
    const intent = await session.client.register(session.identity.role);
    ctx.print(
      {
        name: session.identity.name,
        address: session.client.address,
        role: session.identity.role,
        registered: true,
        txHash: intent.txHash,
      },
      `registered ${session.identity.role} ${session.identity.name} ${session.client.address}`,
    );
  },
};

export const accountList: Command = {
  path: 'account list',
  summary: 'list the local identities',
  usage: '',
  async run(ctx) {
    const identities = (await ctx.keyStore.list()).map(describe);
    ctx.print(identities, () =>
      identities.map((i) => `${i.name}\t${i.role}\t${i.address}`).join('\n'),
    );
  },
};

export const accountExport: Command = {
  path: 'account export',
  summary: 'write an identity (its keys stay encrypted) to a file or to stdout',
  usage: 'NAME [--out FILE]',
  options: { out: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(ctx, args) {
    const name = args.positionals[0] as string;
    const text = await exportIdentity(ctx.keyStore, name);
    const out = stringOption(args, 'out');
    if (out) {
      await writeFile(out, text, { mode: 0o600, flag: 'wx' });
      ctx.print({ name, file: out }, `exported ${name} to ${out}`);
    } else {
      ctx.io.stdout.write(text);
    }
  },
};

export const accountImport: Command = {
  path: 'account import',
  summary: 'import an exported identity, or an Ethereum keystore v3 (with --name and --role)',
  usage: `FILE [--name NAME] [--role ${ROLES.join('|')}]`,
  options: { name: { type: 'string' }, role: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(ctx, args) {
    const file = args.positionals[0] as string;
    const text = await readFile(file, 'utf8');
    const passphrase = await readPassphrase(ctx, `passphrase of ${file}`);
    const identity = await importIdentity({
      keyStore: ctx.keyStore,
      text,
      passphrase,
      name: stringOption(args, 'name'),
      role: stringOption(args, 'role'),
    });
    const result = describe(identity);
    ctx.print(result, `imported ${result.role} ${result.name} ${result.address}`);
  },
};
