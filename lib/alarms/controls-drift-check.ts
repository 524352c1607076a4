import * as zlib from 'zlib';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { StackLocation } from '../../lambda/verify-controls/env';
import { lambdaCode } from '../bundling/lambda-code';
import { acknowledgeFinding, acknowledgeLambdaFindings, nagPartition } from '../gate/acknowledge';
import { ActionsWithoutResourcePolicy } from '../shared/actions-without-resource-policy';
import { functionLogGroup } from '../shared/function-log-group';
import type { LiveCheck } from '../verify/live-check';
import type { VerifySettings } from '../verify/settings';
import { ALARMS } from './alarm-catalogue';
import { CONTROLS_DRIFTED_METRIC, dailyChecks, dailyIamActions } from './controls-drift';
import { dailyGrants, scopedStatements, withoutResourceStatements, type DailyGrants } from './controls-drift-policy';
import { RunbookAlarm } from './runbook-alarm';

/** Lambda's limit on the total size of a function's environment variables (keys and values). */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** When the check runs: every day at 06:00 UTC (after the night's deploys, before a working day). */
export const DEFAULT_DRIFT_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '6' });

export interface ControlsDriftCheckProps {
  /** `<prefix>-<client>-<env>`: names the function and the alarm. */
  readonly deploymentName: string;
  /** The deployment's five stacks and their regions: whose templates it reads and whose resources it checks. */
  readonly stacks: readonly StackLocation[];
  /** verifySettings(config): what the checks expect beyond the templates (passed as JSON). */
  readonly settings: VerifySettings;
  /** OpenClaw/<name>: ControlDrifted and ControlsDrifted go there. */
  readonly namespace: string;
  /** The alert topic of this region: the controls-drifted alarm tells it. */
  readonly alertTopic: sns.ITopic;
  /** The deployment key: encrypts the function's log group. */
  readonly key: kms.IKey;
  /** How long the function's log group keeps events (config logs.retentionDays). */
  readonly logRetentionDays: logs.RetentionDays;
  /** Keep the function's log group when it leaves the stack. @default true */
  readonly retainOnDelete?: boolean;
  /** The checks it runs (and is granted for). @default every daily live check (dailyChecks()) */
  readonly checks?: readonly LiveCheck[];
  /** `<prefix>/<client>/<env>`: the deployment's secrets are named under it. */
  readonly secretPrefix: string;
  /** The CloudFront distribution's ID, when a daily check reads it. @default - none */
  readonly distributionId?: string;
  /** The deployment's buckets (the audit stores of the core and edge stacks), when a daily check reads them. @default - none */
  readonly bucketNames?: readonly string[];
  /** @default DEFAULT_DRIFT_SCHEDULE */
  readonly schedule?: events.Schedule;
}

/**
 * The daily drift check of one client x environment (issue 14): a function
 * (lambda/verify-controls/) that runs the read-only live checks on a schedule
 * and publishes one metric per control plus ControlsDrifted, and ONE alarm,
 * controls-drifted, on ControlsDrifted >= 1 over a day, a missing day counting
 * as drift (the check itself stopped). Its role is derived from the checks'
 * declared IAM actions (lib/alarms/controls-drift-policy.ts): scoped to this
 * deployment's resources, Resource "*" only for actions without a resource ARN.
 */
export class ControlsDriftCheck extends Construct {
  readonly function: lambda.Function;
  readonly alarm: RunbookAlarm;
  readonly grants: DailyGrants;

  constructor(scope: Construct, id: string, props: ControlsDriftCheckProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = `${props.deploymentName}-verify-controls`;
    const checks = props.checks ?? dailyChecks();
    const actions = dailyIamActions(checks);
    const scopeCtx = { account: stack.account, deploymentName: props.deploymentName, stacks: props.stacks, secretPrefix: props.secretPrefix, distributionId: props.distributionId, bucketNames: props.bucketNames };
    this.grants = dailyGrants(actions, { ...scopeCtx, partition: stack.partition });

    const logGroup = functionLogGroup(this, { functionName: name, key: props.key, logRetentionDays: props.logRetentionDays, retainOnDelete: props.retainOnDelete });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Daily drift check of ${props.deploymentName}: reads this deployment only`,
    });
    const wildcardPolicy = new ActionsWithoutResourcePolicy(this, 'ActionsWithoutResourcePolicy', {
      description: `Daily drift check of ${props.deploymentName}: the actions that support no resource ARN`,
      statements: withoutResourceStatements(this.grants, props.namespace),
      reason:
        'Only actions AWS documents without a required resource type (derived from the daily checks\' declared actions and checked against the service authorization reference) and cloudwatch:PutMetricData (confined by cloudwatch:namespace to this deployment) take Resource *; all of them read, none writes except the metric.',
    });
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Daily drift check of ${props.deploymentName}`,
      statements: [
        ...scopedStatements(this.grants),
        new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      ],
    });
    // Each ARN with a "*" (a stack ID assigned at creation, ...) is its own finding, acknowledged with its scope's reason.
    for (const w of dailyGrants(actions, { ...scopeCtx, partition: nagPartition(this) }).wildcards) {
      acknowledgeFinding(policy, `AwsSolutions-IAM5[Resource::${w.arn}]`, w.reason);
    }
    role.addManagedPolicy(policy);
    role.addManagedPolicy(wildcardPolicy);

    const environment = {
      DEPLOYMENT_NAME: props.deploymentName,
      ACCOUNT: stack.account,
      STACKS: JSON.stringify(props.stacks),
      // gzip (level 9, Node's bundled zlib) then base64: one gateway per agent puts each gateway's
      // files and units in the settings, which as plain JSON outgrow Lambda's 4 KB for a few agents.
      SETTINGS_GZIP: encodeDriftSettings(props.settings),
      METRIC_NAMESPACE: props.namespace,
    };
    assertLambdaEnvironmentFits(environment);
    this.function = new lambda.Function(this, 'Function', {
      functionName: name,
      description: `Daily drift check of ${props.deploymentName}: the read-only live checks of npm run verify`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambdaCode('verify-controls'),
      role: role.withoutPolicyUpdates(),
      timeout: Duration.minutes(5),
      memorySize: 512,
      logGroup,
      environment,
    });
    this.function.node.addDependency(policy, wildcardPolicy);
    new events.Rule(this, 'Schedule', {
      description: `Runs the daily drift check of ${props.deploymentName}`,
      schedule: props.schedule ?? DEFAULT_DRIFT_SCHEDULE,
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });

    this.alarm = new RunbookAlarm(this, 'Drifted', {
      alarm: ALARMS.controlsDrifted,
      deploymentName: props.deploymentName,
      topic: props.alertTopic,
      metric: new cloudwatch.Metric({ namespace: props.namespace, metricName: CONTROLS_DRIFTED_METRIC, statistic: 'Maximum', period: Duration.days(1) }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No run in a day is drift of the check itself.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    acknowledgeLambdaFindings(this.function.node.defaultChild as lambda.CfnFunction, {
      outsideVpc:
        'The drift check calls only AWS APIs (CloudFormation, CloudWatch and the read-only calls of its checks); outside the VPC it still reports when the VPC, its NAT or the DNS firewall is what drifted, and its role reads only this deployment.',
      noReservedConcurrency:
        'Reserving concurrency fails the deploy in new accounts whose quota is 10 (AWS keeps 10 unreserved); the check runs once a day.',
      noDeadLetterQueue:
        'A failed run publishes no ControlsDrifted datum, and the controls-drifted alarm treats a day without one as breaching: the failure reaches the alert topic without a dead-letter queue.',
    });
  }
}

/** The verify settings as the function's SETTINGS_GZIP variable: JSON, gzip level 9, base64 (lambda/verify-controls/env.ts decodes it). */
export function encodeDriftSettings(settings: unknown): string {
  return zlib.gzipSync(JSON.stringify(settings), { level: 9 }).toString('base64');
}

/** The size Lambda counts against its environment limit: every key and value, in UTF-8 bytes. */
export function lambdaEnvironmentBytes(environment: Readonly<Record<string, string>>): number {
  return Object.entries(environment).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/** Throws, naming the size, when `environment` is over Lambda's 4 KB (LAMBDA_ENVIRONMENT_LIMIT_BYTES); exactly the limit fits. */
export function assertLambdaEnvironmentFits(environment: Readonly<Record<string, string>>): void {
  const size = lambdaEnvironmentBytes(environment);
  if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    throw new Error(`ControlsDriftCheck: its environment (the verify settings as JSON) is ${size} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}: pass the settings another way (an SSM parameter)`);
  }
}
