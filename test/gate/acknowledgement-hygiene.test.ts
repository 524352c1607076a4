import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeFinding } from '../../lib/gate/acknowledge';
import type { GateFinding } from '../../lib/gate/finding';
import { buildForTest, gateFindings } from '../support/build';

// One synth with three bad acknowledgements: a nag rule and a guard rule on a
// compliant resource (stale), and a stack-wide acknowledgement (too broad).
let findings: GateFinding[];

beforeAll(() => {
  const built = buildForTest({ client: 'example', env: 'dev' });
  const core = built.deployments[0]!.stage.core;
  acknowledgeFinding(core.key, 'AwsSolutions-KMS5', 'Stale on purpose: the key rotates, so this rule never fires here.');
  acknowledgeFinding(core.key, 'cdk-validator-cfnguard::kms_create_grant_aws_service_check', 'Stale on purpose: the key policy restricts grants.');
  acknowledgeFinding(core.key, 'IAMReference-Action[kms:Frobnicate]', 'Stale on purpose: the key policy names no such action.');
  Validations.of(core).acknowledge({ id: 'AwsSolutions-IAM4', reason: 'A stack-wide acknowledgement that the gate must refuse.' });
  findings = gateFindings(built);
});

const rules = (rule: string) => findings.filter((f) => f.rule === rule).map((f) => `${f.resource} ${f.message}`);

test('a stale cdk-nag acknowledgement fails the gate', () => {
  expect(rules('stale-acknowledgement')).toContainEqual(expect.stringMatching(/^example-dev\/Core\/DeploymentKey\/Resource AwsSolutions-KMS5 is acknowledged/));
});

test('a stale guard acknowledgement fails the gate', () => {
  expect(rules('stale-acknowledgement')).toContainEqual(
    expect.stringMatching(/^example-dev\/Core\/DeploymentKey\/Resource cdk-validator-cfnguard::kms_create_grant_aws_service_check/),
  );
});

test('a stale IAMReference acknowledgement fails the gate', () => {
  expect(rules('stale-acknowledgement')).toContainEqual(expect.stringMatching(/^example-dev\/Core\/DeploymentKey\/Resource IAMReference-Action\[kms:Frobnicate\] is acknowledged/));
});

test('an acknowledgement on a whole stack fails the gate', () => {
  expect(rules('acknowledgement-scope')).toEqual([expect.stringMatching(/^example-dev\/Core AwsSolutions-IAM4 is acknowledged on a construct that is not a single/)]);
});

describe('acknowledgeFinding', () => {
  const core = () => buildForTest({ client: 'example', env: 'dev' }).deployments[0]!.stage.core;

  test('refuses a stack or any construct that is not one resource', () => {
    expect(() => acknowledgeFinding(core(), 'AwsSolutions-IAM4', 'A long enough reason that would otherwise be accepted.')).toThrow(
      /acknowledge on a single CloudFormation resource/,
    );
  });

  test('refuses a reason a reviewer cannot judge', () => {
    const role = new iam.Role(core(), 'R', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    expect(() => acknowledgeFinding(role, 'AwsSolutions-IAM4', 'needed')).toThrow(/reason of at least 40 characters/);
  });
});

test('an acknowledgement on the app itself fails the gate', () => {
  const built = buildForTest({ client: 'example', env: 'dev' });
  Validations.of(built.app).acknowledge({ id: 'AwsSolutions-IAM4', reason: 'An app-wide acknowledgement that the gate must refuse.' });
  expect(gateFindings(built).filter((f) => f.rule === 'acknowledgement-scope').map((f) => f.message)).toContainEqual(
    expect.stringMatching(/^AwsSolutions-IAM4 is acknowledged on a construct that is not a single CloudFormation resource/),
  );
});
