import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as chain from './index.ts';

test('the public API loads and exposes the entry points other packages use', () => {
  for (const name of [
    'startEmbeddedChain',
    'connectExternalChain',
    'deployAegle',
    'createIndexer',
    'mayRead',
    'verifyRecordInclusion',
    'buildRecordBatch',
    'signRecordEntry',
  ]) {
    assert.equal(typeof (chain as Record<string, unknown>)[name], 'function', name);
  }
});
