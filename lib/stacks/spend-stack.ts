import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from '../config/schema';
import { DeploymentBudgets } from '../spend/deployment-budgets';
import { KillSwitch } from '../spend/kill-switch';
import { SpendAlarms } from '../spend/spend-alarms';
import { hostMetricNamespace } from '../shared/naming';
import { ControlsDriftCheck } from '../alarms/controls-drift-check';
import { STACK_ROLES } from '../verify/deployed-stacks';
import { secretNamePrefix } from '../secrets/secrets-manifest';
import { verifySettings } from '../verify/settings';

export interface SpendStackProps extends StackProps {
  /** The resolved config of this client x environment. */
  readonly config: ResolvedConfig;
  /** `<prefix>-<client>-<env>`. */
  readonly deploymentName: string;
  /** The deployment key (core stack): encrypts the kill switch's log group and what it publishes to the alert topic. */
  readonly key: kms.IKey;
  /** The regional alert topic (core stack): budgets, spend alarms and the kill switch tell people here. */
  readonly alertTopic: sns.ITopic;
  /** The shutdown topic (core stack): the 100 % signals; the kill switch listens. */
  readonly shutdownTopic: sns.ITopic;
  /** The gateway host's instance ID (gateway stack): what the kill switch stops. */
  readonly instanceId: string;
  /** The gateway host's role name (gateway stack): what the kill switch denies secrets to. */
  readonly hostRoleName: string;
  /** The CloudFront distribution (us-east-1), disabled by the kill switch when configured. */
  readonly distributionId: string;
  /** The deployment's buckets (core and edge audit stores): the daily drift check reads their configuration. */
  readonly auditBucketNames: readonly string[];
}

/**
 * The spend circuit breaker of one client x environment, deployed last: AWS
 * Budgets (monthly and daily), the 1-minute model-spend alarms on what the
 * host meters, and the kill switch they trigger through the shutdown topic;
 * and, deployed last, the daily drift check of the whole deployment.
 */
export class SpendStack extends Stack {
  readonly budgets: DeploymentBudgets;
  readonly spendAlarms: SpendAlarms;
  readonly killSwitch: KillSwitch;
  readonly controlsDrift: ControlsDriftCheck;

  constructor(scope: Construct, id: string, props: SpendStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { config } = props;
    const spend = config.spend;
    const namespace = hostMetricNamespace(props.deploymentName);
    this.budgets = new DeploymentBudgets(this, 'Budgets', {
      deploymentName: props.deploymentName,
      monthlyUsd: spend.monthlyBudgetUsd,
      dailyUsd: spend.dailyBudgetUsd,
      alertTopicArn: props.alertTopic.topicArn,
      shutdownTopicArn: props.shutdownTopic.topicArn,
    });
    this.spendAlarms = new SpendAlarms(this, 'ModelSpend', {
      deploymentName: props.deploymentName,
      namespace,
      dailyLimitUsd: spend.modelDailyLimitUsd,
      monthlyLimitUsd: spend.modelMonthlyLimitUsd,
      alertTopic: props.alertTopic,
      shutdownTopic: props.shutdownTopic,
    });
    this.killSwitch = new KillSwitch(this, 'KillSwitch', {
      deploymentName: props.deploymentName,
      client: config.client,
      env: config.env,
      instanceId: props.instanceId,
      hostRoleName: props.hostRoleName,
      shutdownTopic: props.shutdownTopic,
      alertTopic: props.alertTopic,
      key: props.key,
      triggerAlarmNames: this.spendAlarms.limitAlarmNames,
      namespace,
      disableDistribution: spend.onShutdown.disableDistribution,
      distributionId: spend.onShutdown.disableDistribution ? props.distributionId : undefined,
      denySecrets: spend.onShutdown.denySecrets,
      dryRun: spend.dryRun,
      logRetentionDays: config.logs.retentionDays as logs.RetentionDays,
      retainOnDelete: config.dataProtection.retainOnDelete,
    });
    this.controlsDrift = new ControlsDriftCheck(this, 'ControlsDriftCheck', {
      deploymentName: props.deploymentName,
      // `<name>-<role>` (lib/deployment-stage.ts); the edge stack is in us-east-1.
      stacks: STACK_ROLES.map((role) => ({ stackName: `${props.deploymentName}-${role}`, role, region: role === 'edge' ? 'us-east-1' : config.aws.region })),
      settings: verifySettings(config),
      secretPrefix: secretNamePrefix(config),
      distributionId: props.distributionId,
      bucketNames: props.auditBucketNames,
      namespace,
      alertTopic: props.alertTopic,
      key: props.key,
      logRetentionDays: config.logs.retentionDays as logs.RetentionDays,
      retainOnDelete: config.dataProtection.retainOnDelete,
    });
  }
}
