import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  type AegleDeployment,
  deploymentPath,
  readDeployment,
  writeDeployment,
} from './deployment.ts';

const dir = mkdtempSync(join(tmpdir(), 'aegle-deployment-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as const;
const record: AegleDeployment = {
  version: 1,
  chainId: 2018,
  deployer: address(1),
  deployedAtBlock: 12,
  contracts: {
    forwarder: address(2),
    accounts: address(3),
    certification: address(4),
    records: address(5),
    consents: address(6),
    auditLog: address(7),
    medToken: address(8),
  },
};

test('writes atomically (no temp file left) and reads back', () => {
  const path = deploymentPath(dir);
  writeDeployment(path, record);
  assert.deepEqual(readdirSync(join(dir, 'chain')), ['deployment.json']);
  assert.deepEqual(readDeployment(path), record);
});

test('refuses a missing file, a broken one and a record with a bad address', () => {
  assert.throws(() => readDeployment(join(dir, 'nope.json')), { name: 'DeploymentNotFoundError' });
  const path = join(dir, 'broken.json');
  writeFileSync(path, '{"version":1,');
  assert.throws(() => readDeployment(path), { name: 'DeploymentNotFoundError' });
  writeFileSync(
    path,
    JSON.stringify({ ...record, contracts: { ...record.contracts, records: '0x12' } }),
  );
  assert.throws(() => readDeployment(path), {
    name: 'DeploymentNotFoundError',
    message: /contracts\.records/,
  });
});
