import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../lib/config/errors';
import { configFixture, PINNED_AMIS_YAML } from '../support/config-fixture';
import { buildForTest } from '../support/build';

// What the runtime needs beyond the schema stops the build as a config error, before any synth.
const AWS = `aws:\n  account: "123456789012"\n  region: eu-west-1\n${PINNED_AMIS_YAML}`;
// Production also needs a custom domain (viewer-tls-default-certificate); harmless in dev.
const DOMAIN = 'edge:\n  customDomain:\n    domainName: agents.acme.example\n    certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-4111-8111-111111111111\n';
const AGENT = 'openclaw:\n  agents:\n    helper:\n      description: Reached only through the gateway.\n      provider: anthropic\n      model: claude-sonnet-4-6\n';

function buildError(files: Record<string, string>, env = 'dev'): ConfigError {
  const root = configFixture(files);
  try {
    buildForTest({ client: 'acme', env }, path.join(root, 'config'), root);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  throw new Error('the build succeeded');
}

test('a client without agents', () => {
  expect(buildError({ 'clients/acme/client.yaml': AWS }).message).toMatch(/openclaw\.agents: no agents: define at least one/);
});

test('an agent without its SOUL.md', () => {
  const e = buildError({ 'clients/acme/client.yaml': AWS + AGENT, 'clients/acme/agents/helper/AGENTS.md': '# Instructions\n' });
  expect(e.message).toMatch(/clients\/acme\/agents\/helper\/SOUL\.md: missing; every agent needs SOUL\.md and AGENTS\.md/);
});

test('a stray file among the agent files', () => {
  const e = buildError({
    'clients/acme/client.yaml': AWS + AGENT,
    'clients/acme/agents/helper/SOUL.md': '# Helper\n',
    'clients/acme/agents/helper/AGENTS.md': '# Instructions\n',
    'clients/acme/agents/helper/notes.txt': 'scratch\n',
  });
  expect(e.message).toMatch(/helper\/notes\.txt: not an agent file/);
});

describe('alarms must reach someone in production', () => {
  const files = {
    'clients/acme/agents/helper/SOUL.md': '# Helper\n',
    'clients/acme/agents/helper/AGENTS.md': '# Instructions\n',
  };

  test('prod without any alert subscription is refused, naming the key and where to add one', () => {
    const e = buildError({ ...files, 'clients/acme/client.yaml': AWS + DOMAIN + AGENT }, 'prod');
    expect(e.message).toMatch(/config\/base\.yaml:\d+: alerts: prod needs at least one alert subscription \(alerts\.email, alerts\.sms or alerts\.https\)/);
    expect(e.message).toMatch(/Add one in config\/clients\/acme\/client\.yaml or prod\.yaml/);
  });

  test('one subscription of any kind is enough; dev (GOVERNANCE) needs none', () => {
    for (const alerts of ['alerts:\n  sms: ["+447700900123"]\n', 'alerts:\n  https: ["https://pager.example.com/hook"]\n']) {
      const root = configFixture({ ...files, 'clients/acme/client.yaml': AWS + DOMAIN + AGENT + alerts });
      expect(() => buildForTest({ client: 'acme', env: 'prod' }, path.join(root, 'config'), root)).not.toThrow();
      fs.rmSync(root, { recursive: true, force: true });
    }
    const root = configFixture({ ...files, 'clients/acme/client.yaml': AWS + AGENT });
    expect(() => buildForTest({ client: 'acme', env: 'dev' }, path.join(root, 'config'), root)).not.toThrow();
    fs.rmSync(root, { recursive: true, force: true });
  });
});

test('an agent whose model has no price in spend.modelPrices', () => {
  const e = buildError({
    'clients/acme/client.yaml': AWS + AGENT.replace('claude-sonnet-4-6', 'claude-opus-4-1'),
    'clients/acme/agents/helper/SOUL.md': '# Helper\n',
    'clients/acme/agents/helper/AGENTS.md': '# Instructions\n',
  });
  expect(e.message).toMatch(
    /config\/clients\/acme\/client\.yaml:\d+: openclaw\.agents\.helper\.model: model "anthropic\/claude-opus-4-1" has no price in spend\.modelPrices \(priced: anthropic\/claude-sonnet-4-6\)/,
  );
});
