import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { acknowledgeFinding } from '../gate/acknowledge';

export interface InstanceHardeningOptions {
  /** Encrypts the root volume. */
  readonly key: kms.IKey;
  /** Root volume size in GiB. */
  readonly rootVolumeGiB: number;
}

/**
 * Applies the controls every EC2 instance of the deployment carries, whoever
 * created it (our constructs or CDK's NAT provider): a launch template that
 * requires IMDSv2 with a hop limit of 1 (containers and proxies on the host
 * cannot reach the metadata service), basic monitoring (see below), a KMS-encrypted
 * gp3 root volume, and no EC2 API termination protection (see below).
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
  // No DisableApiTermination: CloudFormation replaces an instance by creating the new one
  // and then terminating the old one, which API termination protection refuses, failing
  // the update (a new AMI or bundle could never be rolled out). The stacks keep
  // CloudFormation termination protection (project.terminationProtection) and the
  // instances are reached only through CloudFormation and Session Manager.
  cfn.disableApiTermination = false;
  cfn.blockDeviceMappings = [
    {
      deviceName: '/dev/xvda',
      ebs: { encrypted: true, kmsKeyId: options.key.keyArn, volumeSize: options.rootVolumeGiB, volumeType: 'gp3', deleteOnTermination: true },
    },
  ];
  acknowledgeFinding(
    cfn,
    'AwsSolutions-EC29',
    'EC2 API termination protection would make CloudFormation fail to delete the old instance when a deliberate change (a new pinned AMI, a new bundle) replaces it. The stacks carry CloudFormation termination protection (project.terminationProtection, on in prod), and the instance is rebuilt from the deployment; its state does not live on the root volume.',
  );
  acknowledgeFinding(
    cfn,
    'cdk-validator-cfnguard::ec2_instance_nitro_encryption_in_transit_check',
    'The instance exchanges no traffic with other instances; all it carries is TLS end to end (viewer to CloudFront, host to APIs), so EC2 in-transit encryption between instances adds nothing.',
  );
  return template;
}

/**
 * The AMI is pinned in config per client and region (instance.amiId,
 * network.natAmiId), on purpose: a new AMI replaces the instance, so it must
 * be a config change `cdk diff` shows, never a side effect of the next deploy.
 * cfn-lint's portability warning about a literal AMI does not apply: each
 * template is synthesized for the one region its config names.
 */
export function acknowledgePinnedAmi(instance: ec2.Instance): void {
  acknowledgeFinding(
    instance,
    'CloudFormation-Validate::W9010',
    'The AMI is pinned on purpose in config (instance.amiId / network.natAmiId) for the one region this template is synthesized for; a new AMI replaces the instance, so it is a deliberate config change shown by cdk diff, never a new "latest" picked up on the next deploy.',
  );
}
