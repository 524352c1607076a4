import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { BLUEPRINT_ACK_METADATA } from '../../lib/gate/acknowledge';
import { functionLogGroup } from '../../lib/shared/function-log-group';

// functionLogGroup (lib/shared/function-log-group.ts) on a bare stack: the group Lambda would
// otherwise create unencrypted and never expiring, made first with the deployment key, the
// configured retention, and retained unless destruction was opted into. A key of another stack
// (the core stack's, as deployed) is an import the guard rule cannot read: acknowledged there only.

const env = { account: '123456789012', region: 'eu-west-1' };

function build(options: { retainOnDelete?: boolean; keyElsewhere?: boolean } = {}) {
  const app = new App();
  const stack = new Stack(app, 'Spend', { env });
  const keyStack = options.keyElsewhere ? new Stack(app, 'Core', { env }) : stack;
  const key = new kms.Key(keyStack, 'Key');
  const group = functionLogGroup(stack, { functionName: 'oc-acme-prod-kill-switch', key, logRetentionDays: logs.RetentionDays.ONE_YEAR, ...(options.retainOnDelete === undefined ? {} : { retainOnDelete: options.retainOnDelete }) });
  return { stack, key, group, template: Template.fromStack(stack) };
}

test('the group of the function, encrypted with the deployment key, kept for the retention, retained by default', () => {
  const { stack, key, group, template } = build();
  expect(group.node.id).toBe('Logs');
  const groups = template.findResources('AWS::Logs::LogGroup');
  expect(Object.values(groups)).toEqual([
    {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: '/aws/lambda/oc-acme-prod-kill-switch', KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] }, RetentionInDays: 365 },
      // Retained (RetainExceptOnCreate: a failed first create still cleans up after itself).
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    },
  ]);
  // A key of its own stack needs no acknowledgement.
  expect((group.node.defaultChild as logs.CfnLogGroup).node.metadata.filter((m) => m.type === BLUEPRINT_ACK_METADATA)).toEqual([]);
});

test('retainOnDelete false (destruction confirmed): deleted with the stack; true: retained', () => {
  expect(Object.values(build({ retainOnDelete: false }).template.findResources('AWS::Logs::LogGroup'))[0]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  expect(Object.values(build({ retainOnDelete: true }).template.findResources('AWS::Logs::LogGroup'))[0]).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
});

test("a key of another stack: the guard rule's finding on this group only is acknowledged", () => {
  const { group } = build({ keyElsewhere: true });
  expect((group.node.defaultChild as logs.CfnLogGroup).node.metadata.filter((m) => m.type === BLUEPRINT_ACK_METADATA).map((m) => m.data)).toEqual([
    'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
  ]);
});
