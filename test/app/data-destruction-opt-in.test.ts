import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { synthesizeWithGate } from '../../lib/app';
import { ConfigError } from '../../lib/config/errors';
import { configFixture, NOW, PINNED_AMIS_YAML } from '../support/config-fixture';
import { buildForTest } from '../support/build';

// Destroying data needs the config exception AND the command-line confirmation.
const WEAKENED = `aws:\n  account: "123456789012"\n  region: eu-west-1\ndataProtection:\n  retainOnDelete: false\nexceptions:\n  - control: data-retention\n    reason: Throw-away demo environment rebuilt nightly; holds no client data.\n    approvedBy: security@agency.example\n    expires: "2027-01-31"\n${PINNED_AMIS_YAML}`;
const AGENT = `openclaw:\n  agents:\n    helper:\n      description: Demo agent reached only through the gateway.\n      provider: anthropic\n      model: claude-sonnet-4-6\n`;
const root = configFixture({
  'clients/demo/client.yaml': WEAKENED + AGENT,
  'clients/demo/agents/helper/SOUL.md': '# Helper\n',
  'clients/demo/agents/helper/AGENTS.md': '# Instructions\n',
});
const configDir = path.join(root, 'config');

test('without -c confirmDataDestruction the build stops and says how to confirm', () => {
  let error: unknown;
  try {
    buildForTest({ client: 'demo', env: 'dev' }, configDir, root);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toContain(
    'config/clients/demo/client.yaml:5: dataProtection.retainOnDelete: false deletes keys, secrets and logs with the stacks of demo-dev',
  );
  expect((error as Error).message).toContain('-c confirmDataDestruction=demo-dev');
});

test('the confirmation for another deployment does not count', () => {
  expect(() => buildForTest({ client: 'demo', env: 'dev', confirmDataDestruction: 'demo-prod' }, configDir, root)).toThrow(ConfigError);
});

describe('with both opt-ins', () => {
  const built = buildForTest({ client: 'demo', env: 'dev', confirmDataDestruction: 'demo-dev' }, configDir, root);
  const passed = synthesizeWithGate(built, NOW);

  test('the key is deleted with the stack, after the longest pending window', () => {
    Template.fromStack(built.deployments[0]!.stage.core).hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Delete',
      Properties: { PendingWindowInDays: 30 },
    });
  });

  test('the compliance report shows the control as weakened and the exception with reason and expiry', () => {
    const report = fs.readFileSync(passed.reports[0]!, 'utf8');
    expect(report).toMatch(/\(`kms-key-retained`\) \| weakened \|/);
    expect(report).toContain(
      '| Keys, secrets and log data are retained when a stack is deleted (`data-retention`) | `dataProtection.retainOnDelete` | ' +
        'Throw-away demo environment rebuilt nightly; holds no client data. | security@agency.example | 2027-01-31 |',
    );
  });
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
