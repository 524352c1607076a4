import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { OriginFacingPrefixList } from '../../lib/edge/origin-facing-prefix-list';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The deploy-time lookup of CloudFront's origin-facing prefix list on bare stacks (not the whole
// app): a custom resource asks its own function for the list by name (nothing looked up at
// synth); the function may only describe prefix lists and write its own encrypted, retained log
// group; its operational findings are acknowledged with their reasons.

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };
const env = { account: '123456789012', region: 'eu-west-1' };

/** The construct in the network stack; its key in the same stack, or (keyInCore) in a core stack as deployed. */
function build(options: { keyInCore?: boolean; retainOnDelete?: boolean } = {}) {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Network', { env });
  const key = new kms.Key(options.keyInCore ? new Stack(app, 'Core', { env }) : stack, 'Key');
  const lookup = new OriginFacingPrefixList(stack, 'CloudFrontOriginFacing', {
    deploymentName: 'openclaw-test-prod',
    key,
    logRetentionDays: logs.RetentionDays.ONE_YEAR,
    ...(options.retainOnDelete === undefined ? {} : { retainOnDelete: options.retainOnDelete }),
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  return { stack, lookup, resources, keyId: stack.getLogicalId(key.node.defaultChild as CfnResource) };
}
const { stack, lookup, resources, keyId } = build();
const LOGS = 'CloudFrontOriginFacingLogs8C036DA9';
const POLICY = 'CloudFrontOriginFacingPolicy6AB8E3B9';
const READ_POLICY = 'CloudFrontOriginFacingActionsWithoutResourcePolicy61D730FF';
const ROLE = 'CloudFrontOriginFacingRoleE947A6EB';
const FUNCTION = 'CloudFrontOriginFacingFunction926C27A4';
const LOOKUP = 'CloudFrontOriginFacingLookupF579F623';

test('the construct is a log group, two managed policies, a role, a function and the lookup, nothing else', () => {
  expect(Object.entries(resources).map(([id, r]) => [id, r.Type])).toEqual([
    [keyId, 'AWS::KMS::Key'],
    [LOGS, 'AWS::Logs::LogGroup'],
    [POLICY, 'AWS::IAM::ManagedPolicy'],
    [READ_POLICY, 'AWS::IAM::ManagedPolicy'],
    [ROLE, 'AWS::IAM::Role'],
    [FUNCTION, 'AWS::Lambda::Function'],
    [LOOKUP, 'Custom::OriginFacingPrefixList'],
  ]);
});

test('the lookup asks its function for com.amazonaws.global.cloudfront.origin-facing, gives up after 5 minutes, and its answer is the prefix list ID', () => {
  expect(resources[LOOKUP]).toEqual({
    Type: 'Custom::OriginFacingPrefixList',
    Properties: {
      ServiceToken: { 'Fn::GetAtt': [FUNCTION, 'Arn'] },
      ServiceTimeout: '300',
      PrefixListName: 'com.amazonaws.global.cloudfront.origin-facing',
    },
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Delete',
  });
  expect(stack.resolve(lookup.prefixListId)).toEqual({ 'Fn::GetAtt': [LOOKUP, 'PrefixListId'] });
  expect(stack.getLogicalId(lookup.function.node.defaultChild as CfnResource)).toBe(FUNCTION);
});

test('the function: named per deployment, Node 24 on arm64, 1 minute, 128 MB, its own log group and role, after both policies exist', () => {
  const fn = resources[FUNCTION]!;
  expect(fn.Properties.Code).toEqual({ S3Bucket: 'cdk-hnb659fds-assets-123456789012-eu-west-1', S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) });
  expect({ ...fn, Properties: { ...fn.Properties, Code: undefined } }).toEqual({
    Type: 'AWS::Lambda::Function',
    Properties: {
      FunctionName: 'openclaw-test-prod-cf-prefix-list',
      Description: 'Deploy time only: the ID of com.amazonaws.global.cloudfront.origin-facing in this region, for the gateway security group',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 60,
      MemorySize: 128,
      LoggingConfig: { LogGroup: { Ref: LOGS } },
      Role: { 'Fn::GetAtt': [ROLE, 'Arn'] },
      Code: undefined,
    },
    DependsOn: [READ_POLICY, POLICY, ROLE],
  });
});

test('the role: assumed by Lambda only, with exactly the two policies: describe prefix lists (Resource *) and write its own log group', () => {
  expect(resources[ROLE]!.Properties).toEqual({
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    Description: 'openclaw-test-prod-cf-prefix-list: ec2:DescribeManagedPrefixLists and its own log group only',
    ManagedPolicyArns: [{ Ref: POLICY }, { Ref: READ_POLICY }],
  });
  expect(resources[POLICY]!.Properties).toEqual({
    Description: 'Looks up the CloudFront origin-facing prefix list ID for openclaw-test-prod at deploy time',
    Path: '/',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [LOGS, 'Arn'] } }],
    },
  });
  expect(resources[READ_POLICY]!.Properties).toEqual({
    Description: 'Looks up the CloudFront origin-facing prefix list ID for openclaw-test-prod: the action that supports no resource ARN',
    Path: '/',
    PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'ReadPrefixLists', Effect: 'Allow', Action: 'ec2:DescribeManagedPrefixLists', Resource: '*' }] },
  });
});

test('the log group: the function\'s name, encrypted with the deployment key, kept as configured, retained by default; destroyed only on the opt-in', () => {
  const expected = { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/lambda/openclaw-test-prod-cf-prefix-list', KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, RetentionInDays: 365 } };
  expect(resources[LOGS]).toEqual({ ...expected, DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  expect(build({ retainOnDelete: true }).resources[LOGS]).toEqual({ ...expected, DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  expect(build({ retainOnDelete: false }).resources[LOGS]).toEqual({ ...expected, DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
});

const blueprintAcks = (s: Stack) => collectAcknowledgements(s).filter((a) => a.madeBy === 'blueprint').map((a) => [a.path, a.rule, a.reason, a.onSingleResource]);
const OUTSIDE_VPC = 'A deploy-time lookup that calls only the EC2 API (DescribeManagedPrefixLists); inside this VPC it could not reach it before the NAT exists (no interface endpoints, by design for cost).';
const NO_CONCURRENCY = 'Invoked only by CloudFormation while the stack deploys; reserving concurrency fails the deploy in new accounts whose quota is 10 (AWS keeps 10 unreserved).';
const NO_DLQ = 'CloudFormation invokes it and waits for its answer; a failure fails the deployment visibly, so there is nothing a dead-letter queue would keep.';
const FN_PATH = 'Network/CloudFrontOriginFacing/Function/Resource';
const ACKS = [
  ['Network/CloudFrontOriginFacing/ActionsWithoutResourcePolicy/Resource', 'AwsSolutions-IAM5[Resource::*]', 'Only ec2:DescribeManagedPrefixLists takes Resource *: it is read-only and supports no resource-level permissions.', true],
  [FN_PATH, 'NIST.800.53.R5-LambdaInsideVPC', OUTSIDE_VPC, true],
  [FN_PATH, 'HIPAA.Security-LambdaInsideVPC', OUTSIDE_VPC, true],
  [FN_PATH, 'cdk-validator-cfnguard::lambda_inside_vpc_check', OUTSIDE_VPC, true],
  [FN_PATH, 'NIST.800.53.R5-LambdaConcurrency', NO_CONCURRENCY, true],
  [FN_PATH, 'HIPAA.Security-LambdaConcurrency', NO_CONCURRENCY, true],
  [FN_PATH, 'NIST.800.53.R5-LambdaDLQ', NO_DLQ, true],
  [FN_PATH, 'HIPAA.Security-LambdaDLQ', NO_DLQ, true],
];

test('acknowledges exactly the Resource * grant and the function\'s outside-VPC, concurrency and DLQ findings, each with its reason', () => {
  expect(blueprintAcks(stack)).toEqual(ACKS);
});

test('with the key in another stack (core, as deployed) the log group\'s guard finding on the imported key ARN is acknowledged too', () => {
  const core = build({ keyInCore: true });
  expect(core.resources[LOGS]!.Properties.KmsKeyId).toEqual({ 'Fn::ImportValue': expect.stringMatching(/^Core:ExportsOutputFnGetAttKey/) });
  expect(blueprintAcks(core.stack)).toEqual([
    [
      'Network/CloudFrontOriginFacing/Logs/Resource',
      'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
      'The log group is encrypted with the deployment key, which lives in the core stack: KmsKeyId is a cross-stack Fn::ImportValue the guard rule cannot resolve (the template assertion checks it).',
      true,
    ],
    ...ACKS,
  ]);
});
