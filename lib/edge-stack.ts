import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from './config/schema';
import { DeploymentKey } from './constructs/deployment-key';
import { GatewayDistribution } from './constructs/gateway-distribution';
import { GatewayWebAcl } from './constructs/gateway-web-acl';
import { acknowledgeFinding } from './gate/acknowledge';

export interface EdgeStackProps extends StackProps {
  readonly config: ResolvedConfig;
  readonly instance: ec2.IInstance;
  /** `<prefix>-<client>-<env>`, for resource names. */
  readonly deploymentName: string;
}

/**
 * Everything CloudFront-scoped, in us-east-1: its own KMS key, the
 * origin-verify secret, the WAF web ACL and the distribution with its VPC
 * origin. Wired to the regional gateway stack by a CDK cross-region reference.
 */
export class EdgeStack extends Stack {
  readonly key: DeploymentKey;
  readonly originVerifySecret: secretsmanager.Secret;
  readonly webAcl: GatewayWebAcl;
  readonly gateway: GatewayDistribution;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { config } = props;
    const retainOnDelete = config.dataProtection.retainOnDelete;
    const retention = config.logs.retentionDays as logs.RetentionDays;
    this.key = new DeploymentKey(this, 'EdgeKey', {
      aliasName: `${config.project.prefix}/${config.client}/${config.env}/edge`,
      rotationPeriodDays: config.kms.rotationPeriodDays,
      retainOnDelete,
    });
    this.originVerifySecret = new secretsmanager.Secret(this, 'OriginVerify', {
      secretName: `${config.project.prefix}/${config.client}/${config.env}/origin-verify`,
      description: 'Value CloudFront sends in the origin-verify header; nginx refuses requests without it.',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: retainOnDelete ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const rule of ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled']) {
      acknowledgeFinding(
        this.originVerifySecret,
        rule,
        'Scheduled rotation (with nginx accepting the previous value during the overlap) arrives with the per-agent secrets work; until then operators rotate it by hand. This acknowledgement goes stale, and fails the gate, once rotation exists.',
      );
    }
    this.webAcl = new GatewayWebAcl(this, 'WebAcl', {
      waf: config.edge.waf,
      originVerifyHeader: config.edge.originVerifyHeader,
      name: props.deploymentName,
      key: this.key,
      logRetentionDays: retention,
      retainOnDelete,
    });
    this.gateway = new GatewayDistribution(this, 'Cdn', {
      edge: config.edge,
      instance: props.instance,
      webAclArn: this.webAcl.acl.attrArn,
      originVerifyValue: this.originVerifySecret.secretValue.unsafeUnwrap(),
      name: props.deploymentName,
      key: this.key,
      logRetentionDays: retention,
      retainOnDelete,
    });
    new CfnOutput(this, 'ViewerDomain', {
      value: this.gateway.distribution.distributionDomainName,
      description: 'CloudFront domain of the gateway. Without a custom domain, add https://<this> to edge.allowedOrigins for the browser control UI.',
    });
  }
}
