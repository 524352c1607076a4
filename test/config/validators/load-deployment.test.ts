import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../../lib/config/errors';
import { loadConfig, loadDeploymentConfig } from '../../../lib/config/load';
import { configFixture, NOW, PINNED_AMIS_YAML } from '../../support/config-fixture';

// loadDeploymentConfig: loadConfig plus every validator of lib/config/validators,
// each step throwing before the next runs, in the order synth has always used.

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

const AWS = `aws:\n  account: "123456789012"\n  region: eu-west-1\n`;
const AGENT = 'openclaw:\n  agents:\n    helper:\n      description: Reached only through the gateway.\n      provider: anthropic\n      model: claude-sonnet-4-6\n';
const AGENT_FILES = { 'clients/acme/agents/helper/SOUL.md': '# Helper\n', 'clients/acme/agents/helper/AGENTS.md': '# Instructions\n' };
const DESTROY =
  'dataProtection:\n  retainOnDelete: false\nexceptions:\n  - control: data-retention\n    reason: Throw-away demo environment rebuilt nightly; holds no client data.\n' +
  '    approvedBy: security@agency.example\n    expires: "2027-01-31"\n';

/** The messages of the ConfigError loadDeploymentConfig throws for acme/dev with `files` (and `confirmed`). */
function problems(files: Record<string, string>, confirmed: string[] = []): string[] {
  const root = configFixture(files);
  roots.push(root);
  try {
    loadDeploymentConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'acme', env: 'dev', confirmedDestruction: confirmed });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path ?? ''}: ${p.message.split(';')[0]!.split(':')[0]}`);
    throw e;
  }
  return [];
}

test('a valid deployment loads exactly as loadConfig loads it', () => {
  const root = configFixture({ 'clients/acme/client.yaml': AWS + PINNED_AMIS_YAML + AGENT, ...AGENT_FILES });
  roots.push(root);
  const options = { configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'acme', env: 'dev' };
  expect(loadDeploymentConfig(options)).toEqual(loadConfig(options));
});

test('clashing deployment names stop it before the config is even loaded', () => {
  // acme/dev does not parse (no aws.account), yet the clash is what is reported.
  expect(problems({ 'environments/b-dev.yaml': '# continues a client name\n', 'clients/acme/client.yaml': 'aws: {}\n', 'clients/acme-b/client.yaml': 'aws: {}\n' })).toEqual([
    ': clients/acme with environments/b-dev.yaml and clients/acme-b with environments/dev.yaml both make the deployment name "acme-b-dev" (stage, stacks and resources would collide)',
  ]);
});

test('then the schema (loadConfig), then the destruction confirmation, then AMIs, openclaw, alerts and spend together, then the agent files', () => {
  expect(problems({ 'clients/acme/client.yaml': 'aws: {}\n' + DESTROY })).toEqual(expect.arrayContaining([expect.stringMatching(/^aws\.account: required/)]));
  expect(problems({ 'clients/acme/client.yaml': AWS + DESTROY })).toEqual(['dataProtection.retainOnDelete: false deletes keys, secrets and logs with the stacks of acme-dev']);
  expect(problems({ 'clients/acme/client.yaml': AWS + DESTROY + AGENT.replace('claude-sonnet-4-6', 'claude-opus-9') }, ['acme-dev'])).toEqual([
    'instance.amiId: required but not set in any of',
    'network.natAmiId: required but not set in any of',
    'openclaw.agents.helper.model: model "anthropic/claude-opus-9" has no price in spend.modelPrices (priced',
  ]);
  expect(problems({ 'clients/acme/client.yaml': AWS + PINNED_AMIS_YAML + AGENT })).toEqual([': Agent files of client acme']);
  expect(problems({ 'clients/acme/client.yaml': AWS + PINNED_AMIS_YAML + AGENT, ...AGENT_FILES })).toEqual([]);
});
