import * as fs from 'fs';
import * as path from 'path';
import { Annotations, FeatureFlags } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { CDK_JSON, projectContext, synthesizeWithGate, type BuiltApp, type GatePassed } from '../../lib/app';
import { acknowledgeWarning } from '../../lib/gate/acknowledge';
import { GateError } from '../../lib/gate/finding';
import { buildForTest } from '../support/build';
import { NOW } from '../support/config-fixture';

// A quiet, conventional synth: the tests synthesize with cdk.json's context
// (the CLI's feature flags), and no CDK warning reaches the cloud assembly
// unless acknowledged on its construct with a reason.

/** Every aws:cdk:warning in the cloud assembly of every stage (what `cdk synth` prints). */
function assemblyWarnings(outdir: string): string[] {
  return fs
    .readdirSync(outdir)
    .filter((d) => d.startsWith('assembly-'))
    .flatMap((d) => new CloudAssembly(path.join(outdir, d)).artifacts.flatMap((a) => a.messages))
    .filter((m) => m.level === 'warning')
    .map((m) => `${m.id}: ${String(m.entry.data)}`);
}

describe('every client x environment', () => {
  let built: BuiltApp;
  let passed: GatePassed;
  beforeAll(() => {
    built = buildForTest({ client: 'all', env: 'all' });
    passed = synthesizeWithGate(built, NOW);
  }, 600_000);

  test('raises no CDK warning in any stage', () => {
    expect(fs.readdirSync(built.app.outdir).filter((d) => d.startsWith('assembly-'))).toHaveLength(built.deployments.length);
    expect(assemblyWarnings(built.app.outdir)).toEqual([]);
  });

  test('every compliance report says no CDK warning was acknowledged', () => {
    for (const report of passed.reports) expect(fs.readFileSync(report, 'utf8')).toContain('## Acknowledged CDK warnings\n\nNone: synthesis raised no CDK warning.');
  });

  test('the app the tests build carries every context value of cdk.json, as the CLI passes them', () => {
    const context = projectContext();
    expect(Object.keys(context).length).toBeGreaterThan(80);
    for (const [key, value] of Object.entries(context)) expect([key, built.app.node.tryGetContext(key)]).toEqual([key, value]);
  });

  test('cross-stack references are strong, set explicitly', () => {
    expect(built.app.node.tryGetContext('@aws-cdk/core:defaultCrossStackReferences')).toBe('strong');
  });
});

test('cdk.json sets every recommended feature flag of the pinned aws-cdk-lib (what cdk init writes), cross-stack references strong', () => {
  const recommended = JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8')) as Record<string, unknown>;
  const context = projectContext(CDK_JSON);
  expect(Object.keys(recommended).length).toBeGreaterThan(80);
  for (const [flag, value] of Object.entries(recommended)) {
    const expected = flag === '@aws-cdk/core:defaultCrossStackReferences' ? 'strong' : value;
    expect([flag, context[flag]]).toEqual([flag, expected]);
  }
  // Flags that are only switched on by the context: the app sees them on.
  const app = buildForTest({ client: 'example', env: 'dev' }).app;
  expect(FeatureFlags.of(app).isEnabled('@aws-cdk/core:enablePartitionLiterals')).toBe(true);
  expect(FeatureFlags.of(app).isEnabled('@aws-cdk/aws-iam:minimizePolicies')).toBe(true);
});

test('an unacknowledged CDK warning fails the gate; an acknowledged one passes and is listed with its reason', () => {
  const built = buildForTest({ client: 'example', env: 'dev' });
  const { stage } = built.deployments[0]!;
  Annotations.of(stage.core.key).addWarningV2('@openclaw/test:accepted', 'A warning the deployment accepts.');
  Annotations.of(stage.network.vpc).addWarningV2('@openclaw/test:unaccepted', 'A warning nobody looked at.');
  const reason = 'Accepted in this test: the warning describes behaviour the deployment relies on.';
  acknowledgeWarning(stage.core.key, '@openclaw/test:accepted', reason);
  let error: unknown;
  try {
    synthesizeWithGate(built, NOW);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(GateError);
  const gate = error as GateError;
  expect(gate.findings.filter((f) => f.source === 'cdk')).toEqual([
    expect.objectContaining({ rule: 'cdk-warning', resource: 'example-dev/Network/Vpc', message: expect.stringContaining('A warning nobody looked at. [ack: @openclaw/test:unaccepted]') }),
  ]);
  expect(assemblyWarnings(built.app.outdir)).toEqual([expect.stringContaining('@openclaw/test:unaccepted')]);
  const report = fs.readFileSync(gate.reports[0]!, 'utf8');
  expect(report).toContain(`| @openclaw/test:accepted | \`example-dev/Core/DeploymentKey\` | ${reason} |`);
}, 600_000);

test('acknowledging a CDK warning needs a reason', () => {
  const built = buildForTest({ client: 'example', env: 'dev' });
  expect(() => acknowledgeWarning(built.deployments[0]!.stage.core.key, '@openclaw/test:x', 'because')).toThrow(/give a reason of at least 40 characters/);
});
