import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from '../config/schema';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { AlertTopic } from '../alarms/alert-topic';
import { AuditStore } from '../audit/audit-store';
import { AuditTrail } from '../audit/audit-trail';
import { VPC_FLOW_LOG_PREFIX } from '../network/gateway-vpc';
import { LogArchive } from '../audit/log-archive';
import { TrailAlarms } from '../audit/trail-alarms';
import { DeploymentKey } from '../keys/deployment-key';
import { deploymentName, hostMetricNamespace } from '../shared/naming';

export interface CoreStackProps extends StackProps {
  /** The resolved config of this client x environment. */
  readonly config: ResolvedConfig;
}

/**
 * Resources every other stack of a client x environment builds on: the
 * deployment KMS key (secrets, logs and volumes are encrypted with it), the
 * alert topic of the region (every regional alarm notifies it) and the
 * shutdown topic (the kill switch's signals), the object-locked audit store,
 * CloudTrail with its alarms, and the log archive that exports log groups
 * into the audit store.
 */
export class CoreStack extends Stack {
  readonly key: DeploymentKey;
  readonly alerts: AlertTopic;
  /** The kill switch's topic: budgets and spend alarms at 100 % publish here. */
  readonly shutdown: AlertTopic;
  readonly audit: AuditStore;
  readonly trail: AuditTrail;
  readonly logArchive: LogArchive;

  constructor(scope: Construct, id: string, props: CoreStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.key = new DeploymentKey(this, 'DeploymentKey', {
      aliasName: `${config.project.prefix}/${config.client}/${config.env}`,
      rotationPeriodDays: config.kms.rotationPeriodDays,
      retainOnDelete: config.dataProtection.retainOnDelete,
    });
    const name = deploymentName(config);
    this.alerts = new AlertTopic(this, 'Alerts', { deploymentName: name, key: this.key, ...config.alerts });
    this.shutdown = new AlertTopic(this, 'Shutdown', { deploymentName: name, key: this.key, purpose: 'shutdown', email: [], sms: [], https: [] });
    this.alerts.allowBudgets(name);
    this.shutdown.allowBudgets(name);
    this.audit = new AuditStore(this, 'Audit', { config, key: this.key });
    this.audit.allowVendedLogs(`${VPC_FLOW_LOG_PREFIX}/`);
    this.trail = new AuditTrail(this, 'Trail', {
      deploymentName: name,
      bucket: this.audit.bucket,
      key: this.key,
      logRetentionDays: config.logs.retentionDays as logs.RetentionDays,
      retainOnDelete: config.dataProtection.retainOnDelete,
    });
    this.logArchive = new LogArchive(this, 'LogArchive', { deploymentName: name, bucket: this.audit.bucket, key: this.key });
    new TrailAlarms(this, 'TrailAlarms', { deploymentName: name, namespace: hostMetricNamespace(name), trailLogs: this.trail.logGroup, topic: this.alerts.topic });
  }
}
