import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { HostLogGroups } from '../../lib/audit/host-log-groups';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';
import type { HostLogGroup } from '../../lib/host/cloudwatch-agent';

// The host's log groups on bare stacks (not the whole app): one group per shipped source,
// named as given, encrypted with the deployment key, kept retentionDays, retained by default
// (deleted only with retainOnDelete false), the imported-key finding acknowledged on each,
// and group() refusing an id that is not shipped.

const ENV = { account: '123456789012', region: 'eu-west-1' };
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const GROUPS: HostLogGroup[] = [
  { id: 'gateway', logGroupName: '/openclaw/openclaw-test-prod/gateway', files: [{ file: '/var/log/openclaw-audit/gateway-ops.jsonl', stream: '{instance_id}-ops', source: '/var/log/openclaw/ops/openclaw.log' }], purpose: 'The gateway log.' },
  { id: 'nginx-access', logGroupName: '/openclaw/openclaw-test-prod/nginx-access', files: [{ file: '/var/log/nginx/access.log', stream: '{instance_id}' }], purpose: 'nginx access log.' },
];

const build = (retainOnDelete?: boolean) => {
  const stack = new Stack(new App(), 'Gateway', { env: ENV });
  const key = kms.Key.fromKeyArn(stack, 'Key', KEY_ARN);
  const hostLogs = new HostLogGroups(stack, 'HostLogs', { groups: GROUPS, key, retentionDays: logs.RetentionDays.THREE_MONTHS, retainOnDelete });
  return { stack, hostLogs, resources: Template.fromStack(stack).toJSON().Resources as Record<string, unknown> };
};
const byDefault = build();
const kept = build(true);
const destroyed = build(false);
const id = (b: ReturnType<typeof build>, groupId: string) => b.stack.getLogicalId(b.hostLogs.group(groupId).node.defaultChild as CfnResource);
const expected = (b: ReturnType<typeof build>, deletion: string, replace: string) => ({
  [id(b, 'gateway')]: {
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: '/openclaw/openclaw-test-prod/gateway', KmsKeyId: KEY_ARN, RetentionInDays: 90 },
    DeletionPolicy: deletion,
    UpdateReplacePolicy: replace,
  },
  [id(b, 'nginx-access')]: {
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: '/openclaw/openclaw-test-prod/nginx-access', KmsKeyId: KEY_ARN, RetentionInDays: 90 },
    DeletionPolicy: deletion,
    UpdateReplacePolicy: replace,
  },
});

test('by default: one group per source, named as given, encrypted with the key, kept retentionDays, retained (RetainExceptOnCreate / Retain)', () => {
  expect(byDefault.resources).toEqual(expected(byDefault, 'RetainExceptOnCreate', 'Retain'));
});

test('retainOnDelete true: retained as by default', () => {
  expect(kept.resources).toEqual(expected(kept, 'RetainExceptOnCreate', 'Retain'));
});

test('retainOnDelete false: deleted with the stack', () => {
  expect(destroyed.resources).toEqual(expected(destroyed, 'Delete', 'Delete'));
});

test('byId and group(): each group under its source id', () => {
  expect(Object.keys(byDefault.hostLogs.byId)).toEqual(['gateway', 'nginx-access']);
  expect(byDefault.hostLogs.group('gateway').node.path).toBe('Gateway/HostLogs/gateway');
  expect(byDefault.hostLogs.byId['nginx-access']).toBe(byDefault.hostLogs.group('nginx-access'));
});

test('group() of a source that is not shipped throws, naming the shipped ids', () => {
  expect(() => byDefault.hostLogs.group('journal')).toThrow(new Error('no host log group "journal" (shipped: gateway, nginx-access)'));
});

test('acknowledged on each group: the guard rule that cannot resolve the imported key, with the reason', () => {
  const reason =
    'The log group is encrypted with the deployment key, which lives in the core stack: KmsKeyId is a cross-stack Fn::ImportValue the guard rule cannot resolve (the template assertion checks it).';
  expect(collectAcknowledgements(byDefault.stack).map((a) => [a.path, a.rule, a.reason, a.onSingleResource, a.madeBy])).toEqual(
    ['gateway', 'nginx-access'].map((g) => [`Gateway/HostLogs/${g}/Resource`, 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check', reason, true, 'blueprint']),
  );
});
