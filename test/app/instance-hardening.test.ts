import { NAG_PACKS } from '../support/nag-packs';
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Template } from 'aws-cdk-lib/assertions';
import { DeploymentKey } from '../../lib/keys/deployment-key';
import { acknowledgePinnedAmi, hardenInstance } from '../../lib/host/instance-hardening';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// hardenInstance on a bare instance (not the whole app): the launch template's metadata
// options (IMDSv2 required, hop limit 1, no tags in metadata), the encrypted gp3 root
// volume deleted with the instance, no API termination protection, basic monitoring, and
// exactly the acknowledgements it makes, pinned exactly.

const stack = new Stack(new App(), 'Gateway', { env: { account: '123456789012', region: 'eu-west-1' } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
const key = new DeploymentKey(stack, 'Key', { aliasName: 'openclaw/test/prod' });
const instance = new ec2.Instance(stack, 'Host', {
  vpc,
  instanceType: new ec2.InstanceType('t4g.small'),
  machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-0fedcba9876543210' }),
});
const launchTemplate = hardenInstance(instance, { key, rootVolumeGiB: 16 });
acknowledgePinnedAmi(instance);
const template = Template.fromStack(stack);
const idOf = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnResource);

test('the instance: launch template attached, basic monitoring, no API termination protection, encrypted gp3 root volume of the given size', () => {
  const props = template.toJSON().Resources[idOf(instance)].Properties as Record<string, unknown>;
  expect(props.LaunchTemplate).toEqual({ LaunchTemplateId: { Ref: idOf(launchTemplate) }, Version: { 'Fn::GetAtt': [idOf(launchTemplate), 'LatestVersionNumber'] } });
  expect(props.Monitoring).toBe(false);
  expect(props.DisableApiTermination).toBe(false);
  expect(props.BlockDeviceMappings).toEqual([
    { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, KmsKeyId: { 'Fn::GetAtt': [idOf(key), 'Arn'] }, VolumeSize: 16, VolumeType: 'gp3', DeleteOnTermination: true } },
  ]);
});

test('the launch template requires IMDSv2 with a hop limit of 1, keeps tags out of the metadata and turns detailed monitoring off', () => {
  const data = (template.toJSON().Resources[idOf(launchTemplate)].Properties as { LaunchTemplateData: Record<string, unknown> }).LaunchTemplateData;
  expect(data.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled', InstanceMetadataTags: 'disabled' });
  expect(data.Monitoring).toEqual({ Enabled: false });
});

test('acknowledges exactly the detailed-monitoring, termination-protection, in-transit and pinned-AMI findings, each with its reason', () => {
  const acks = collectAcknowledgements(stack).filter((a) => a.madeBy === 'blueprint');
  expect(acks.map((a) => [a.path, a.rule])).toEqual([
    ['Gateway/Host/Resource', 'AwsSolutions-EC28'],
    ['Gateway/Host/Resource', 'HIPAA.Security-EC2InstanceDetailedMonitoringEnabled'],
    ['Gateway/Host/Resource', 'cdk-validator-cfnguard::ec2_instance_detailed_monitoring_enabled_check'],
    ['Gateway/Host/Resource', 'AwsSolutions-EC29'],
    ['Gateway/Host/Resource', 'cdk-validator-cfnguard::ec2_instance_nitro_encryption_in_transit_check'],
    ['Gateway/Host/Resource', 'CloudFormation-Validate::W9010'],
    ['Gateway/Host/MetadataOptions/Resource', 'cdk-validator-cfnguard::ec2_launch_template_monitoring_enabled_check'],
  ]);
  const reason = (rule: string) => acks.find((a) => a.rule === rule)!.reason;
  expect(reason('AwsSolutions-EC28')).toMatch(/^No alarm reads 1-minute EC2 metrics/);
  expect(reason('cdk-validator-cfnguard::ec2_launch_template_monitoring_enabled_check')).toBe(reason('AwsSolutions-EC28'));
  expect(reason('AwsSolutions-EC29')).toMatch(/^EC2 API termination protection would make CloudFormation fail/);
  expect(reason('cdk-validator-cfnguard::ec2_instance_nitro_encryption_in_transit_check')).toMatch(/^The instance exchanges no traffic with other instances/);
  expect(reason('CloudFormation-Validate::W9010')).toMatch(/^The AMI is pinned on purpose in config/);
});

test.each(NAG_PACKS)('%s reports nothing on the hardened instance', (_name, pack) => {
  const violations = pack().validateScope(instance).violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.locations).join()}`);
  expect(violations).toEqual([]);
});
