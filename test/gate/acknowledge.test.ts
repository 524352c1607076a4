import { Annotations, App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  acknowledgeFinding,
  acknowledgeImportedLogGroupKey,
  acknowledgeLambdaFindings,
  acknowledgeWarning,
  BLUEPRINT_ACK_METADATA,
  MIN_REASON_LENGTH,
  nagPartition,
  WARNING_ACK_METADATA,
} from '../../lib/gate/acknowledge';

// acknowledgeFinding / acknowledgeWarning on bare stacks: what lands on which
// construct (rule, reason, marker), and what is refused with which message.

const REASON = 'A reason long enough for a reviewer to judge it here.';
// CloudFormation's own template validation is off: it is the gate's concern, not these functions', and takes seconds per synth.
const app = (context?: Record<string, unknown>) => new App({ builtinCloudFormationValidation: false, context });
const stack = (props?: ConstructorParameters<typeof Stack>[2]) => new Stack(app(), 'S', props);
const resource = (scope: Construct, id = 'R') => new CfnResource(scope, id, { type: 'AWS::SNS::Topic' });
/** The metadata entries (type and data) the blueprint's acknowledgements leave on a construct. */
const ackMetadata = (c: Construct) =>
  c.node.metadata
    .filter((m) => [Validations.ACKNOWLEDGED_RULES_METADATA_KEY, BLUEPRINT_ACK_METADATA, WARNING_ACK_METADATA].includes(m.type))
    .map((m) => ({ type: m.type, data: m.data as unknown }));

describe('acknowledgeFinding', () => {
  test('on a CfnResource: CDK acknowledgement with the trimmed reason, and the blueprint marker with the rule as given', () => {
    const r = resource(stack());
    acknowledgeFinding(r, 'AwsSolutions-SNS3', `  ${REASON}  `);
    expect(ackMetadata(r)).toEqual([
      { type: 'aws:cdk:acknowledged-rules', data: { 'Annotation::AwsSolutions-SNS3': REASON } },
      { type: 'openclaw:acknowledgement', data: 'AwsSolutions-SNS3' },
    ]);
  });

  test('a namespaced rule (cfn-guard) is recorded with its namespace', () => {
    const r = resource(stack());
    acknowledgeFinding(r, 'cdk-validator-cfnguard::sns_topic_encrypted_check', REASON);
    expect(ackMetadata(r)).toEqual([
      { type: 'aws:cdk:acknowledged-rules', data: { 'cdk-validator-cfnguard::sns_topic_encrypted_check': REASON } },
      { type: 'openclaw:acknowledgement', data: 'cdk-validator-cfnguard::sns_topic_encrypted_check' },
    ]);
  });

  test('on an L2 construct it lands on the default child, not on the L2', () => {
    const role = new iam.Role(stack(), 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    acknowledgeFinding(role, 'AwsSolutions-IAM4', REASON);
    expect(ackMetadata(role)).toEqual([]);
    expect(ackMetadata(role.node.defaultChild as CfnResource)).toEqual([
      { type: 'aws:cdk:acknowledged-rules', data: { 'Annotation::AwsSolutions-IAM4': REASON } },
      { type: 'openclaw:acknowledgement', data: 'AwsSolutions-IAM4' },
    ]);
  });

  test('refuses a stack (no default child), with a message naming the construct and the rule', () => {
    const s = stack();
    expect(() => acknowledgeFinding(s, 'AwsSolutions-IAM4', REASON)).toThrow(
      new Error(
        'acknowledgeFinding(S, AwsSolutions-IAM4): acknowledge on a single CloudFormation resource ' +
          '(a CfnResource or an L2 construct whose default child is one), not on a stack or a group of resources',
      ),
    );
    expect(ackMetadata(s)).toEqual([]);
  });

  test('refuses a group whose default child is not a CloudFormation resource', () => {
    const group = new Construct(stack(), 'Group');
    resource(new Construct(group, 'Resource'));
    expect(() => acknowledgeFinding(group, 'AwsSolutions-IAM4', REASON)).toThrow(/^acknowledgeFinding\(S\/Group, AwsSolutions-IAM4\): acknowledge on a single CloudFormation resource/);
  });

  test(`refuses a reason shorter than ${MIN_REASON_LENGTH} characters once trimmed, naming the resource`, () => {
    expect(MIN_REASON_LENGTH).toBe(40);
    const r = resource(stack());
    const short = `  ${'x'.repeat(39)}  `;
    expect(() => acknowledgeFinding(r, 'AwsSolutions-SNS3', short)).toThrow(
      new Error(
        'acknowledgeFinding(S/R, AwsSolutions-SNS3): give a reason of at least 40 characters ' +
          'that says why the finding is acceptable and what compensates for it',
      ),
    );
    expect(ackMetadata(r)).toEqual([]);
  });

  test('the refusal of a short reason on an L2 names its resource', () => {
    const role = new iam.Role(stack(), 'Role', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    expect(() => acknowledgeFinding(role, 'AwsSolutions-IAM4', 'needed')).toThrow(/^acknowledgeFinding\(S\/Role\/Resource, AwsSolutions-IAM4\): give a reason/);
  });

  test('a reason of exactly 40 characters is accepted', () => {
    const r = resource(stack());
    acknowledgeFinding(r, 'AwsSolutions-SNS3', 'y'.repeat(40));
    expect(ackMetadata(r)[0]).toEqual({ type: 'aws:cdk:acknowledged-rules', data: { 'Annotation::AwsSolutions-SNS3': 'y'.repeat(40) } });
  });
});

test('acknowledgeImportedLogGroupKey acknowledges the Control Tower log-group encryption rule with its reason', () => {
  const r = new CfnResource(stack(), 'Logs', { type: 'AWS::Logs::LogGroup' });
  acknowledgeImportedLogGroupKey(r);
  expect(ackMetadata(r)).toEqual([
    {
      type: 'aws:cdk:acknowledged-rules',
      data: {
        'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check':
          'The log group is encrypted with the deployment key, which lives in the core stack: KmsKeyId is a cross-stack Fn::ImportValue the guard rule cannot resolve (the template assertion checks it).',
      },
    },
    { type: 'openclaw:acknowledgement', data: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check' },
  ]);
});

describe('acknowledgeWarning', () => {
  const WARNING = '@aws-cdk/aws-test:someWarning';

  test('removes the warning from the assembly and records id and trimmed reason', () => {
    const s = stack();
    const c = new Construct(s, 'C');
    Annotations.of(c).addWarningV2(WARNING, 'a warning');
    Annotations.of(c).addWarningV2('@aws-cdk/aws-test:otherWarning', 'another warning');
    acknowledgeWarning(c, WARNING, `  ${REASON} `);
    expect(ackMetadata(c)).toEqual([{ type: 'openclaw:warning-acknowledgement', data: { id: WARNING, reason: REASON } }]);
    const warnings = App.of(s)!
      .synth()
      .getStackByName('S')
      .messages.filter((m) => m.level === 'warning')
      .map((m) => String(m.entry.data));
    expect(warnings).toEqual(['another warning [ack: @aws-cdk/aws-test:otherWarning]']);
  });

  test('refuses a reason shorter than 40 characters once trimmed', () => {
    const c = new Construct(stack(), 'C');
    expect(() => acknowledgeWarning(c, WARNING, ` ${'x'.repeat(39)} `)).toThrow(
      new Error(`acknowledgeWarning(S/C, ${WARNING}): give a reason of at least 40 characters that says why the warning is acceptable here`),
    );
    expect(ackMetadata(c)).toEqual([]);
  });

  test('a reason of exactly 40 characters is accepted', () => {
    const c = new Construct(stack(), 'C');
    acknowledgeWarning(c, WARNING, 'z'.repeat(40));
    expect(ackMetadata(c)).toEqual([{ type: 'openclaw:warning-acknowledgement', data: { id: WARNING, reason: 'z'.repeat(40) } }]);
  });
});

describe('nagPartition', () => {
  test('the literal partition under @aws-cdk/core:enablePartitionLiterals with a known region', () => {
    const s = new Stack(app({ '@aws-cdk/core:enablePartitionLiterals': true }), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    expect(nagPartition(resource(s))).toBe('aws');
  });

  test('cdk-nag\'s token name when the partition is only known at deploy time', () => {
    expect(nagPartition(resource(stack()))).toBe('<AWS::Partition>');
  });
});

describe('acknowledgeLambdaFindings', () => {
  const OUTSIDE = 'Outside the VPC on purpose: it only calls AWS APIs, never the host.';
  const DLQ = 'No dead-letter queue: a failed run is retried by the alarm that fires it.';
  const CONCURRENCY = 'No reserved concurrency: it runs once per alarm, never concurrently.';

  test('each finding is acknowledged under every pack that reports it, with its own reason, in order', () => {
    const fn = new CfnResource(stack(), 'Fn', { type: 'AWS::Lambda::Function' });
    acknowledgeLambdaFindings(fn, { outsideVpc: OUTSIDE, noDeadLetterQueue: DLQ, noReservedConcurrency: CONCURRENCY });
    expect(fn.node.metadata.filter((m) => m.type === BLUEPRINT_ACK_METADATA).map((m) => m.data as unknown)).toEqual([
      'NIST.800.53.R5-LambdaInsideVPC',
      'HIPAA.Security-LambdaInsideVPC',
      'cdk-validator-cfnguard::lambda_inside_vpc_check',
      'NIST.800.53.R5-LambdaDLQ',
      'HIPAA.Security-LambdaDLQ',
      'NIST.800.53.R5-LambdaConcurrency',
      'HIPAA.Security-LambdaConcurrency',
    ]);
    expect(fn.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data as unknown)).toEqual([
      { 'Annotation::NIST.800.53.R5-LambdaInsideVPC': OUTSIDE },
      { 'Annotation::HIPAA.Security-LambdaInsideVPC': OUTSIDE },
      { 'cdk-validator-cfnguard::lambda_inside_vpc_check': OUTSIDE },
      { 'Annotation::NIST.800.53.R5-LambdaDLQ': DLQ },
      { 'Annotation::HIPAA.Security-LambdaDLQ': DLQ },
      { 'Annotation::NIST.800.53.R5-LambdaConcurrency': CONCURRENCY },
      { 'Annotation::HIPAA.Security-LambdaConcurrency': CONCURRENCY },
    ]);
  });

  test('only the findings given are acknowledged', () => {
    const fn = new CfnResource(stack(), 'Fn', { type: 'AWS::Lambda::Function' });
    acknowledgeLambdaFindings(fn, { noDeadLetterQueue: DLQ });
    expect(fn.node.metadata.filter((m) => m.type === BLUEPRINT_ACK_METADATA).map((m) => m.data as unknown)).toEqual(['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ']);
  });
});
