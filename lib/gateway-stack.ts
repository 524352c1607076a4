import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from './config/schema';
import { GatewayInstance } from './constructs/gateway-instance';

export interface GatewayStackProps extends StackProps {
  readonly config: ResolvedConfig;
  readonly key: kms.IKey;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
}

/** The gateway host. */
export class GatewayStack extends Stack {
  readonly instance: GatewayInstance;

  constructor(scope: Construct, id: string, props: GatewayStackProps) {
    super(scope, id, props);
    this.instance = new GatewayInstance(this, 'Gateway', {
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      key: props.key,
      instanceType: props.config.instance.type,
      rootVolumeGiB: props.config.instance.rootVolumeGiB,
      terminationProtection: props.config.project.terminationProtection,
    });
  }
}
