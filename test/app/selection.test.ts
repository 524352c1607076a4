import { ConfigError } from '../../lib/config/errors';
import { buildForTest } from '../support/build';

// Only what is selected is built; nothing here synthesizes.
const stagesOf = (context: Record<string, unknown>) => buildForTest(context).deployments.map((d) => d.stage.node.id);

test('defaults to the example client in dev', () => {
  expect(stagesOf({})).toEqual(['example-dev']);
});

test('builds only the selected client x environment', () => {
  expect(stagesOf({ client: 'example', env: 'staging' })).toEqual(['example-staging']);
});

test('client=all builds every client in every environment, with distinct stack names', () => {
  const built = buildForTest({ client: 'all' });
  expect(built.deployments.map((d) => d.stage.node.id)).toEqual(['example-dev', 'example-prod', 'example-staging']);
  const names = built.deployments.map((d) => d.stage.core.stackName);
  expect(new Set(names).size).toBe(names.length);
});

test('client=all with an env builds every client in that env', () => {
  expect(stagesOf({ client: 'all', env: 'prod' })).toEqual(['example-prod']);
});

test('an unknown client or env is a config error listing the available ones', () => {
  expect(() => stagesOf({ client: 'acme' })).toThrow(ConfigError);
  expect(() => stagesOf({ client: 'acme' })).toThrow(/no client "acme"; available: example/);
  expect(() => stagesOf({ env: 'qa' })).toThrow(/no environment "qa"; available: dev, prod, staging/);
});
