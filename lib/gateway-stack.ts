import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from './config/schema';
import { GatewayInstance } from './constructs/gateway-instance';
import { GatewayRole } from './constructs/gateway-role';
import { InstanceRecovery } from './constructs/instance-recovery';
import { SessionLogging } from './constructs/session-logging';

export interface GatewayStackProps extends StackProps {
  readonly config: ResolvedConfig;
  readonly key: kms.IKey;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  /** `<prefix>-<client>-<env>`, for resource names. */
  readonly deploymentName: string;
}

/** The gateway host, its least-privilege role, recorded break-glass sessions and self-healing. */
export class GatewayStack extends Stack {
  readonly role: GatewayRole;
  readonly instance: GatewayInstance;
  readonly sessions: SessionLogging;
  readonly recovery: InstanceRecovery;

  constructor(scope: Construct, id: string, props: GatewayStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.role = new GatewayRole(this, 'HostRole', {
      secretPrefix: `${config.project.prefix}/${config.client}/${config.env}`,
      deploymentName: props.deploymentName,
      keys: [props.key],
    });
    this.instance = new GatewayInstance(this, 'Gateway', {
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      key: props.key,
      role: this.role,
      instanceType: config.instance.type,
      rootVolumeGiB: config.instance.rootVolumeGiB,
      terminationProtection: config.project.terminationProtection,
    });
    this.sessions = new SessionLogging(this, 'SessionLogging', {
      deploymentName: props.deploymentName,
      key: props.key,
      retentionDays: config.logs.retentionDays as logs.RetentionDays,
      retainOnDelete: config.dataProtection.retainOnDelete,
    });
    this.recovery = new InstanceRecovery(this, 'Recovery', { instance: this.instance });
  }
}
