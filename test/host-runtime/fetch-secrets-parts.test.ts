import { renderSecretsManifest } from '../../lib/secrets/secrets-manifest';
import { parseOptions } from '../../host/fetch-secrets/args';
import { resolvePointer } from '../../host/fetch-secrets/content';
import { checkManifest, selectSecrets } from '../../host/fetch-secrets/manifest';
import { backoffDelay, JitterRetryStrategy, MAX_DELAY_MS } from '../../host/fetch-secrets/retry';
import { allConfigs, exampleConfig } from '../host/support/host-tools';

// In-process checks of the pieces of fetch-secrets (the program itself runs
// for real in fetch-secrets.test.ts and fetch-secrets-failures.test.ts).

test('the manifest of every client x environment passes the program’s own check unchanged', () => {
  for (const config of allConfigs()) {
    const manifest = renderSecretsManifest(config);
    expect(checkManifest(JSON.parse(JSON.stringify(manifest)), 'secrets-manifest.json')).toEqual(manifest);
  }
});

test('manifest check: names the first bad field', () => {
  const good = renderSecretsManifest(exampleConfig('dev'));
  const bad = (mutate: (m: Record<string, unknown> & { secrets: Record<string, unknown>[] }) => void) => {
    const m = JSON.parse(JSON.stringify(good));
    mutate(m);
    try {
      checkManifest(m, 'm.json');
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };
  expect(bad((m) => (m.secrets = []))).toMatch(/^ManifestInvalid: m\.json: secrets: expected a non-empty array/);
  expect(bad((m) => (m.secrets[0]!.region = 'Mars'))).toMatch(/^ManifestInvalid: m\.json: secrets\[0\]\.region: /);
  expect(bad((m) => (m.secrets[0]!.file = 'relative/file'))).toMatch(/secrets\[0\]\.file: /);
  expect(bad((m) => (m.secrets[0]!.file = '/run/../etc/x'))).toMatch(/secrets\[0\]\.file: expected a normalized absolute path/);
  expect(bad((m) => (m.secrets[1]!.requiredPointers = ['anthropic/apiKey']))).toMatch(/secrets\[1\]\.requiredPointers: /);
  expect(bad((m) => (m.secrets[2]!.id = m.secrets[1]!.id))).toMatch(/secrets\[2\]\.id: duplicate id "agent-ops"/);
  expect(bad((m) => (m.secrets[2]!.file = m.secrets[1]!.file))).toMatch(/secrets\[2\]\.file: .* is also the file of another secret/);
  expect(bad((m) => delete m.metricNamespace)).toMatch(/^ManifestInvalid: m\.json: metricNamespace: /);
  expect(selectSecrets(good, ['origin-verify', 'gateway-token-ops']).map((s) => s.id)).toEqual(['gateway-token-ops', 'origin-verify']);
});

test('command line: defaults, limits and --only', () => {
  expect(parseOptions(['--manifest', '/m.json'])).toEqual({
    manifest: '/m.json',
    passwd: '/etc/passwd',
    refresh: false,
    maxAttempts: 5,
    retryBaseMs: 100,
    concurrency: 8,
    imdsTimeoutMs: 1000,
    imdsAttempts: 3,
  });
  expect(parseOptions(['--manifest', '/m', '--passwd', '/tmp/passwd']).passwd).toBe('/tmp/passwd');
  expect(parseOptions(['--manifest', '/m', '--only', 'a, b,a', '--refresh']).only).toEqual(['a', 'b']);
  // The owners come from the manifest (each secret's user), never from the command line.
  expect(() => parseOptions(['--manifest', '/m', '--uid', '0', '--gid', '0'])).toThrow(/^Usage: command line: Unknown option '--uid'/);
  expect(() => parseOptions(['--manifest', '/m', '--bogus'])).toThrow(/^Usage: command line: Unknown option '--bogus'/);
  expect(() => parseOptions(['--manifest', '/m', '--only', 'a,,b'])).toThrow(/--only: expected comma-separated secret ids/);
});

test('JSON pointers (RFC 6901): nested keys, ~0 and ~1 escapes, array indexes, missing steps', () => {
  const doc = { anthropic: { apiKey: 'k' }, 'a/b': { 'm~n': 'x' }, list: ['zero', 'one'], '': 'empty key' };
  expect(resolvePointer(doc, '/anthropic/apiKey')).toBe('k');
  expect(resolvePointer(doc, '/a~1b/m~0n')).toBe('x');
  expect(resolvePointer(doc, '/list/1')).toBe('one');
  expect(resolvePointer(doc, '/list/01')).toBeUndefined();
  expect(resolvePointer(doc, '/')).toBe('empty key');
  expect(resolvePointer(doc, '/anthropic/apiKey/deeper')).toBeUndefined();
  expect(resolvePointer(doc, '/toString')).toBeUndefined();
});

test('retry: exponential backoff with jitter in [d/2, d], capped; only throttling, transient and 5xx retried', async () => {
  expect([1, 2, 3, 4].map((n) => backoffDelay(n, 100, () => 0))).toEqual([50, 100, 200, 400]);
  expect([1, 2, 3, 4].map((n) => backoffDelay(n, 100, () => 1))).toEqual([100, 200, 400, 800]);
  expect(backoffDelay(20, 100, () => 1)).toBe(MAX_DELAY_MS);
  const strategy = new JitterRetryStrategy(3, 0);
  const first = await strategy.acquireInitialRetryToken('');
  const second = await strategy.refreshRetryTokenForRetry(first, { errorType: 'THROTTLING' });
  expect(second.getRetryCount()).toBe(1);
  const third = await strategy.refreshRetryTokenForRetry(second, { errorType: 'SERVER_ERROR' });
  await expect(strategy.refreshRetryTokenForRetry(third, { errorType: 'TRANSIENT' })).rejects.toThrow();
  await expect(strategy.refreshRetryTokenForRetry(first, { errorType: 'CLIENT_ERROR' })).rejects.toThrow();
});
