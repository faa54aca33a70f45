import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertSignInDomain } from '../src/sign-in.ts';
import {
  api,
  CHAIN_ID,
  DOMAIN,
  newAccount,
  signIn,
  siweMessage,
  startNode,
} from './node-harness.ts';

const PROBLEM = 'application/problem+json';

async function postSiwe(url: string, message: string, signature: string) {
  return fetch(`${url}/auth/siwe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, signature }),
  });
}

async function problemOf(response: Response) {
  assert.ok(response.headers.get('content-type')?.startsWith(PROBLEM), 'a problem+json body');
  return (await response.json()) as {
    type: string;
    title: string;
    status: number;
    detail: string;
    reason?: string;
  };
}

test('sign-in with Ethereum opens a session that authorises calls', async (t) => {
  const { url } = await startNode(t);
  const alice = newAccount();
  const token = await signIn(url, alice);
  const me = await api(url, token)('/accounts/me');
  assert.equal(me.status, 200);
  const body = (await me.json()) as { address: string; storage: { limit: number } };
  assert.equal(body.address, alice.address.toLowerCase());
  assert.ok(body.storage.limit > 0);
  const nonce = (await (await fetch(`${url}/auth/nonce`, { method: 'POST' })).json()) as {
    domain: string;
    chainId: number;
  };
  assert.deepEqual([nonce.domain, nonce.chainId], [DOMAIN, CHAIN_ID]);
});

test('a replayed sign-in is refused: the nonce is single-use', async (t) => {
  const { url } = await startNode(t);
  const alice = newAccount();
  const message = await siweMessage(url, alice);
  const signature = await alice.signMessage({ message });
  assert.equal((await postSiwe(url, message, signature)).status, 201);
  const replay = await postSiwe(url, message, signature);
  assert.equal(replay.status, 401);
  const problem = await problemOf(replay);
  assert.equal(problem.type, 'https://aegle.dev/problems/sign-in-rejected');
  assert.equal(problem.reason, 'unknown-nonce');
});

test('forged, other-chain, other-domain, expired and made-up-nonce sign-ins are refused', async (t) => {
  const { url } = await startNode(t);
  const alice = newAccount();
  const mallory = newAccount();
  const cases: Array<[string, () => Promise<[string, string]>]> = [
    [
      'bad-signature',
      async () => {
        const message = await siweMessage(url, alice);
        return [message, await mallory.signMessage({ message })];
      },
    ],
    [
      'wrong-chain',
      async () => {
        const message = await siweMessage(url, alice, { chainId: 1 });
        return [message, await alice.signMessage({ message })];
      },
    ],
    [
      'wrong-domain',
      async () => {
        const message = await siweMessage(url, alice, { domain: 'evil.example' });
        return [message, await alice.signMessage({ message })];
      },
    ],
    [
      'expired',
      async () => {
        const message = await siweMessage(url, alice, {
          expirationTime: new Date(Date.now() - 1000),
        });
        return [message, await alice.signMessage({ message })];
      },
    ],
    [
      'unknown-nonce',
      async () => {
        const message = await siweMessage(url, alice, { nonce: 'madeupnonce12345' });
        return [message, await alice.signMessage({ message })];
      },
    ],
    ['malformed', async () => ['hello', await alice.signMessage({ message: 'hello' })]],
  ];
  for (const [reason, make] of cases) {
    const [message, signature] = await make();
    const response = await postSiwe(url, message, signature);
    assert.equal(response.status, 401, reason);
    assert.equal((await problemOf(response)).reason, reason);
  }
  // A forged attempt does not burn the nonce: the real signer can still use it.
  const message = await siweMessage(url, alice);
  assert.equal((await postSiwe(url, message, await mallory.signMessage({ message }))).status, 401);
  assert.equal((await postSiwe(url, message, await alice.signMessage({ message }))).status, 201);
});

test('missing, forged, expired and signed-out sessions get 401 problem+json', async (t) => {
  let clock = Date.now();
  const { url } = await startNode(t, {
    now: () => clock,
    signIn: { domain: DOMAIN, chainId: CHAIN_ID, sessionTtlMs: 60_000 },
  });
  const alice = newAccount();
  const none = await fetch(`${url}/accounts/me`);
  assert.equal(none.status, 401);
  assert.equal((await problemOf(none)).type, 'https://aegle.dev/problems/unauthorized');

  const forged = await api(url, `aegle_s_${'A'.repeat(43)}`)('/accounts/me');
  assert.equal(forged.status, 401);
  assert.equal((await problemOf(forged)).type, 'https://aegle.dev/problems/session-expired');

  const token = await signIn(url, alice);
  assert.equal((await api(url, token)('/accounts/me')).status, 200);
  clock += 61_000;
  const expired = await api(url, token)('/accounts/me');
  assert.equal(expired.status, 401);
  assert.equal((await problemOf(expired)).type, 'https://aegle.dev/problems/session-expired');

  const second = await signIn(url, alice);
  assert.equal((await api(url, second)('/auth/signout', { method: 'POST' })).status, 204);
  assert.equal((await api(url, second)('/accounts/me')).status, 401);
});

test('a sign-in domain must be a host (and port), not a URL: the node refuses to start otherwise', () => {
  for (const good of [
    'localhost',
    'localhost:7700',
    'node.example.org',
    '127.0.0.1:80',
    '[::1]:7700',
  ]) {
    assert.doesNotThrow(() => assertSignInDomain(good), good);
  }
  for (const bad of [
    'https://node.example.org',
    'node.example.org/',
    'user@node.example.org',
    '',
    'node example',
  ]) {
    assert.throws(() => assertSignInDomain(bad), { name: 'NodeConfigError' }, bad);
  }
});
