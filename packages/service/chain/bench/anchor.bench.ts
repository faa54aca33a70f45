// Gas per anchored record: batched Merkle commits (N = 1, 10, 100, 1000) against the naive design
// (one storage write per record, each in its own transaction), on a real anvil.
// Prints one JSON line per figure. gasUsed includes the intrinsic 21,000 and the calldata.
// Target (issue 4): at most 1,000 gas per record at a batch of 100 or more.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AnchorEntry,
  accountsAbi,
  accountsBytecode,
  aegleForwarderAbi,
  aegleForwarderBytecode,
  anchorEntryLeafEncoding,
  anchorEntryLeafValues,
  anchorEntryTypes,
  bytes32Label,
  certificationAbi,
  certificationBytecode,
  naiveAnchorAbi,
  naiveAnchorBytecode,
  Role,
  recordsAbi,
  recordsBytecode,
  recordsDomain,
  roleIds,
} from '@aegle/contracts';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import {
  type Abi,
  bytesToHex,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  getAddress,
  type Hex,
  http,
  parseEther,
  zeroHash,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { startAnvil } from '../src/anvil.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'aegle-anchor-bench-'));
const anvil = await startAnvil({ dataDir, stateIntervalSeconds: 3600 });
try {
  const chain = defineChain({
    id: 31337,
    name: 'aegle-bench',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  });
  const transport = http(anvil.rpcUrl);
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: 20 });
  const testClient = createTestClient({ chain, transport, mode: 'anvil' });
  const wallet = async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    await testClient.setBalance({ address: account.address, value: parseEther('1000') });
    return createWalletClient({ chain, transport, account, cacheTime: 0, pollingInterval: 20 });
  };
  const authority = await wallet();
  const patient = await wallet();
  const node = await wallet();

  const mined = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
    return receipt;
  };
  const deploy = async (abi: Abi, bytecode: Hex, args: readonly unknown[]) => {
    // biome-ignore lint/suspicious/noExplicitAny: one helper for every contract's ABI
    const receipt = await mined(await authority.deployContract({ abi, bytecode, args } as any));
    return getAddress(receipt.contractAddress as Hex);
  };
  const forwarder = await deploy(aegleForwarderAbi, aegleForwarderBytecode, []);
  const accounts = await deploy(accountsAbi, accountsBytecode, [forwarder]);
  const certification = await deploy(certificationAbi, certificationBytecode, [
    forwarder,
    accounts,
    authority.account.address,
  ]);
  const records = await deploy(recordsAbi, recordsBytecode, [forwarder, accounts, certification]);
  const naive = await deploy(naiveAnchorAbi, naiveAnchorBytecode, []);
  await mined(
    await authority.writeContract({
      address: certification,
      abi: certificationAbi,
      functionName: 'grantRole',
      args: [roleIds.node, node.account.address],
    }),
  );
  await mined(
    await patient.writeContract({
      address: accounts,
      abi: accountsAbi,
      functionName: 'register',
      args: [Role.Patient, random32()],
    }),
  );

  // A CIDv1 (raw, sha2-256) in binary: what a node emits for the batch's entry list.
  const cid = (): Hex => `0x01551220${random32().slice(2)}`;
  const signedAt = (await publicClient.getBlock()).timestamp;
  const entry = async (nonce = 0n): Promise<AnchorEntry> => {
    const unsigned = {
      recordId: random32(),
      patient: patient.account.address,
      creator: patient.account.address,
      contentRoot: random32(),
      metadataHash: random32(),
      category: bytes32Label('Observation'),
      supersedes: zeroHash,
      nonce,
      signedAt,
    };
    const signature = await patient.account.signTypedData({
      domain: recordsDomain(chain.id, records),
      types: anchorEntryTypes,
      primaryType: 'AnchorEntry',
      message: unsigned,
    });
    return { ...unsigned, signature };
  };
  const commit = async (n: number) => {
    const entries = await Promise.all(Array.from({ length: n }, () => entry()));
    const tree = StandardMerkleTree.of(entries.map(anchorEntryLeafValues), [
      ...anchorEntryLeafEncoding,
    ]);
    const receipt = await mined(
      await node.writeContract({
        address: records,
        abi: recordsAbi,
        functionName: 'commitBatch',
        args: [tree.root as Hex, n, cid()],
      }),
    );
    return receipt.gasUsed;
  };

  // The very first batch also initialises the batch array's length slot; steady state excludes it.
  await commit(1);
  for (const batch of [1, 10, 100, 1000]) {
    const gas = await commit(batch);
    console.log(
      JSON.stringify({ bench: 'anchor', batch, gas_per_record: Math.round(Number(gas) / batch) }),
    );
  }

  // The direct path, one verified entry per transaction, for comparison.
  let directGas = 0n;
  const directRuns = 20;
  for (let i = 0; i < directRuns; i++) {
    // The direct path consumes the creator's nonce, so entries carry 0, 1, 2, ...
    const e = await entry(BigInt(i));
    const receipt = await mined(
      await node.writeContract({
        address: records,
        abi: recordsAbi,
        functionName: 'anchor',
        args: [e],
      }),
    );
    directGas += receipt.gasUsed;
  }
  console.log(
    JSON.stringify({
      bench: 'anchor-direct',
      gas_per_record: Math.round(Number(directGas) / directRuns),
    }),
  );

  // The naive baseline: one storage write per record, each in its own transaction.
  let naiveGas = 0n;
  const naiveRuns = 100;
  for (let i = 0; i < naiveRuns; i++) {
    const receipt = await mined(
      await node.writeContract({
        address: naive,
        abi: naiveAnchorAbi,
        functionName: 'anchor',
        args: [random32(), random32()],
      }),
    );
    naiveGas += receipt.gasUsed;
  }
  console.log(
    JSON.stringify({
      bench: 'anchor-naive',
      gas_per_record: Math.round(Number(naiveGas) / naiveRuns),
    }),
  );
} finally {
  await anvil.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

function random32(): Hex {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}
