import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from '../config/schema';
import { DeploymentKey } from '../keys/deployment-key';
import { GatewayDistribution } from '../edge/gateway-distribution';
import { GatewayWebAcl } from '../edge/gateway-web-acl';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { ALARMS } from '../alarms/alarm-catalogue';
import { AlertTopic } from '../alarms/alert-topic';
import { AuditStore, auditBucketNameForWaf } from '../audit/audit-store';
import { HardenedSecret } from '../secrets/hardened-secret';
import { RunbookAlarm } from '../alarms/runbook-alarm';
import { SecretRotation } from '../secrets/secret-rotation';
import { originVerifySecretName } from '../secrets/secrets-manifest';

export interface EdgeStackProps extends StackProps {
  /** The resolved config of this client x environment. */
  readonly config: ResolvedConfig;
  /** The gateway host (gateway stack): the VPC origin and the origin-verify rotation's refresh target. */
  readonly instance: ec2.IInstance;
  /** The gateway host's role: the only reader of the origin-verify value besides break-glass. */
  readonly hostRoleArn: string;
  /** The SSM document that makes the host re-read its secrets (in the host's region). */
  readonly refreshDocumentName: string;
  /** `<prefix>-<client>-<env>`, for resource names. */
  readonly deploymentName: string;
}

/**
 * Everything CloudFront-scoped, in us-east-1: its own KMS key, the
 * origin-verify secret with its scheduled rotation, the WAF web ACL and its
 * block-spike alarm, the distribution with its VPC origin, and the us-east-1
 * alert topic and object-locked audit store (WAF and CloudFront logs). Wired
 * to the regional Gateway stack by a CDK cross-region reference.
 */
export class EdgeStack extends Stack {
  readonly key: DeploymentKey;
  readonly originVerifySecret: HardenedSecret;
  readonly originVerifyRotation: SecretRotation;
  /** The us-east-1 alert topic: alarms notify only a topic in their own region. */
  readonly alerts: AlertTopic;
  readonly webAcl: GatewayWebAcl;
  /** The object-locked us-east-1 audit store: WAF and CloudFront logs. */
  readonly audit: AuditStore;
  /** The CloudFront distribution in front of the gateway host (construct id `Cdn`). */
  readonly cdn: GatewayDistribution;

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
    this.originVerifySecret = new HardenedSecret(this, 'OriginVerify', {
      secretName: originVerifySecretName(config),
      description: 'Value CloudFront sends in the origin-verify header; nginx refuses requests without it. Rotated on a schedule without downtime.',
      key: this.key,
      initialValue: 'generated',
      readers: [props.hostRoleArn],
      breakGlassRoleName: config.breakGlass.roleName,
      retainOnDelete,
    });
    this.audit = new AuditStore(this, 'Audit', { config, key: this.key, bucketName: auditBucketNameForWaf(props.deploymentName, config.aws.account) });
    // WAF (S3 logging) and CloudFront (standard logging v2) deliver through CloudWatch Logs' delivery service.
    this.audit.allowVendedLogs('AWSLogs/');
    this.webAcl = new GatewayWebAcl(this, 'WebAcl', {
      waf: config.edge.waf,
      originVerifyHeader: config.edge.originVerifyHeader,
      name: props.deploymentName,
      logBucketArn: this.audit.bucket.bucketArn,
    });
    this.cdn = new GatewayDistribution(this, 'Cdn', {
      edge: config.edge,
      instance: props.instance,
      webAclArn: this.webAcl.acl.attrArn,
      // CloudFormation resolves the reference with this stack's execution role: the secret lets it read the value.
      originVerifyValue: this.originVerifySecret.resolvedAtDeployIn(this).unsafeUnwrap(),
      name: props.deploymentName,
      auditBucketArn: this.audit.bucket.bucketArn,
    });
    this.originVerifyRotation = new SecretRotation(this, 'OriginVerifyRotation', {
      secret: this.originVerifySecret,
      key: this.key,
      kind: 'origin-verify',
      rotationDays: config.secrets.rotationDays,
      deploymentName: props.deploymentName,
      hostInstanceId: props.instance.instanceId,
      hostRegion: config.aws.region,
      refreshDocumentName: props.refreshDocumentName,
      distribution: { distributionId: this.cdn.distribution.distributionId, originHeader: config.edge.originVerifyHeader },
      logRetentionDays: retention,
      retainOnDelete,
    });
    // `<name>-edge-alerts`: with aws.region us-east-1 the core stack's `<name>-alerts` is in this region too.
    this.alerts = new AlertTopic(this, 'Alerts', { deploymentName: props.deploymentName, stackPart: 'edge', key: this.key, ...config.alerts });
    new RunbookAlarm(this, 'WafBlocksSpike', {
      alarm: ALARMS.wafBlocksSpike,
      deploymentName: props.deploymentName,
      topic: this.alerts.topic,
      // CloudFront-scoped web ACLs report without a Region dimension; Rule ALL sums every rule.
      metric: new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { WebACL: props.deploymentName, Rule: 'ALL' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: config.alerts.thresholds.wafBlockedRequests,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    new CfnOutput(this, 'ViewerDomain', {
      value: this.cdn.distribution.distributionDomainName,
      description: 'CloudFront domain of the gateway. Without a custom domain, add https://<this> to edge.allowedOrigins for the browser control UI.',
    });
  }
}
