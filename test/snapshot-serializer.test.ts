// The snapshot serializer must mask asset hashes, or snapshots churn on every asset change.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- jest loads the serializer as plain CommonJS
const serializer = require('./support/mask-asset-hashes.js') as { test: (v: unknown) => boolean; serialize: (v: string) => string };

test('asset hashes are masked in snapshots', () => {
  const hash = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);
  const value = `cdk-hnb659fds-assets-123456789012-eu-west-1/${hash}.zip`;
  expect(serializer.test(value)).toBe(true);
  expect(serializer.serialize(value)).toBe('"cdk-hnb659fds-assets-123456789012-eu-west-1/[ASSET-HASH].zip"');
});

test('strings without a hash are left to the default serializer', () => {
  expect(serializer.test('alias/openclaw/example/prod')).toBe(false);
});
