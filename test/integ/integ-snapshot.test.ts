/**
 * The offline half of the sandbox integration test (issue 14): CI cannot
 * deploy, so it synthesizes test/integ/integ.verify.ts in-process (bundling
 * skipped) and pins its VerifyAssertions stack: every assertion fails the
 * deployment when it fails, and the assertions target the deployment's own
 * stacks, function, alarm and audit bucket. The five deployed stacks are
 * pinned by test/app/template-identity.test.ts.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildIntegApp, type IntegApp } from './integ.verify';
import { TEST_CONTEXT } from '../support/build';
import { NOW } from '../support/config-fixture';

type Resource = { Type: string; Properties: Record<string, unknown>; [k: string]: unknown };
let integ: IntegApp;
let resources: Record<string, Resource>;

beforeAll(() => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-integ-out-'));
  integ = buildIntegApp({ outdir, now: NOW, context: { ...TEST_CONTEXT, client: 'example', env: 'dev' } });
  resources = (Template.fromStack(integ.assertionStack).toJSON() as { Resources: Record<string, Resource> }).Resources;
});

const ofType = (prefix: string) => Object.entries(resources).filter(([, r]) => r.Type.startsWith(prefix));

test('every assertion fails the deployment when it fails', () => {
  const assertions = ofType('Custom::DeployAssert@AssertEquals');
  expect(assertions.map(([id]) => id).sort()).toEqual(
    ['AuditLockDays', 'AuditLockEnabled', 'AuditLockMode', 'DriftAlarmActionsEnabled', 'DriftAlarmName', 'GatewayHopLimit', 'GatewayHttpTokens', 'NoControlDrifted', 'StackStatusCore', 'StackStatusGateway', 'StackStatusNetwork', 'StackStatusSpend'].sort(),
  );
  for (const [id, r] of assertions) expect([id, r.Properties.failDeployment]).toEqual([id, true]);
});

test("the assertions target the deployment's stacks, function, alarm and audit bucket", () => {
  const { stage } = integ.built.deployments[0]!;
  const stackNames = ofType('Custom::DeployAssert@SdkCallCloudFormationdescribeStacks').map(([, r]) => (r.Properties.parameters as { StackName: string }).StackName);
  expect(stackNames.sort()).toEqual([stage.core, stage.network, stage.gateway, stage.spend].map((s) => JSON.stringify(s.stackName)).sort());
  expect(resources.InvokeVerifyControls!.Properties.parameters).toMatchObject({ FunctionName: '"openclaw-example-dev-verify-controls"', InvocationType: '"RequestResponse"' });
  const [, alarms] = ofType('Custom::DeployAssert@SdkCallCloudWatchdescribeAlarms')[0]!;
  expect(alarms.Properties.parameters).toEqual({ AlarmNames: '["openclaw-example-dev-controls-drifted"]' });
  // The audit bucket's generated name arrives from the core stack (an import of its export), never a guessed name.
  const [, lock] = ofType('Custom::DeployAssert@SdkCallS3getObjectLockConfiguration')[0]!;
  expect(JSON.stringify(lock.Properties.parameters)).toContain('Fn::ImportValue');
  expect(JSON.stringify(lock.Properties.parameters)).toContain('openclaw-example-dev-core');
  expect(integ.assertionStack.dependencies.map((s) => s.stackName).sort()).toEqual([stage.core, stage.network, stage.gateway, stage.edge, stage.spend].map((s) => s.stackName).sort());
});

test('VerifyAssertions template snapshot (asset hashes and per-synth salts masked)', () => {
  // Each custom resource has a `salt` (Date.now() at synth), and the assertion outputs' ids hash it.
  const text = JSON.stringify(Template.fromStack(integ.assertionStack).toJSON(), (k, v: unknown) => (k === 'salt' ? '[SALT]' : v));
  const json = JSON.parse(text.replace(/"(AssertionResults[A-Za-z0-9-]+?)[0-9a-f]{32}"/g, '"$1[SALTED]"')) as unknown;
  expect(json).toMatchSnapshot();
});
