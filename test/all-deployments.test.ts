import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import { synthesizeWithGate, type BuiltApp, type GatePassed } from '../lib/app';
import { NOW } from './support/config-fixture';
import { buildForTest } from './support/build';

// One synth of every client x environment (what CI runs with -c client=all).
let built: BuiltApp;
let passed: GatePassed;

beforeAll(() => {
  built = buildForTest({ client: 'all' });
  passed = synthesizeWithGate(built, NOW);
});

test('every client x environment passes the gate with no unacknowledged finding', () => {
  expect(passed.results.map((r) => [r.stagePath, r.findings])).toEqual(built.deployments.map((d) => [d.stage.node.path, []]));
});

test('every deployment has a compliance report naming the standard control IDs', () => {
  for (const [i, result] of passed.results.entries()) {
    const report = fs.readFileSync(passed.reports[i]!, 'utf8');
    expect(passed.reports[i]).toMatch(new RegExp(`compliance-${result.config.client}-${result.config.env}\\.md$`));
    expect(report).toContain('Gate: **PASSED**');
    expect(report).toMatch(/\| Customer-managed KMS keys rotate automatically \(`kms-key-rotation`\) \| holds \| KMS\.4 \| 3\.6 \| CT\.KMS\.PR\.1 \|/);
  }
});

// A safety net only: the fine-grained assertions above and in test/app carry the controls.
test.each(['example-dev', 'example-staging', 'example-prod'])('%s template snapshots', (id) => {
  const { stage } = built.deployments.find((d) => d.stage.node.id === id)!;
  for (const stack of [stage.core, stage.network, stage.gateway, stage.edge]) {
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot(stack.stackName);
  }
});
