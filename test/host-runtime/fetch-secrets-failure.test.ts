import { describeError, SecretsFailure } from '../../host/fetch-secrets/failure';

// Focused in-process checks of host/fetch-secrets/failure.ts.

test('a SecretsFailure is named SecretsFailure and carries reason, subject and detail', () => {
  const f = new SecretsFailure('SecretMissing', 'openclaw/x', 'not found');
  expect(f.name).toBe('SecretsFailure');
  expect(String(f)).toBe('SecretsFailure: SecretMissing: openclaw/x: not found');
  expect(f.exitCode).toBe(14);
});

test('describeError of undefined or null does not throw and prints the value', () => {
  expect(describeError(undefined)).toBe('Error: undefined');
  expect(describeError(null)).toBe('Error: null');
});

test('describeError folds whitespace and trims the message', () => {
  expect(describeError(new Error('  access\n  denied \t'))).toBe('Error: access denied');
  expect(describeError({ code: 'ECONNRESET', message: ' reset\n' })).toBe('ECONNRESET: reset');
});
