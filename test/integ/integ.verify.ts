/**
 * Integration test for users with a sandbox account (issue 14): deploys one
 * client x env (default example/dev; INTEG_CLIENT / INTEG_ENV pick your own,
 * whose config names your sandbox account and region), runs assertions that
 * mirror the key checks of npm run verify, and destroys it.
 *
 *   npm run integ:verify              # offline: synthesizes and compares with the snapshot
 *                                     # (integ-runner 2.197.10 reads cloud assembly schema up to 53.x;
 *                                     # aws-cdk-lib 2.276.0 writes 55.0.0, so that version fails on
 *                                     # "Cloud assembly schema version mismatch" until a newer runner)
 *   npx integ-runner --directory test/integ --app "npx tsx {filePath}" \
 *     --update-on-failed --disable-update-workflow --parallel-regions <config aws.region>
 *                                     # deploys to the sandbox, asserts, destroys, updates the snapshot
 *
 * The assertions:
 * - every stack in the main region is CREATE_COMPLETE (deployment.stacks-deployed);
 * - the daily drift check, invoked now, runs every daily live check (the edge
 *   stack's too, in us-east-1) and reports no drifted control: the same code and
 *   settings as the deployed function;
 * - the controls-drifted alarm exists with its actions enabled;
 * - the gateway instance requires IMDSv2 with a hop limit of 1;
 * - the audit bucket is object-locked in the configured mode and days.
 * What a sandbox needs: an alert e-mail you confirm while the deploy runs (an
 * unconfirmed subscription is drift), project.terminationProtection false, and
 * accepting that object-locked audit buckets stay behind after the destroy
 * until their retention ends.
 *
 * Needs @aws-cdk/integ-tests-alpha and @aws-cdk/integ-runner (devDependencies).
 * The gate is not run here (the assertion stack is the runner's, not the
 * blueprint's); `cdk synth` of the same client x env runs it.
 */
import { Stack } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest, InvocationType, Match } from '@aws-cdk/integ-tests-alpha';
import * as path from 'path';
import { buildApp } from '../../lib/app';
import { DEPLOYMENT_TAG_KEYS } from '../../lib/deployment-stage';
import { deploymentName } from '../../lib/shared/naming';

const now = new Date();
const client = process.env.INTEG_CLIENT ?? 'example';
const env = process.env.INTEG_ENV ?? 'dev';
const built = buildApp({ configDir: path.resolve(__dirname, '..', '..', 'config'), now, context: { client, env } });
const { app } = built;
const { config, stage } = built.deployments[0]!;
const name = deploymentName(config);
for (const s of [stage.core, stage.network, stage.gateway, stage.edge, stage.spend]) s.terminationProtection = false;

const assertionStack = new Stack(app, 'VerifyAssertions', { env: { account: config.aws.account, region: config.aws.region } });
const integ = new IntegTest(app, 'Verify', {
  testCases: [stage.core, stage.network, stage.gateway, stage.edge, stage.spend],
  assertionStack,
  cdkCommandOptions: { destroy: { args: { force: true } } },
  diffAssets: false,
});

for (const s of [stage.core, stage.network, stage.gateway, stage.spend]) {
  integ.assertions
    .awsApiCall('CloudFormation', 'describeStacks', { StackName: s.stackName })
    .expect(ExpectedResult.objectLike({ Stacks: Match.arrayWith([Match.objectLike({ StackStatus: 'CREATE_COMPLETE' })]) }));
}

integ.assertions
  .invokeFunction({ functionName: `${name}-verify-controls`, invocationType: InvocationType.REQUEST_RESPONSE })
  .expect(ExpectedResult.objectLike({ StatusCode: 200, Payload: Match.serializedJson(Match.objectLike({ drifted: [] })) }));

integ.assertions
  .awsApiCall('CloudWatch', 'describeAlarms', { AlarmNames: [`${name}-controls-drifted`] })
  .expect(ExpectedResult.objectLike({ MetricAlarms: Match.arrayWith([Match.objectLike({ AlarmName: `${name}-controls-drifted`, ActionsEnabled: true })]) }));

integ.assertions
  .awsApiCall('EC2', 'describeInstances', {
    Filters: [
      { Name: `tag:${DEPLOYMENT_TAG_KEYS.client}`, Values: [config.client] },
      { Name: `tag:${DEPLOYMENT_TAG_KEYS.env}`, Values: [config.env] },
      { Name: 'instance-state-name', Values: ['running'] },
    ],
  })
  .expect(
    ExpectedResult.objectLike({
      Reservations: Match.arrayWith([Match.objectLike({ Instances: Match.arrayWith([Match.objectLike({ MetadataOptions: Match.objectLike({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }) })]) })]),
    }),
  );

integ.assertions
  .awsApiCall('S3', 'getObjectLockConfiguration', { Bucket: `${name}-audit-${config.aws.account}` })
  .expect(
    ExpectedResult.objectLike({
      ObjectLockConfiguration: Match.objectLike({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: Match.objectLike({ Mode: config.audit.lockMode }) } }),
    }),
  );

for (const { stage: s } of built.deployments) s.synth();
app.synth();
