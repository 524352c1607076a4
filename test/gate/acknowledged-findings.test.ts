import * as iam from 'aws-cdk-lib/aws-iam';
import * as fs from 'fs';
import { acknowledgeFinding } from '../../lib/gate/acknowledge';
import { synthesizeWithGate, type GatePassed } from '../../lib/app';
import { NOW } from '../support/config-fixture';
import { buildForTest } from '../support/build';

// One synth: a role whose only finding (an AWS managed policy) is
// acknowledged on that role with a reason. The gate passes and the report
// lists the acknowledgement.
const RULE = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]';
const REASON = 'Test fixture: SSM core is the documented minimum for Session Manager break-glass access.';
let passed: GatePassed;

beforeAll(() => {
  const built = buildForTest({ client: 'example', env: 'staging' });
  const role = new iam.Role(built.deployments[0]!.stage.core, 'BreakGlassRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
  });
  acknowledgeFinding(role, RULE, REASON);
  passed = synthesizeWithGate(built, NOW);
});

test('an acknowledged finding passes the gate and is recorded on the one resource', () => {
  expect(passed.results[0]!.findings).toEqual([]);
  expect(passed.results[0]!.acknowledgements.filter((a) => a.path.startsWith('example-staging/Core/BreakGlassRole/'))).toEqual([
    { path: 'example-staging/Core/BreakGlassRole/Resource', rule: RULE, reason: REASON, onSingleResource: true, madeBy: 'blueprint' },
  ]);
});

test('the compliance report lists the acknowledgement with its reason', () => {
  const report = fs.readFileSync(passed.reports[0]!, 'utf8');
  expect(report).toContain('Gate: **PASSED**');
  expect(report).toContain(`| ${RULE} | \`example-staging/Core/BreakGlassRole/Resource\` | ${REASON} |`);
});
