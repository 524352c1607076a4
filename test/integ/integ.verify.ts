/**
 * Integration test for users with a sandbox account (issue 14): deploys one
 * client x env (default example/dev; INTEG_CLIENT / INTEG_ENV pick your own,
 * whose config names your sandbox account and region) with an assertion stack
 * that mirrors key checks of npm run verify, then destroys it.
 *
 *   npm run integ:verify     # scripts/integ-verify.sh: cdk deploy '**', then cdk destroy '**'
 *
 * Every assertion is created with failDeployment: a failing assertion fails
 * the VerifyAssertions stack's deployment, so the plain CDK CLI is the runner.
 * integ-runner is not used: 2.197.10 (the latest) reads cloud assembly schema
 * up to 53.x and aws-cdk-lib 2.276.0 writes 55.0.0 (docs/verify.md).
 * test/integ/integ-snapshot.test.ts checks the assertion stack offline in CI.
 *
 * The assertions (VerifyAssertions, in the deployment's stage and region,
 * deployed after the five stacks):
 * - each stack in the main region is CREATE_COMPLETE or UPDATE_COMPLETE;
 * - the daily drift check, invoked now, reports no drifted control (it runs
 *   every daily live check, the edge stack's too, in us-east-1);
 * - the controls-drifted alarm exists with its actions enabled;
 * - the gateway instance requires IMDSv2 with a hop limit of 1;
 * - the audit bucket (its generated name, a cross-stack reference to the core
 *   stack) is object-locked in the configured mode and days.
 * What a sandbox needs: an alert e-mail you confirm while the deploy runs (an
 * unconfirmed subscription is drift), project.terminationProtection false, and
 * accepting that object-locked audit buckets stay behind after the destroy
 * until their retention ends.
 */
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ActualResult, EqualsAssertion, ExpectedResult, IntegTest, InvocationType, LambdaInvokeFunction, Match, type IApiCall, type LambdaInvokeFunctionProps } from '@aws-cdk/integ-tests-alpha';
import * as path from 'path';
import { ALARMS, alarmName } from '../../lib/alarms/alarm-catalogue';
import { buildApp, type BuiltApp } from '../../lib/app';
import { DEPLOYMENT_TAG_KEYS } from '../../lib/deployment-stage';
import { deploymentName } from '../../lib/shared/naming';

/** What buildIntegApp made. */
export interface IntegApp {
  /** The app with the deployment and the Verify integ test. */
  readonly built: BuiltApp;
  /** The stack holding every assertion (VerifyAssertions). */
  readonly assertionStack: Stack;
}

/** Options of buildIntegApp. */
export interface IntegAppOptions {
  /** Context values (client, env, bundling). @default { client: INTEG_CLIENT ?? 'example', env: INTEG_ENV ?? 'dev' } */
  readonly context?: Record<string, unknown>;
  /** Cloud assembly folder. @default cdk.out (or the CLI's) */
  readonly outdir?: string;
  /** "Today", for exception expiry. @default now */
  readonly now?: Date;
}

/** The deploy invocation with its in-handler assertion result exposed (`assertion` is `{"status":"success"}` or a failure). */
class CheckedInvoke extends LambdaInvokeFunction {
  constructor(scope: Construct, id: string, props: LambdaInvokeFunctionProps) {
    super(scope, id, props);
  }

  /** The inline assertion's result (set by `expect`), as a token. */
  get assertion(): string {
    return this.apiCallResource.getAttString('assertion');
  }
}

/** An expected literal (string, number, boolean), matched exactly. ExpectedResult.exact wraps it in `$Exact`, which the handler does not decode. */
const literal = (v: string | number | boolean): ExpectedResult => ({ result: JSON.stringify(v) });

/** Asserts, failing the deployment when it fails, that the leaf at `attr` of `call`'s response matches. */
function assertLeaf(scope: Construct, id: string, call: IApiCall, attr: string, expected: ExpectedResult): void {
  new EqualsAssertion(scope, id, { actual: ActualResult.fromAwsApiCall(call, attr), expected, failDeployment: true });
}

/** Builds the integ app: the deployment of one client x env, termination protection off, and the assertion stack. */
export function buildIntegApp(options: IntegAppOptions = {}): IntegApp {
  const context = options.context ?? { client: process.env.INTEG_CLIENT ?? 'example', env: process.env.INTEG_ENV ?? 'dev' };
  const built = buildApp({ configDir: path.resolve(__dirname, '..', '..', 'config'), now: options.now ?? new Date(), outdir: options.outdir, context });
  const { config, stage } = built.deployments[0]!;
  const name = deploymentName(config);
  const deployed = [stage.core, stage.network, stage.gateway, stage.edge, stage.spend];
  for (const s of deployed) s.terminationProtection = false;

  // In the stage, so the audit bucket's name is a cross-stack reference and the stacks are dependencies.
  const assertionStack = new Stack(stage, 'VerifyAssertions', { stackName: `${name}-verify-assertions`, env: { account: config.aws.account, region: config.aws.region } });
  for (const s of deployed) assertionStack.addStackDependency(s, 'assertions run on the deployed stacks');
  const integ = new IntegTest(built.app, 'Verify', {
    testCases: deployed,
    assertionStack,
    cdkCommandOptions: { destroy: { args: { force: true } } },
    diffAssets: false,
  });

  for (const s of [stage.core, stage.network, stage.gateway, stage.spend]) {
    const call = integ.assertions.awsApiCall('CloudFormation', 'describeStacks', { StackName: s.stackName });
    assertLeaf(assertionStack, `StackStatus-${s.node.id}`, call, 'Stacks.0.StackStatus', ExpectedResult.stringLikeRegexp('^(CREATE|UPDATE)_COMPLETE$'));
  }

  // The handler returns DriftSummary {checks, controls, drifted}; an empty `drifted` has no flattened leaf, so the
  // whole (small) response is matched in the handler and its result asserted. A handler error has no `drifted`.
  const invoke = new CheckedInvoke(assertionStack, 'InvokeVerifyControls', { functionName: `${name}-verify-controls`, invocationType: InvocationType.REQUEST_RESPONSE });
  invoke.expect(ExpectedResult.objectLike({ StatusCode: 200, Payload: Match.serializedJson(Match.objectLike({ drifted: [] })) }));
  new EqualsAssertion(assertionStack, 'NoControlDrifted', { actual: { result: invoke.assertion }, expected: ExpectedResult.objectLike({ status: 'success' }), failDeployment: true });

  const alarm = alarmName(name, ALARMS.controlsDrifted);
  const alarms = integ.assertions.awsApiCall('CloudWatch', 'describeAlarms', { AlarmNames: [alarm] });
  assertLeaf(assertionStack, 'DriftAlarmName', alarms, 'MetricAlarms.0.AlarmName', literal(alarm));
  assertLeaf(assertionStack, 'DriftAlarmActionsEnabled', alarms, 'MetricAlarms.0.ActionsEnabled', literal(true));

  const instances = integ.assertions.awsApiCall('EC2', 'describeInstances', {
    Filters: [
      { Name: `tag:${DEPLOYMENT_TAG_KEYS.client}`, Values: [config.client] },
      { Name: `tag:${DEPLOYMENT_TAG_KEYS.env}`, Values: [config.env] },
      { Name: 'instance-state-name', Values: ['running'] },
    ],
  });
  assertLeaf(assertionStack, 'GatewayHttpTokens', instances, 'Reservations.0.Instances.0.MetadataOptions.HttpTokens', literal('required'));
  assertLeaf(assertionStack, 'GatewayHopLimit', instances, 'Reservations.0.Instances.0.MetadataOptions.HttpPutResponseHopLimit', literal(1));

  const lock = integ.assertions.awsApiCall('S3', 'getObjectLockConfiguration', { Bucket: stage.core.audit.bucket.bucketName });
  assertLeaf(assertionStack, 'AuditLockEnabled', lock, 'ObjectLockConfiguration.ObjectLockEnabled', literal('Enabled'));
  assertLeaf(assertionStack, 'AuditLockMode', lock, 'ObjectLockConfiguration.Rule.DefaultRetention.Mode', literal(config.audit.lockMode));
  assertLeaf(assertionStack, 'AuditLockDays', lock, 'ObjectLockConfiguration.Rule.DefaultRetention.Days', literal(config.audit.lockRetentionDays));

  return { built, assertionStack };
}

if (require.main === module) {
  const { built } = buildIntegApp();
  for (const { stage } of built.deployments) stage.synth();
  built.app.synth();
}
