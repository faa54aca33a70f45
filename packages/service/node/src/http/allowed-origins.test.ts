import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllowedOrigins } from './allowed-origins.ts';

test('allowed origins are normalised as browsers send them; * stands alone', () => {
  assert.deepEqual(
    parseAllowedOrigins([
      'https://app.example.org',
      ' HTTPS://App.Example.org/ ',
      'http://localhost:5173',
      'https://app.example.org:443',
    ]),
    ['https://app.example.org', 'http://localhost:5173'],
  );
  assert.deepEqual(parseAllowedOrigins(['https://app.example.org', '*']), ['*']);
  assert.deepEqual(parseAllowedOrigins([]), []);
});

test('anything that is not a web origin is refused with a hint, not silently ignored', () => {
  for (const bad of [
    'app.example.org',
    'https://app.example.org/web',
    'https://app.example.org/?x=1',
    'https://user@app.example.org',
    'ftp://app.example.org',
    'null',
    '',
  ]) {
    assert.throws(
      () => parseAllowedOrigins([bad]),
      (error: Error & { hint?: string }) =>
        error.name === 'NodeConfigError' && (error.hint ?? '').includes('scheme, host and port'),
      bad,
    );
  }
});
