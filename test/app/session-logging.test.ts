import { NAG_PACKS } from '../support/nag-packs';
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { DeploymentKey } from '../../lib/keys/deployment-key';
import { SessionLogging } from '../../lib/host/session-logging';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// Break-glass session logging on a bare stack (not the whole app): the per-deployment
// Session Manager document pinned exactly (every session streamed to the encrypted log
// group and encrypted end to end with the deployment key, no run-as, idle and maximum
// durations), the log group retained and encrypted.

const build = (retainOnDelete?: boolean) => {
  const stack = new Stack(new App(), 'Gateway', { env: { account: '123456789012', region: 'eu-west-1' } });
  const key = new DeploymentKey(stack, 'Key', { aliasName: 'openclaw/test/prod' });
  const sessions = new SessionLogging(stack, 'Sessions', { deploymentName: 'openclaw-test-prod', key, retentionDays: logs.RetentionDays.ONE_YEAR, retainOnDelete });
  const template = Template.fromStack(stack);
  return { stack, sessions, template, keyId: stack.getLogicalId(key.node.defaultChild as CfnResource) };
};
const { sessions, template, keyId } = build();
const only = (t: Template, type: string) => {
  const all = Object.entries(t.findResources(type));
  expect(all).toHaveLength(1);
  return { id: all[0]![0], ...(all[0]![1] as { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }) };
};

test('the session document: streamed to the log group, encrypted with the deployment key, no run-as, 20 min idle, 60 min at most', () => {
  const logGroup = only(template, 'AWS::Logs::LogGroup');
  expect(sessions.documentName).toBe('openclaw-test-prod-session');
  expect(only(template, 'AWS::SSM::Document').Properties).toEqual({
    Name: 'openclaw-test-prod-session',
    DocumentType: 'Session',
    DocumentFormat: 'JSON',
    UpdateMethod: 'NewVersion',
    Content: {
      schemaVersion: '1.0',
      description: 'Break-glass shell on the openclaw-test-prod gateway host, logged and encrypted',
      sessionType: 'Standard_Stream',
      inputs: {
        cloudWatchLogGroupName: { Ref: logGroup.id },
        cloudWatchEncryptionEnabled: true,
        cloudWatchStreamingEnabled: true,
        kmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        runAsEnabled: false,
        idleSessionTimeout: '20',
        maxSessionDuration: '60',
        shellProfile: { linux: 'exec /bin/bash -l' },
      },
    },
  });
});

test('the log group is named per deployment, encrypted with the deployment key, kept a year and retained; destroyed only on the opt-in', () => {
  const logGroup = only(template, 'AWS::Logs::LogGroup');
  expect(logGroup).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
  expect(logGroup.Properties).toEqual({ LogGroupName: '/openclaw/openclaw-test-prod/ssm-sessions', KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, RetentionInDays: 365 });
  expect(only(build(false).template, 'AWS::Logs::LogGroup')).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
});

test('acknowledges exactly the guard rule that cannot resolve the cross-stack key of the log group, on the log group only', () => {
  const acks = collectAcknowledgements(sessions).filter((a) => a.madeBy === 'blueprint');
  expect(acks.map((a) => [a.path, a.rule, a.onSingleResource])).toEqual([['Gateway/Sessions/Sessions/Resource', 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check', true]]);
  expect(acks[0]!.reason).toMatch(/^The log group is encrypted with the deployment key, which lives in the core stack/);
});

test.each(NAG_PACKS)('%s reports nothing on the session logging', (_name, pack) => {
  expect(pack().validateScope(sessions).violations).toEqual([]);
});
