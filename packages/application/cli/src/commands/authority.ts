import { join } from 'node:path';
import { certificationAbi, roleIds } from '@aegle/contracts';
import { type Hex, numberToHex } from 'viem';
import { type Command, stringOption } from '../command.ts';
import { parseDuration } from '../duration.ts';
import { UsageError } from '../errors.ts';
import { readNodeFile } from '../node-file.ts';
import { addressOf, openSession } from '../session.ts';
import { operatorDataDir } from './node.ts';

/** Native currency an authority gets on the embedded chain to pay for its certifications. */
const AUTHORITY_BALANCE = 10n ** 21n;

export const authorityAdd: Command = {
  path: 'authority add',
  summary: "operator: make an identity a certification authority (with the node's chain key)",
  usage: 'NAME|ADDRESS [--data-dir D] [--rpc-url U]',
  options: { 'data-dir': { type: 'string' }, 'rpc-url': { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(ctx, args) {
    const subject = await addressOf(ctx, args.positionals[0] as string);
    const dataDir = await operatorDataDir(ctx, stringOption(args, 'data-dir'));
    const file = await readNodeFile(ctx.home);
    const rpcUrl = stringOption(args, 'rpc-url') || ctx.io.env.AEGLE_RPC_URL || file?.rpcUrl;
    if (!rpcUrl) {
      throw new UsageError(
        'authority add needs the chain',
        'start the node (aegle node start) or pass --rpc-url',
      );
    }
    // Loaded here: only this operator command talks to the chain with the node's own key.
    const { createAegleClients, readDeployment, readOperatorKey, sendContractTransaction } =
      await import('@aegle/chain');
    // The operator key deployed the contracts and holds the admin role (see @aegle/chain).
    const operator = readOperatorKey(join(dataDir, 'chain', 'operator.key'));
    const deployment = readDeployment(join(dataDir, 'chain', 'deployment.json'));
    const clients = await createAegleClients({ rpcUrl, account: operator });
    const certification = deployment.contracts.certification;
    const has = await clients.publicClient.readContract({
      address: certification,
      abi: certificationAbi,
      functionName: 'hasRole',
      args: [roleIds.authority as Hex, subject],
    });
    if (!has) {
      await sendContractTransaction(clients, {
        address: certification,
        abi: certificationAbi,
        functionName: 'grantRole',
        args: [roleIds.authority as Hex, subject],
      });
    }
    // An authority certifies with its own transactions; on the embedded chain it is funded here.
    const embedded = (file?.mode ?? 'embedded') === 'embedded';
    if (embedded) {
      await clients.publicClient.request({
        // biome-ignore lint/suspicious/noExplicitAny: anvil-only method outside viem's schema
        method: 'anvil_setBalance' as any,
        // biome-ignore lint/suspicious/noExplicitAny: see above
        params: [subject, numberToHex(AUTHORITY_BALANCE)] as any,
      });
    }
    ctx.print(
      { address: subject, authority: true, funded: embedded },
      `${args.positionals[0]} (${subject}) is a certification authority${embedded ? ' (funded for gas on the embedded chain)' : ''}`,
    );
  },
};

export const certify: Command = {
  path: 'certify',
  summary: 'as an authority: certify a provider, so it may write records for patients',
  usage: 'NAME|ADDRESS --as AUTHORITY [--credential C] [--expires 1y]',
  options: { credential: { type: 'string' }, expires: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(ctx, args) {
    const subject = await addressOf(ctx, args.positionals[0] as string);
    const { client } = await openSession(ctx, { signIn: false });
    const expires = stringOption(args, 'expires');
    const txHash = await client.certify(subject, {
      ...(stringOption(args, 'credential') && {
        credential: stringOption(args, 'credential') as string,
      }),
      ...(expires && { expiresAt: Math.floor(Date.now() / 1000) + parseDuration(expires) }),
    });
    ctx.print(
      { subject, certified: true, txHash },
      `certified ${args.positionals[0]} (${subject}) in ${txHash}`,
    );
  },
};
