import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DeploymentKey, type DeploymentKeyProps } from '../../lib/keys/deployment-key';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The deployment key on bare stacks (not the whole app; test/app/deployment-key.test.ts checks
// it inside example/prod): rotation always on with the period (365 days by default), the
// longest pending window, retained by default, the alias, and the key policy pinned statement
// by statement (account root, grants only for AWS services on AWS resources, CloudWatch Logs
// of this account and region only).

const build = (props: DeploymentKeyProps) => {
  const stack = new Stack(new App(), 'Core', { env: { account: '123456789012', region: 'eu-west-1' } });
  const key = new DeploymentKey(stack, 'Key', props);
  return { stack, key, resources: Template.fromStack(stack).toJSON().Resources as Record<string, Record<string, unknown>> };
};
const byDefault = build({ aliasName: 'openclaw/test/prod' });
const explicit = build({ aliasName: 'openclaw/acme/dev', rotationPeriodDays: 90, retainOnDelete: false });
const kept = build({ aliasName: 'openclaw/acme/dev', retainOnDelete: true });
const keyId = (b: ReturnType<typeof build>) => b.stack.getLogicalId(b.key.node.defaultChild as CfnResource);

const KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Action: 'kms:*', Effect: 'Allow', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:root']] } }, Resource: '*' },
    {
      Sid: 'DenyGrantsExceptForAwsServicesOnAwsResources',
      Action: 'kms:CreateGrant',
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Resource: '*',
    },
    {
      Sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      Condition: { StringLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:*']] } } },
      Effect: 'Allow',
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Resource: '*',
    },
  ],
};
const expected = (b: ReturnType<typeof build>, alias: string, rotationDays: number, deletion: string, replace: string) => ({
  [keyId(b)]: {
    Type: 'AWS::KMS::Key',
    Properties: {
      Description: `Encrypts the data of ${alias} (secrets, logs, volumes).`,
      EnableKeyRotation: true,
      RotationPeriodInDays: rotationDays,
      PendingWindowInDays: 30,
      KeyPolicy: KEY_POLICY,
    },
    DeletionPolicy: deletion,
    UpdateReplacePolicy: replace,
  },
  [b.stack.getLogicalId(b.key.node.findChild('Alias').node.defaultChild as CfnResource)]: {
    Type: 'AWS::KMS::Alias',
    Properties: { AliasName: `alias/${alias}`, TargetKeyId: { 'Fn::GetAtt': [keyId(b), 'Arn'] } },
  },
});

test('by default: rotation every 365 days, 30-day pending window, retained (RetainExceptOnCreate / Retain), the alias, the key policy', () => {
  expect(byDefault.resources).toEqual(expected(byDefault, 'openclaw/test/prod', 365, 'RetainExceptOnCreate', 'Retain'));
});

test('rotationPeriodDays and retainOnDelete false: rotation on that period, key deleted with the stack', () => {
  expect(explicit.resources).toEqual(expected(explicit, 'openclaw/acme/dev', 90, 'Delete', 'Delete'));
});

test('retainOnDelete true: retained as by default', () => {
  expect(kept.resources).toEqual(expected(kept, 'openclaw/acme/dev', 365, 'RetainExceptOnCreate', 'Retain'));
});

test('the key policy: grants only for AWS services on AWS resources, CloudWatch Logs only for log groups of this account and region', () => {
  expect((byDefault.resources[keyId(byDefault)]!.Properties as { KeyPolicy: unknown }).KeyPolicy).toEqual(KEY_POLICY);
});

test('the key acknowledges nothing', () => {
  expect(collectAcknowledgements(byDefault.stack)).toEqual([]);
});
