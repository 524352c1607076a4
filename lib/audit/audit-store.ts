import * as crypto from 'crypto';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ResolvedConfig } from '../config/schema';
import { AccessLogBucket } from './access-log-bucket';
import { AuditBucket } from './audit-bucket';

export interface AuditStoreProps {
  /** The resolved config: config.audit (lock and lifecycle), breakGlass.roleName and dataProtection.retainOnDelete. */
  readonly config: ResolvedConfig;
  /** The customer-managed key of the region (deployment key, or edge key in us-east-1). */
  readonly key: kms.IKey;
  /** @default - a name CloudFormation generates (the us-east-1 store needs aws-waf-logs-...: auditBucketNameForWaf) */
  readonly bucketName?: string;
}

/**
 * `aws-waf-logs-<deployment>-<account>`, as WAF requires of an S3 log
 * destination; shortened with a hash to S3's 63 characters when needed.
 */
export function auditBucketNameForWaf(deploymentName: string, account: string): string {
  const full = `aws-waf-logs-${deploymentName}-${account}`;
  if (full.length <= 63) return full;
  const hash = crypto.createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, 63 - 9)}-${hash}`;
}

/**
 * The tamper-evident log store of one region: an object-locked audit bucket
 * (COMPLIANCE in prod, GOVERNANCE in dev and staging; retention from
 * config.audit) and the one unlocked bucket beside it that receives the audit
 * bucket's server access logs (S3 cannot deliver those to a locked bucket).
 */
export class AuditStore extends Construct {
  readonly accessLogs: AccessLogBucket;
  readonly bucket: AuditBucket;
  private readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: AuditStoreProps) {
    super(scope, id);
    const { config } = props;
    const retainOnDelete = config.dataProtection.retainOnDelete;
    this.accessLogs = new AccessLogBucket(this, 'AccessLogs', { breakGlassRoleName: config.breakGlass.roleName, retainOnDelete });
    this.bucket = new AuditBucket(this, 'Bucket', {
      lockMode: config.audit.lockMode,
      lockRetentionDays: config.audit.lockRetentionDays,
      key: props.key,
      accessLogs: this.accessLogs,
      infrequentAccessAfterDays: config.audit.infrequentAccessAfterDays,
      glacierAfterDays: config.audit.glacierAfterDays,
      breakGlassRoleName: config.breakGlass.roleName,
      retainOnDelete,
      bucketName: props.bucketName,
    });
    this.key = props.key;
    new CfnOutput(this, 'AuditBucketName', { value: this.bucket.bucketName, description: 'The object-locked audit bucket of this region (docs/runbooks.md).' });
  }

  /**
   * Lets CloudWatch Logs' vended-log delivery (VPC flow logs, WAF, CloudFront
   * standard logging v2) of this account and region write under `prefix`,
   * encrypting with the store's key. Each call adds the same key policy
   * statement; CDK's policy document keeps one copy of identical statements.
   */
  allowVendedLogs(prefix: string): void {
    const stack = Stack.of(this);
    const sources = `arn:${stack.partition}:logs:${stack.region}:${stack.account}:*`;
    this.bucket.allowLogDeliveryService({ servicePrincipal: 'delivery.logs.amazonaws.com', prefix, sourceAccount: stack.account, sourceArn: sources });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowLogDeliveryOfThisAccountToEncryptAuditObjects',
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': sources } },
      }),
    );
  }
}
