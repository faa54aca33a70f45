import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BaseError } from '@aegle/errors';
import { errorFromProblem } from './error-from-problem.ts';
import { NodeProblemError } from './errors.ts';

const problem = (slug: string, status: number, extra: Record<string, unknown> = {}) => ({
  type: `https://aegle.dev/problems/${slug}`,
  title: 'Title',
  status,
  detail: 'Detail from the node.',
  ...extra,
});

test('each problem type the SDK acts on becomes its typed error, with a hint', () => {
  const cases: Array<[ReturnType<typeof problem>, string]> = [
    [problem('not-granted', 403, { reason: 'no-grant' }), 'NotGrantedError'],
    [problem('not-granted', 403, { reason: 'grant-revoked' }), 'NotGrantedError'],
    [problem('not-granted', 403, { reason: 'grant-expired' }), 'GrantExpiredError'],
    [problem('grant-expired', 403), 'GrantExpiredError'],
    [problem('quota-exceeded', 413), 'QuotaExceededError'],
    [problem('writer-not-allowed', 403, { reason: 'not-certified' }), 'WriterNotAllowedError'],
    [problem('unauthorized', 401), 'SessionError'],
    [problem('session-expired', 401), 'SessionError'],
    [problem('sign-in-rejected', 401, { reason: 'stale' }), 'SessionError'],
    [problem('invalid-signature', 401), 'SignatureRejectedError'],
    [problem('record-not-found', 404), 'NotFoundError'],
    [problem('upload-not-found', 404), 'NotFoundError'],
    [problem('rate-limited', 429), 'RateLimitedError'],
  ];
  for (const [body, name] of cases) {
    const error = errorFromProblem(body);
    assert.equal(error.name, name, body.type);
    assert.ok(error instanceof NodeProblemError && error instanceof BaseError);
    assert.equal(error.status, body.status);
    assert.equal(error.type, body.type);
    assert.ok(error.hint && error.hint.length > 10, `${name} says what to do next`);
  }
  assert.equal(
    errorFromProblem(problem('not-granted', 403, { reason: 'grant-expired' })).reason,
    'grant-expired',
  );
});

test('other problems keep the node’s detail and hint; a bare status still maps', () => {
  const other = errorFromProblem(
    problem('size-mismatch', 400, {
      detail: 'The body had another size.',
      hint: 'Send the size you announced.',
    }),
  );
  assert.equal(other.name, 'NodeProblemError');
  assert.equal(other.shortMessage, 'The body had another size.');
  assert.equal(other.hint, 'Send the size you announced.');
  const bare = errorFromProblem({}, 502);
  assert.equal(bare.name, 'NodeProblemError');
  assert.equal(bare.status, 502);
  assert.equal(bare.type, 'about:blank');
  assert.match(bare.shortMessage, /502/);
  // A look-alike type from another origin is not trusted as an Aegle problem.
  assert.equal(
    errorFromProblem({ type: 'https://evil.example/problems/not-granted', status: 403 }).name,
    'NodeProblemError',
  );
});
