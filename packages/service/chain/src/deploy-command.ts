// `node packages/service/chain/src/deploy-command.ts --rpc-url URL --key-file FILE --out FILE`
// Deploy every Aegle contract to any EVM JSON-RPC chain with a funded key and write the deployment
// record that nodes in external mode are given. The key file holds one 0x-hex private key, mode 0600.
import { parseArgs } from 'node:util';
import { type Address, getAddress } from 'viem';
import { createAegleClients } from './clients.ts';
import { deployAegle } from './deploy-aegle.ts';
import { type AegleDeployment, writeDeployment } from './deployment.ts';
import { readOperatorKey } from './operator-key.ts';
import { verifyDeployment } from './verify-deployment.ts';

const usage = `usage: deploy-command.ts --rpc-url URL --key-file FILE --out FILE
  [--confirmations N] [--authority ADDRESS] [--treasury ADDRESS] [--node ADDRESS ...]`;

/** Parse the arguments, deploy, write the record; returns it. */
export async function runDeployCommand(argv: readonly string[]): Promise<AegleDeployment> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'rpc-url': { type: 'string' },
      'key-file': { type: 'string' },
      out: { type: 'string' },
      confirmations: { type: 'string' },
      authority: { type: 'string' },
      treasury: { type: 'string' },
      node: { type: 'string', multiple: true },
    },
    strict: true,
  });
  const rpcUrl = values['rpc-url'];
  const keyFile = values['key-file'];
  const out = values.out;
  if (!rpcUrl || !keyFile || !out) throw new Error(usage);
  const account = readOperatorKey(keyFile);
  const clients = await createAegleClients({ rpcUrl, account, pollingIntervalMs: 500 });
  const optionalAddress = (v: string | undefined): Address | undefined =>
    v ? getAddress(v) : undefined;
  const deployment = await deployAegle(clients, {
    confirmations: values.confirmations ? Number(values.confirmations) : 1,
    authority: optionalAddress(values.authority),
    treasury: optionalAddress(values.treasury),
    nodes: values.node?.map((n) => getAddress(n)),
  });
  await verifyDeployment(clients.publicClient, deployment);
  writeDeployment(out, deployment);
  return deployment;
}

if (import.meta.main) {
  runDeployCommand(process.argv.slice(2)).then(
    (deployment) => process.stdout.write(`${JSON.stringify(deployment)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
