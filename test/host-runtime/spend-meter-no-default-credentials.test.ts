import { defaultProvider } from '../../host/spend-meter/no-default-credentials';

// The stand-in for the SDK's default credential chain in the bundle
// (host/spend-meter/no-default-credentials.ts): whatever it is asked, it refuses,
// naming IMDSv2 as the only source.

test('the default credential chain refuses, naming IMDSv2 as the only source', async () => {
  const provider = defaultProvider();
  expect(typeof provider).toBe('function');
  await expect(provider()).rejects.toThrow(new Error('spend-meter: credentials come from IMDSv2 only (the default credential chain is not bundled)'));
});
