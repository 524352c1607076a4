import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { acknowledgeFinding } from '../gate/acknowledge';

export interface InstanceHardeningOptions {
  /** Encrypts the root volume. */
  readonly key: kms.IKey;
  /** Refuse API termination. */
  readonly terminationProtection: boolean;
  /** Root volume size in GiB. */
  readonly rootVolumeGiB: number;
}

/**
 * Applies the controls every EC2 instance of the deployment carries, whoever
 * created it (our constructs or CDK's NAT provider): a launch template that
 * requires IMDSv2 with a hop limit of 1 (containers and proxies on the host
 * cannot reach the metadata service), basic monitoring (see below), a KMS-encrypted
 * gp3 root volume, and termination protection where asked.
 */
export function hardenInstance(instance: ec2.Instance, options: InstanceHardeningOptions): ec2.LaunchTemplate {
  const cfn = instance.node.defaultChild as ec2.CfnInstance;
  const template = new ec2.LaunchTemplate(instance, 'MetadataOptions', {
    requireImdsv2: true,
    httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
    httpPutResponseHopLimit: 1,
    httpEndpoint: true,
    instanceMetadataTags: false,
    // Basic (5-minute) EC2 metrics: nothing here reads the 1-minute ones. The recovery
    // alarms use status checks, which are 1-minute without detailed monitoring, and the
    // gateway's health comes from the host's own GatewayHealthy every minute. Detailed
    // monitoring would add $2.10 a month per instance (7 metrics) for no alarm.
    detailedMonitoring: false,
  });
  cfn.launchTemplate = { launchTemplateId: template.launchTemplateId, version: template.latestVersionNumber };
  cfn.monitoring = false;
  const noDetail =
    'No alarm reads 1-minute EC2 metrics: recovery uses status checks (1-minute without detailed monitoring) and gateway health the host\'s own GatewayHealthy every minute; detailed monitoring would add $2.10 a month per instance to a deployment with a $45 cost goal.';
  for (const rule of ['AwsSolutions-EC28', 'HIPAA.Security-EC2InstanceDetailedMonitoringEnabled', 'cdk-validator-cfnguard::ec2_instance_detailed_monitoring_enabled_check']) acknowledgeFinding(cfn, rule, noDetail);
  acknowledgeFinding(template.node.defaultChild as ec2.CfnLaunchTemplate, 'cdk-validator-cfnguard::ec2_launch_template_monitoring_enabled_check', noDetail);
  cfn.disableApiTermination = options.terminationProtection;
  cfn.blockDeviceMappings = [
    {
      deviceName: '/dev/xvda',
      ebs: { encrypted: true, kmsKeyId: options.key.keyArn, volumeSize: options.rootVolumeGiB, volumeType: 'gp3', deleteOnTermination: true },
    },
  ];
  if (!options.terminationProtection) {
    acknowledgeFinding(
      cfn,
      'AwsSolutions-EC29',
      'Termination protection follows project.terminationProtection (on in prod); elsewhere it would block stack deletion, and the host holds no state that is not rebuilt from the deployment.',
    );
  }
  acknowledgeFinding(
    cfn,
    'cdk-validator-cfnguard::ec2_instance_nitro_encryption_in_transit_check',
    'The instance exchanges no traffic with other instances; all it carries is TLS end to end (viewer to CloudFront, host to APIs), so EC2 in-transit encryption between instances adds nothing.',
  );
  return template;
}
