import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { HardenedSecret } from '../../lib/secrets/hardened-secret';
import { SecretRotation, type SecretRotationProps } from '../../lib/secrets/secret-rotation';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// Secret rotation on a bare stack (not the whole app): the rotation function (arm64, Node 24,
// its environment), its role's policies pinned exactly (this secret, its key through Secrets
// Manager, the refresh document on the one host, its own logs, the one distribution for
// origin-verify), Secrets Manager's invoke permission for this secret only, the schedule
// (never on deploy), the log group's retention, and the acknowledgements with their reasons.

interface Resource { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string }

const ACCOUNT = '123456789012';
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
/** The default bootstrap's CloudFormation execution role of the eu-west-1 stack (exempt from the UpdateSecret deny). */
const EXEC_ROLE = arn(`:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`);

const build = (region: string, props: Partial<SecretRotationProps> & Pick<SecretRotationProps, 'kind'>, keyInOtherStack = false) => {
  const app = new App();
  const core = new Stack(app, 'Core', { env: { account: ACCOUNT, region } });
  const stack = new Stack(app, 'Gateway', { env: { account: ACCOUNT, region } });
  const key = keyInOtherStack ? new kms.Key(core, 'Key') : kms.Key.fromKeyArn(stack, 'Key', KEY_ARN);
  const secret = new HardenedSecret(stack, 'Secret', {
    secretName: `openclaw/acme/prod/${props.kind}`,
    description: 'The secret',
    key,
    initialValue: 'generated',
    readers: [],
    breakGlassRoleName: 'openclaw-break-glass',
  });
  const rotation = new SecretRotation(stack, 'Rotation', {
    secret,
    key,
    rotationDays: 30,
    deploymentName: 'openclaw-acme-prod',
    hostInstanceId: 'i-0123456789abcdef0',
    hostRegion: 'eu-west-1',
    refreshDocumentName: 'openclaw-acme-prod-refresh-secrets',
    logRetentionDays: logs.RetentionDays.ONE_YEAR,
    ...props,
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const id = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  return { stack, core, key, secret, rotation, resources, id, secretId: id(secret), roleId: id(rotation.role), fnId: id(rotation.function), logsId: id(rotation.logGroup) };
};

const token = build('eu-west-1', { kind: 'gateway-token', rotationDays: 7, logRetentionDays: logs.RetentionDays.ONE_MONTH });
const originVerify = build(
  'us-east-1',
  { kind: 'origin-verify', distribution: { distributionId: 'E1ABCDEFGHIJKL', originHeader: 'X-Origin-Verify' }, retainOnDelete: false },
  true,
);
type Built = typeof token;
const byType = (b: Built, type: string) => Object.entries(b.resources).filter(([, r]) => r.Type === type);
const policyId = (b: Built) => b.id(b.rotation.node.findChild('Policy') as never);
const withoutResourceId = (b: Built) => b.id(b.rotation.node.findChild('ActionsWithoutResourcePolicy') as never);

test('the construct adds exactly its log group, role, two policies, function, invoke permission and schedule', () => {
  for (const b of [token, originVerify]) {
    expect(Object.values(b.resources).map((r) => r.Type)).toEqual([
      'AWS::SecretsManager::Secret',
      'AWS::SecretsManager::ResourcePolicy',
      'AWS::Logs::LogGroup',
      'AWS::IAM::Role',
      'AWS::IAM::ManagedPolicy',
      'AWS::IAM::ManagedPolicy',
      'AWS::Lambda::Function',
      'AWS::Lambda::Permission',
      'AWS::SecretsManager::RotationSchedule',
    ]);
  }
});

test('the role: assumed by Lambda only, described per secret, exactly its two managed policies', () => {
  expect(token.resources[token.roleId]).toEqual({
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] },
      Description: 'Rotates openclaw/acme/prod/gateway-token of openclaw-acme-prod; nothing else',
      ManagedPolicyArns: [{ Ref: policyId(token) }, { Ref: withoutResourceId(token) }],
    },
  });
});

const ownStatements = (b: Built, region: string) => [
  {
    Sid: 'RotateThisSecretOnly',
    Effect: 'Allow',
    Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
    Resource: { Ref: b.secretId },
  },
  {
    Sid: 'UseTheSecretKeyThroughSecretsManager',
    Effect: 'Allow',
    Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
    Resource: b.stack.resolve(b.key.keyArn),
    Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com`, 'kms:EncryptionContext:SecretARN': { Ref: b.secretId } } },
  },
  {
    // The host's region, which for origin-verify (us-east-1) is not the function's.
    Sid: 'RefreshTheHost',
    Effect: 'Allow',
    Action: 'ssm:SendCommand',
    Resource: [arn(`:ssm:eu-west-1:${ACCOUNT}:document/openclaw-acme-prod-refresh-secrets`), arn(`:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`)],
  },
  { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [b.logsId, 'Arn'] } },
];

test('gateway-token: the policy touches only this secret, its key through Secrets Manager, the refresh document on the one host and its own logs', () => {
  expect(token.resources[policyId(token)]!.Properties).toEqual({
    Description: 'Rotation of openclaw/acme/prod/gateway-token only',
    Path: '/',
    PolicyDocument: { Version: '2012-10-17', Statement: ownStatements(token, 'eu-west-1') },
  });
  expect(token.stack.resolve(token.key.keyArn)).toBe(KEY_ARN);
});

test('origin-verify: the same, plus reading and updating the one distribution', () => {
  expect(originVerify.resources[policyId(originVerify)]!.Properties).toEqual({
    Description: 'Rotation of openclaw/acme/prod/origin-verify only',
    Path: '/',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        ...ownStatements(originVerify, 'us-east-1'),
        {
          Sid: 'UpdateTheOriginHeaderOfThisDistribution',
          Effect: 'Allow',
          Action: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
          Resource: arn(`:cloudfront::${ACCOUNT}:distribution/E1ABCDEFGHIJKL`),
        },
      ],
    },
  });
});

test('origin-verify without a distribution fails synthesis', () => {
  expect(() => build('us-east-1', { kind: 'origin-verify' })).toThrow(new Error('SecretRotation: origin-verify needs the distribution'));
});

test('the actions without a resource ARN: GetRandomPassword and GetCommandInvocation only', () => {
  expect(token.resources[withoutResourceId(token)]!.Properties).toEqual({
    Description: 'Rotation of openclaw/acme/prod/gateway-token: the actions that support no resource ARN',
    Path: '/',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'GenerateValues', Effect: 'Allow', Action: 'secretsmanager:GetRandomPassword', Resource: '*' },
        { Sid: 'ReadRefreshResult', Effect: 'Allow', Action: 'ssm:GetCommandInvocation', Resource: '*' },
      ],
    },
  });
});

test('the secret\'s resource policy lets the rotation role read and write values (and nobody else but break-glass)', () => {
  const [[, policy]] = byType(token, 'AWS::SecretsManager::ResourcePolicy') as [[string, Resource]];
  const statements = (policy.Properties.ResourcePolicy as { Statement: { Sid?: string; Condition?: unknown }[] }).Statement;
  const exempt = [{ 'Fn::GetAtt': [token.roleId, 'Arn'] }, arn(`:iam::${ACCOUNT}:role/openclaw-break-glass`)];
  expect(statements.filter((s) => s.Sid).map((s) => [s.Sid, s.Condition])).toEqual([
    ['DenyValueReadsButOwnHostAndBreakGlass', { StringNotEquals: { 'aws:PrincipalArn': exempt } }],
    ['DenyValueWritesButRotationAndBreakGlass', { StringNotEquals: { 'aws:PrincipalArn': exempt } }],
    ['DenyUpdatesButOwnStackRotationAndBreakGlass', { StringNotEquals: { 'aws:PrincipalArn': [exempt[0], EXEC_ROLE, exempt[1]] } }],
  ]);
});

const functionOf = (b: Built) => {
  const { Code, ...rest } = b.resources[b.fnId]!.Properties;
  expect(Code).toEqual({ S3Bucket: expect.any(String), S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) });
  return { ...b.resources[b.fnId]!, Properties: rest };
};

test('gateway-token function: named per deployment and kind, arm64 Node 24, 5 min, 256 MB, its log group, its environment (no distribution), after its policies', () => {
  expect(functionOf(token)).toEqual({
    Type: 'AWS::Lambda::Function',
    Properties: {
      FunctionName: 'openclaw-acme-prod-rotate-gateway-token',
      Description: 'Rotates openclaw/acme/prod/gateway-token (gateway-token) of openclaw-acme-prod',
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 300,
      MemorySize: 256,
      Role: { 'Fn::GetAtt': [token.roleId, 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: token.logsId } },
      Environment: {
        Variables: { KIND: 'gateway-token', REFRESH_DOCUMENT: 'openclaw-acme-prod-refresh-secrets', HOST_INSTANCE_ID: 'i-0123456789abcdef0', HOST_REGION: 'eu-west-1' },
      },
    },
    DependsOn: [withoutResourceId(token), policyId(token), token.roleId].sort(),
  });
});

test('origin-verify function: also the distribution and its origin header', () => {
  const fn = functionOf(originVerify);
  expect(fn.Properties.FunctionName).toBe('openclaw-acme-prod-rotate-origin-verify');
  expect(fn.Properties.Description).toBe('Rotates openclaw/acme/prod/origin-verify (origin-verify) of openclaw-acme-prod');
  expect(fn.Properties.Environment).toEqual({
    Variables: {
      KIND: 'origin-verify',
      REFRESH_DOCUMENT: 'openclaw-acme-prod-refresh-secrets',
      HOST_INSTANCE_ID: 'i-0123456789abcdef0',
      HOST_REGION: 'eu-west-1',
      DISTRIBUTION_ID: 'E1ABCDEFGHIJKL',
      ORIGIN_HEADER: 'X-Origin-Verify',
    },
  });
});

test('Secrets Manager may invoke the function only for this secret, from this account', () => {
  const [[, permission]] = byType(token, 'AWS::Lambda::Permission') as [[string, Resource]];
  expect(permission).toEqual({
    Type: 'AWS::Lambda::Permission',
    Properties: {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [token.fnId, 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: ACCOUNT,
      SourceArn: { Ref: token.secretId },
    },
    DependsOn: [withoutResourceId(token), policyId(token)].sort(),
  });
});

test('the schedule: every rotationDays, never on deploy, after the function exists', () => {
  const schedule = (b: Built) => byType(b, 'AWS::SecretsManager::RotationSchedule')[0]![1];
  const permissionId = (b: Built) => byType(b, 'AWS::Lambda::Permission')[0]![0];
  expect(schedule(token)).toEqual({
    Type: 'AWS::SecretsManager::RotationSchedule',
    Properties: {
      SecretId: { Ref: token.secretId },
      RotationLambdaARN: { 'Fn::GetAtt': [token.fnId, 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(7 days)' },
      RotateImmediatelyOnUpdate: false,
    },
    DependsOn: [permissionId(token), token.fnId],
  });
  expect((schedule(originVerify).Properties.RotationRules as object)).toEqual({ ScheduleExpression: 'rate(30 days)' });
});

test('the log group: named per function, encrypted with the key, kept per config; retained by default, deleted on the opt-in', () => {
  expect(token.resources[token.logsId]).toEqual({
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: '/aws/lambda/openclaw-acme-prod-rotate-gateway-token', KmsKeyId: KEY_ARN, RetentionInDays: 30 },
    DeletionPolicy: 'RetainExceptOnCreate',
    UpdateReplacePolicy: 'Retain',
  });
  expect(originVerify.resources[originVerify.logsId]).toEqual({
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: '/aws/lambda/openclaw-acme-prod-rotate-origin-verify', KmsKeyId: originVerify.stack.resolve(originVerify.key.keyArn), RetentionInDays: 365 },
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Delete',
  });
  expect(build('eu-west-1', { kind: 'gateway-token', retainOnDelete: true }).resources[token.logsId]).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
});

const LAMBDA_ACKS = (path: string) => {
  const vpc = 'The rotation function calls only AWS APIs (Secrets Manager, SSM, CloudFront); a VPC would add NAT or endpoint cost and no isolation, and its role reaches only its secret, its host and (origin-verify) its distribution.';
  const dlq = 'Secrets Manager invokes rotation synchronously and records a failed step on the secret (and retries at the next schedule); an asynchronous dead-letter queue would never receive anything.';
  const concurrency = 'Invoked only by Secrets Manager, one step at a time per schedule; reserving concurrency would fail the deploy in new accounts whose quota is 10 (AWS keeps 10 unreserved).';
  return [
    [path, 'NIST.800.53.R5-LambdaInsideVPC', vpc],
    [path, 'HIPAA.Security-LambdaInsideVPC', vpc],
    [path, 'cdk-validator-cfnguard::lambda_inside_vpc_check', vpc],
    [path, 'NIST.800.53.R5-LambdaDLQ', dlq],
    [path, 'HIPAA.Security-LambdaDLQ', dlq],
    [path, 'NIST.800.53.R5-LambdaConcurrency', concurrency],
    [path, 'HIPAA.Security-LambdaConcurrency', concurrency],
  ];
};
const WITHOUT_RESOURCE_ACK = [
  'Gateway/Rotation/ActionsWithoutResourcePolicy/Resource',
  'AwsSolutions-IAM5[Resource::*]',
  'Only secretsmanager:GetRandomPassword and ssm:GetCommandInvocation take Resource *: neither supports a resource ARN; the first reads no secret, the second only the status of commands.',
];
const acks = (b: Built) => collectAcknowledgements(b.rotation).map((a) => (expect(a.onSingleResource).toBe(true), [a.path, a.rule, a.reason]));

test('acknowledgements: the Resource * policy and the Lambda findings, each with its reason; a key in the same stack needs no log group acknowledgement', () => {
  expect(acks(token)).toEqual([WITHOUT_RESOURCE_ACK, ...LAMBDA_ACKS('Gateway/Rotation/Function/Resource')]);
});

test('acknowledgements: a key from another stack adds the log group encryption finding the guard cannot resolve', () => {
  expect(acks(originVerify)).toEqual([
    [
      'Gateway/Rotation/Logs/Resource',
      'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
      'The log group is encrypted with the deployment key, which lives in the core stack: KmsKeyId is a cross-stack Fn::ImportValue the guard rule cannot resolve (the template assertion checks it).',
    ],
    WITHOUT_RESOURCE_ACK,
    ...LAMBDA_ACKS('Gateway/Rotation/Function/Resource'),
  ]);
});
