import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ALARMS, alarmDescription } from '../../lib/alarms/alarm-catalogue';
import { InstanceRecovery } from '../../lib/host/instance-recovery';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// EC2 self-healing of the gateway host on a bare stack (not the whole app): a failed system
// status check (2 minutes) recovers the instance onto healthy hardware, a failed instance status
// check (3 minutes) reboots it; both keep the instance ID and tell the alert topic on ALARM and OK.

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:openclaw-test-prod-alerts';
const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Gateway', { env: { account: '123456789012', region: 'eu-west-1' } });
const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-0123456789abcdef0'] });
const instance = new ec2.Instance(stack, 'Host', {
  vpc,
  instanceType: new ec2.InstanceType('t4g.small'),
  machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-0123456789abcdef0' }),
});
const recovery = new InstanceRecovery(stack, 'Recovery', {
  instance,
  deploymentName: 'openclaw-test-prod',
  topic: sns.Topic.fromTopicArn(stack, 'Topic', TOPIC_ARN),
});
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const instanceId = stack.getLogicalId(instance.node.defaultChild as CfnResource);
/** The EC2 action of the stack's partition and region. */
const ec2Action = (action: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:automate:eu-west-1:ec2:${action}`]] });
const statusCheck = (metricName: string) => ({
  Namespace: 'AWS/EC2',
  MetricName: metricName,
  Dimensions: [{ Name: 'InstanceId', Value: { Ref: instanceId } }],
  Statistic: 'Maximum',
  Period: 60,
});

test('the construct adds exactly its two alarms', () => {
  const ofConstruct = Object.keys(resources).filter((id) => id.startsWith('Recovery'));
  expect(ofConstruct.map((id) => [id, resources[id]!.Type])).toEqual([
    ['RecoveryRecoverOnSystemFailure14E51E01', 'AWS::CloudWatch::Alarm'],
    ['RecoveryRebootOnInstanceFailure5C09FBF5', 'AWS::CloudWatch::Alarm'],
  ]);
  expect(stack.getLogicalId(recovery.recoverAlarm.node.defaultChild as CfnResource)).toBe('RecoveryRecoverOnSystemFailure14E51E01');
  expect(stack.getLogicalId(recovery.rebootAlarm.node.defaultChild as CfnResource)).toBe('RecoveryRebootOnInstanceFailure5C09FBF5');
});

test('instance-recovered: the system status check failed in 2 consecutive minutes recovers the instance (same ID) and tells the alert topic', () => {
  expect(resources.RecoveryRecoverOnSystemFailure14E51E01!.Properties).toEqual({
    AlarmName: 'openclaw-test-prod-instance-recovered',
    AlarmDescription: alarmDescription(ALARMS.instanceRecovered),
    ...statusCheck('StatusCheckFailed_System'),
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 2,
    TreatMissingData: 'missing',
    ActionsEnabled: true,
    AlarmActions: [TOPIC_ARN, ec2Action('recover')],
    OKActions: [TOPIC_ARN],
  });
});

test('instance-rebooted: the instance status check failed in 3 consecutive minutes reboots the instance and tells the alert topic', () => {
  expect(resources.RecoveryRebootOnInstanceFailure5C09FBF5!.Properties).toEqual({
    AlarmName: 'openclaw-test-prod-instance-rebooted',
    AlarmDescription: alarmDescription(ALARMS.instanceRebooted),
    ...statusCheck('StatusCheckFailed_Instance'),
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 3,
    TreatMissingData: 'missing',
    ActionsEnabled: true,
    AlarmActions: [TOPIC_ARN, ec2Action('reboot')],
    OKActions: [TOPIC_ARN],
  });
});

test('acknowledges no finding', () => {
  expect(collectAcknowledgements(recovery)).toEqual([]);
});
