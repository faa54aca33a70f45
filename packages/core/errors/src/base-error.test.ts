import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BaseError } from './base-error.ts';

class ExampleError extends BaseError {
  override name = 'ExampleError';
}

test('a subclass keeps its name, its hint, and a short message without the hint', () => {
  const error = new ExampleError('the thing failed', { hint: 'try the other thing' });
  assert.equal(error.name, 'ExampleError');
  assert.equal(error.hint, 'try the other thing');
  assert.equal(error.shortMessage, 'the thing failed');
  assert.match(error.message, /Hint: try the other thing$/);
  assert.ok(error instanceof BaseError);
});

test('the cause is kept', () => {
  const cause = new Error('low-level');
  const error = new BaseError('high-level', { cause });
  assert.equal(error.cause, cause);
  assert.equal(error.shortMessage, 'high-level');
});
