import { Duration, Stack } from 'aws-cdk-lib';
import { functionLogGroup } from '../shared/function-log-group';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ALARMS } from '../alarms/alarm-catalogue';
import { lambdaCode } from '../bundling/lambda-code';
import { ActionsWithoutResourcePolicy } from '../shared/actions-without-resource-policy';
import { ebsKeyThroughEc2 } from '../keys/ebs-key-through-ec2';
import { acknowledgeFinding, acknowledgeLambdaFindings } from '../gate/acknowledge';
import { RunbookAlarm } from '../alarms/runbook-alarm';
import { KILL_SWITCH_METRIC } from '../shared/metric-names';
import { killSwitchDenySecretsStatement, killSwitchWildcardStatements } from './kill-switch-statements';

export interface KillSwitchProps {
  /** `<prefix>-<client>-<env>`: names the function, its queue, parameter and deny policy. */
  readonly deploymentName: string;
  /** The client (config client): the function's CLIENT, for its messages and the restore command. */
  readonly client: string;
  /** The environment (config env): the function's ENV, for its messages and the restore command. */
  readonly env: string;
  /** The gateway host's instance ID (this region): what a kill stops. */
  readonly instanceId: string;
  /** The gateway host's role name: what the deny-secrets policy is attached to. */
  readonly hostRoleName: string;
  /** Signals: the shutdown topic (budgets and spend alarms at 100 %). */
  readonly shutdownTopic: sns.ITopic;
  /** Told what the kill switch did; its alarms notify it too. */
  readonly alertTopic: sns.ITopic;
  /** The key the topics are encrypted with (the kill switch publishes to the alert topic). */
  readonly key: kms.IKey;
  /** The 100 % spend alarms whose ALARM messages stop the gateway host (others are ignored). */
  readonly triggerAlarmNames: readonly string[];
  /** OpenClaw/<name>: KillSwitchExecuted goes there. */
  readonly namespace: string;
  /** Disable the CloudFront distribution on a kill (config spend.onShutdown.disableDistribution). */
  readonly disableDistribution: boolean;
  /**
   * The CloudFront distribution (us-east-1) a kill disables: required when disableDistribution.
   * @default - none: no distribution is touched
   */
  readonly distributionId?: string;
  /** Deny the host role its secrets on a kill (config spend.onShutdown.denySecrets). */
  readonly denySecrets: boolean;
  /** Record and report what a kill would do without doing it (config spend.dryRun). */
  readonly dryRun: boolean;
  /** How long the function's log group keeps events (config logs.retentionDays). */
  readonly logRetentionDays: logs.RetentionDays;
  /** Keep the function's log group when it leaves the stack. Only the data-destruction opt-in turns this off. @default true */
  readonly retainOnDelete?: boolean;
}

/**
 * The kill switch of one client x environment (lambda/kill-switch/): on a
 * 100 % signal from the shutdown topic, or invoked by an operator
 * (`npm run kill`), it stops the gateway host (never terminates it),
 * optionally disables the CloudFront distribution and denies the host role
 * its secrets (below), records what it did in an SSM parameter, publishes
 * KillSwitchExecuted and tells the alert topic. `npm run restore` invokes it
 * to undo that after review. Its role can touch only this deployment's
 * instance, role, distribution, parameter and topic. Failed signals are
 * retried twice and then land in a dead-letter queue; both failures and
 * dead letters raise kill-switch-failed.
 *
 * Deny secrets (denySecrets): this construct creates the managed policy
 * `<name>-kill-switch-deny-secrets` (in the Spend stack, attached to no one);
 * a kill attaches it to the host role (iam:AttachRolePolicy, idempotent) and
 * restore detaches it (iam:DetachRolePolicy; NoSuchEntity when it is not
 * attached). The kill switch may make those two calls only on the host role's
 * ARN and only under ArnEquals iam:PolicyARN = this policy: AWS's service
 * authorization reference documents iam:PolicyARN for both, and no key naming
 * the policy for PutRolePolicy/DeleteRolePolicy. What that means in AWS:
 * - IAM evaluates a role's policies on every request, so the deny also applies
 *   to credentials the host already holds (IAM User Guide, "Permissions for
 *   temporary security credentials"), after IAM's propagation delay.
 * - IAM's default quota is 10 managed policies per role; the host role has 4
 *   (test/app/spend.test.ts pins it). At the quota the attach fails with
 *   LimitExceeded and the kill counts as failed.
 * - While attached, IAM refuses to delete the policy (DeleteConflict): `cdk destroy`,
 *   which deletes the Spend stack before the Gateway stack, or a deploy that turns
 *   denySecrets off, may fail on it (whether CloudFormation detaches it first was
 *   not checked offline). Restore (or detach it) first.
 * - Its name and description are replacement properties; a custom-named
 *   policy cannot be replaced by an update. Keep both.
 * - Whether CloudFormation's update of the host role's ManagedPolicyArns
 *   detaches a policy attached outside the template could not be checked
 *   offline (the IAM resource provider's source was not available): the
 *   runbook has the operator check and re-run the kill after such a deploy.
 */
export class KillSwitch extends Construct {
  readonly function: lambda.Function;
  readonly deadLetters: sqs.Queue;
  readonly state: ssm.StringParameter;
  readonly alarms: RunbookAlarm[] = [];
  /** The deny-secrets policy (when denySecrets): attached to the host role by a kill, detached by restore. */
  readonly denyPolicy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: KillSwitchProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = `${props.deploymentName}-kill-switch`;
    if (props.disableDistribution && !props.distributionId) throw new Error('KillSwitch: disableDistribution needs the distribution id');

    this.deadLetters = new sqs.Queue(this, 'DeadLetters', {
      queueName: `${name}-dead-letters`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.state = new ssm.StringParameter(this, 'State', {
      parameterName: `/openclaw/${props.deploymentName}/kill-switch`,
      description: `What the kill switch of ${props.deploymentName} last did (JSON); written only by it`,
      stringValue: JSON.stringify({ state: 'armed' }),
    });
    const logGroup = functionLogGroup(this, { functionName: name, key: props.key, logRetentionDays: props.logRetentionDays, retainOnDelete: props.retainOnDelete });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Kill switch of ${props.deploymentName}: its instance, role, distribution, parameter and topic only`,
    });
    const instanceArn = stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: props.instanceId });
    // The two grants that take Resource * (their actions support no resource ARN), in a policy of
    // their own: its IAM5 acknowledgement covers exactly these, and a test pins its statements.
    const wildcardPolicy = new ActionsWithoutResourcePolicy(this, 'ActionsWithoutResourcePolicy', {
      description: `Kill switch of ${props.deploymentName}: the actions that support no resource ARN`,
      statements: killSwitchWildcardStatements(props.namespace),
      reason: 'Only ec2:DescribeInstances (no resource-level permissions) and cloudwatch:PutMetricData (confined by the cloudwatch:namespace condition to this deployment) take Resource *.',
    });
    const statements = [
      new iam.PolicyStatement({ sid: 'StopAndStartTheGatewayOnly', actions: ['ec2:StopInstances', 'ec2:StartInstances'], resources: [instanceArn] }),
      // Starting an instance whose volume is encrypted with the deployment key needs the key, through EC2 only.
      ...ebsKeyThroughEc2(this, props.key, 'StartTheEncryptedVolumeThroughEc2'),
      new iam.PolicyStatement({
        sid: 'RecordWhatItDid',
        actions: ['ssm:GetParameter', 'ssm:PutParameter'],
        resources: [this.state.parameterArn],
      }),
      new iam.PolicyStatement({ sid: 'TellTheAlertTopic', actions: ['sns:Publish'], resources: [props.alertTopic.topicArn] }),
      new iam.PolicyStatement({
        sid: 'EncryptForTheAlertTopic',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.amazonaws.com` } },
      }),
      new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      new iam.PolicyStatement({ sid: 'DeadLetterFailedSignals', actions: ['sqs:SendMessage'], resources: [this.deadLetters.queueArn] }),
    ];
    if (props.denySecrets) {
      // Created here and attached by nobody: the kill switch attaches it to the host role and
      // restore detaches it. AttachRolePolicy and DetachRolePolicy document iam:PolicyARN (the
      // ARN in the request); PutRolePolicy and DeleteRolePolicy document no key naming the policy.
      this.denyPolicy = new iam.ManagedPolicy(this, 'DenySecrets', {
        // Unique per deployment in the account, and readable where it shows: on the host role.
        // Name and description are replacement properties: change neither while the policy is attached.
        managedPolicyName: `${props.deploymentName}-kill-switch-deny-secrets`,
        description: `Kill switch of ${props.deploymentName}: attached to the host role when killed, the host cannot read secrets`,
        statements: [killSwitchDenySecretsStatement()],
      });
      statements.push(
        new iam.PolicyStatement({
          sid: 'AttachAndDetachTheDenyPolicyOnTheHostRoleOnly',
          actions: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
          resources: [stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: props.hostRoleName })],
          conditions: { ArnEquals: { 'iam:PolicyARN': this.denyPolicy.managedPolicyArn } },
        }),
      );
    }
    if (props.disableDistribution) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DisableAndEnableTheDistributionOnly',
          actions: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
          resources: [stack.formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: props.distributionId })],
        }),
      );
    }
    // Every other grant names its resources: this policy carries no IAM5 acknowledgement.
    const policy = new iam.ManagedPolicy(this, 'Policy', { description: `Kill switch of ${props.deploymentName}`, statements });
    role.addManagedPolicy(policy);
    role.addManagedPolicy(wildcardPolicy);

    this.function = new lambda.Function(this, 'Function', {
      functionName: name,
      description: `Kill switch of ${props.deploymentName}: stops the gateway on a 100 % spend signal; npm run kill / restore`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambdaCode('kill-switch'),
      // Every grant is in the managed policy above; nothing may add an inline one.
      role: role.withoutPolicyUpdates(),
      timeout: Duration.minutes(2),
      memorySize: 256,
      logGroup,
      deadLetterQueue: this.deadLetters,
      retryAttempts: 2,
      environment: {
        CLIENT: props.client,
        ENV: props.env,
        INSTANCE_IDS: props.instanceId,
        INSTANCE_REGION: stack.region,
        ALERT_TOPIC_ARN: props.alertTopic.topicArn,
        STATE_PARAMETER: this.state.parameterName,
        METRIC_NAMESPACE: props.namespace,
        TRIGGER_ALARMS: props.triggerAlarmNames.join(','),
        DISABLE_DISTRIBUTION: String(props.disableDistribution),
        ...(props.disableDistribution ? { DISTRIBUTION_ID: props.distributionId! } : {}),
        DENY_SECRETS: String(props.denySecrets),
        ...(this.denyPolicy !== undefined ? { HOST_ROLE_NAME: props.hostRoleName, DENY_POLICY_ARN: this.denyPolicy.managedPolicyArn } : {}),
        DRY_RUN: String(props.dryRun),
      },
    });
    this.function.node.addDependency(policy, wildcardPolicy);
    // The shutdown topic invokes it, for this account only; a delivery SNS cannot make lands in the dead-letter queue.
    this.function.addPermission('InvokedByTheShutdownTopic', {
      principal: new iam.ServicePrincipal('sns.amazonaws.com'),
      sourceArn: props.shutdownTopic.topicArn,
      sourceAccount: stack.account,
    });
    new sns.Subscription(this, 'ShutdownSignals', {
      topic: props.shutdownTopic,
      protocol: sns.SubscriptionProtocol.LAMBDA,
      endpoint: this.function.functionArn,
      deadLetterQueue: this.deadLetters,
    });
    acknowledgeFinding(
      this.deadLetters.node.defaultChild as sqs.CfnQueue,
      'cdk-validator-cfnguard::sqs_dlq_check',
      'This queue is itself the dead-letter queue of the kill switch; a dead-letter queue behind it would only move the same failed signals again. Its depth raises the kill-switch-failed alarm.',
    );

    const alerting = { deploymentName: props.deploymentName, topic: props.alertTopic };
    this.alarms.push(
      new RunbookAlarm(this, 'Executed', {
        ...alerting,
        alarm: ALARMS.killSwitchExecuted,
        metric: new cloudwatch.Metric({ namespace: props.namespace, metricName: KILL_SWITCH_METRIC, statistic: 'Sum', period: Duration.minutes(1) }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new RunbookAlarm(this, 'Failed', {
        ...alerting,
        alarm: ALARMS.killSwitchFailed,
        metric: new cloudwatch.MathExpression({
          expression: 'errors + deadLetters',
          usingMetrics: {
            errors: this.function.metricErrors({ statistic: 'Sum', period: Duration.minutes(1) }),
            deadLetters: this.deadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
          },
          period: Duration.minutes(1),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    this.acknowledge();
  }

  private acknowledge(): void {
    const fn = this.function.node.defaultChild as lambda.CfnFunction;
    acknowledgeLambdaFindings(fn, {
      outsideVpc:
        'The kill switch calls only AWS APIs (EC2, IAM, CloudFront, SSM, SNS); outside a VPC it keeps working when the VPC, its NAT or the DNS firewall is what failed, and its role reaches only this deployment.',
      noReservedConcurrency:
        'Reserving concurrency fails the deploy in new accounts whose quota is 10 (AWS keeps 10 unreserved); the kill switch runs a few times a month at most, and failed signals are retried and dead-lettered with an alarm.',
    });
  }
}
