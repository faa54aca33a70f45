import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { accountsAbi, Role } from '@aegle/contracts';
import { createPublicClient, http, numberToHex, type PublicClient } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { type EmbeddedAnvil, startAnvil } from '../src/anvil.ts';
import { connectExternalChain } from '../src/connect-external-chain.ts';
import { readDeployment } from '../src/deployment.ts';
import { createIndexer } from '../src/indexer/create-indexer.ts';
import { accountOf } from '../src/indexer/queries.ts';
import { openIndexDatabase } from '../src/indexer/schema.ts';
import { makeTempDir, newActor, register, rpc } from './helpers.ts';

// A chain this package does not run: an anvil started on its own, standing in for a Besu network.
const dir = makeTempDir('external');
let anvil: EmbeddedAnvil;
let client: PublicClient;
const deployerKey = generatePrivateKey();
const deployer = privateKeyToAccount(deployerKey);
const keyFile = join(dir.path, 'deployer.key');
const deploymentFile = join(dir.path, 'deployment.json');
const repoRoot = resolve(import.meta.dirname, '../../../..');

before(async () => {
  anvil = await startAnvil({ dataDir: join(dir.path, 'external-chain'), chainId: 1337 });
  client = createPublicClient({ transport: http(anvil.rpcUrl), cacheTime: 0 });
  await rpc(client, 'anvil_setBalance', [deployer.address, numberToHex(10n ** 21n)]);
  writeFileSync(keyFile, `${deployerKey}\n`, { mode: 0o600 });
});
after(async () => {
  await anvil?.stop();
  dir.remove();
});

test('the deploy command deploys to any JSON-RPC endpoint and writes the record; the node connects with it', async () => {
  const { stdout } = await promisify(execFile)(
    join(repoRoot, 'node_modules/.bin/node'),
    [
      join(repoRoot, 'packages/service/chain/src/deploy-command.ts'),
      '--rpc-url',
      anvil.rpcUrl,
      '--key-file',
      keyFile,
      '--out',
      deploymentFile,
    ],
    { cwd: repoRoot },
  );
  const record = readDeployment(deploymentFile);
  assert.deepEqual(JSON.parse(stdout), record);
  assert.equal(record.chainId, 1337);
  assert.equal(record.deployer, deployer.address);

  const node = await connectExternalChain({
    rpcUrl: anvil.rpcUrl,
    account: deployer,
    deployment: deploymentFile,
  });
  assert.equal(node.mode, 'external');
  const patient = await newActor(node);
  await register(node, patient, Role.Patient);
  const role = await node.publicClient.readContract({
    address: record.contracts.accounts,
    abi: accountsAbi,
    functionName: 'roleOf',
    args: [patient.address],
  });
  assert.equal(role, Role.Patient);

  const indexer = createIndexer({
    db: openIndexDatabase(join(dir.path, 'index.sqlite')),
    publicClient: node.publicClient,
    deployment: node.deployment,
  });
  await indexer.sync();
  assert.equal(accountOf(indexer.db, patient.address)?.role, Role.Patient);
  indexer.db.close();
  await node.stop(); // external: leaves the chain running
  assert.equal(await client.getChainId(), 1337);
});

test('connecting can deploy first with a funded key (the deploy function)', async () => {
  const out = join(dir.path, 'second-deployment.json');
  const node = await connectExternalChain({
    rpcUrl: anvil.rpcUrl,
    account: deployer,
    deploy: { deploymentPath: out },
  });
  assert.deepEqual(readDeployment(out), node.deployment);
  assert.notEqual(
    node.deployment.contracts.records,
    readDeployment(deploymentFile).contracts.records,
  );
});

test('a deployment record for another chain, or without code behind it, is refused', async () => {
  const record = readDeployment(deploymentFile);
  await assert.rejects(
    connectExternalChain({ rpcUrl: anvil.rpcUrl, deployment: { ...record, chainId: 31337 } }),
    { name: 'DeploymentMismatchError' },
  );
  await assert.rejects(
    connectExternalChain({
      rpcUrl: anvil.rpcUrl,
      deployment: { ...record, contracts: { ...record.contracts, records: deployer.address } },
    }),
    { name: 'DeploymentMismatchError' },
  );
  await assert.rejects(connectExternalChain({ rpcUrl: anvil.rpcUrl }), {
    name: 'DeploymentNotFoundError',
  });
});
