/**
 * The kill switch's configuration, read from its environment at the start of
 * every invocation, before any AWS call. Every problem is one error naming the
 * variable. All values are names and ids, never secrets.
 *
 *   CLIENT, ENV             the client x environment (for messages and the restore command)
 *   INSTANCE_IDS            comma list of the gateway instance ids (1-10; the blueprint deploys one)
 *   INSTANCE_REGION         region of the instances
 *   ALERT_TOPIC_ARN         SNS topic told what was done (and how to restore)
 *   STATE_PARAMETER         SSM parameter (String) holding the last recorded state, as JSON
 *   METRIC_NAMESPACE        CloudWatch namespace of the KillSwitchExecuted metric
 *   TRIGGER_ALARMS          comma list of the alarm names that stop the gateway; may be empty or unset
 *   DISABLE_DISTRIBUTION    true | false: also disable the CloudFront distribution
 *   DISTRIBUTION_ID         the distribution; required when DISABLE_DISTRIBUTION=true
 *   DENY_SECRETS            true | false: also attach the deny-secrets managed policy to the host role
 *   HOST_ROLE_NAME          the host role; required when DENY_SECRETS=true
 *   DENY_POLICY_ARN         ARN of that managed policy (created by CloudFormation in the Spend
 *                           stack); required when DENY_SECRETS=true
 *   DRY_RUN                 true | false: only read, notify what would be done, change nothing
 *   ASG_NAME                unsupported, must be unset: the blueprint deploys a single instance,
 *                           not an Auto Scaling group (which would replace a stopped instance)
 */

export interface KillSwitchEnv {
  readonly client: string;
  readonly env: string;
  readonly instanceIds: readonly string[];
  readonly instanceRegion: string;
  readonly alertTopicArn: string;
  readonly stateParameter: string;
  readonly metricNamespace: string;
  readonly triggerAlarms: readonly string[];
  /** Set when DISABLE_DISTRIBUTION=true. */
  readonly distributionId?: string;
  /** Set when DENY_SECRETS=true. */
  readonly denySecrets?: { readonly roleName: string; readonly policyArn: string };
  readonly dryRun: boolean;
}

/** More would not fit the state parameter's 4 KB with every step's error; the blueprint deploys one. */
export const MAX_INSTANCES = 10;

const NAME = /^[a-z0-9-]{1,63}$/;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/**
 * SSM parameter names: letters, digits and `_.-`, as one name or a path with a
 * leading slash; at most 1011 characters; not starting with the reserved aws or ssm.
 */
const PARAMETER = /^(?=.{1,1011}$)(?!\/?(aws|ssm))([A-Za-z0-9_.-]+|(\/[A-Za-z0-9_.-]+)+)$/i;
/** CloudWatch namespaces: 1-255 of letters, digits and `.-_/#:`, not starting with `AWS/` (reserved). */
const NAMESPACE = /^(?!AWS\/)[A-Za-z0-9.\-_/#:]{1,255}$/;
/** CloudWatch alarm names: 1-255 printable characters (no comma: the list is comma separated). */
const ALARM_NAME = /^[\x20-\x2b\x2d-\x7e]{1,255}$/;
const DISTRIBUTION_ID = /^[A-Z0-9]{8,20}$/;
const ROLE_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
/** A customer managed policy's ARN: any partition, a 12-digit account, an optional path, a 1-128 character name. */
const POLICY_ARN = /^arn:aws[a-z-]*:iam::\d{12}:policy\/([A-Za-z0-9+=,.@_-]+\/)*[A-Za-z0-9+=,.@_-]{1,128}$/;

export class EnvError extends Error {
  constructor(variable: string, problem: string) {
    super(`kill switch misconfigured: environment variable ${variable} ${problem}`);
    this.name = 'EnvError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string, pattern: RegExp, shape: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new EnvError(name, `is missing (expected ${shape})`);
  if (!pattern.test(value)) throw new EnvError(name, `is invalid: "${value}" is not ${shape}`);
  return value;
}

function flag(env: Env, name: string): boolean {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new EnvError(name, 'is missing (expected true or false)');
  if (value !== 'true' && value !== 'false') throw new EnvError(name, `is invalid: "${value}" is not true or false`);
  return value === 'true';
}

/** A comma list: items trimmed, empty items dropped, duplicates dropped, each matching `pattern`. */
function list(env: Env, name: string, pattern: RegExp, shape: string): string[] {
  const items = (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = items.find((s) => !pattern.test(s));
  if (bad !== undefined) throw new EnvError(name, `is invalid: "${bad}" is not ${shape}`);
  return [...new Set(items)];
}

export function readEnv(env: Env = process.env): KillSwitchEnv {
  const asg = env.ASG_NAME?.trim();
  if (asg !== undefined && asg !== '') {
    throw new EnvError(
      'ASG_NAME',
      `is set ("${asg}") but Auto Scaling groups are not supported: this blueprint deploys a single gateway instance ` +
        '(an Auto Scaling group would replace the stopped instance). List the instance in INSTANCE_IDS and unset ASG_NAME',
    );
  }
  const client = required(env, 'CLIENT', NAME, 'a client name (lowercase letters, digits and hyphens)');
  const environment = required(env, 'ENV', NAME, 'an environment name (lowercase letters, digits and hyphens)');
  const instanceIds = list(env, 'INSTANCE_IDS', INSTANCE_ID, 'an EC2 instance id (i-...)');
  if (instanceIds.length === 0) throw new EnvError('INSTANCE_IDS', 'is missing (expected a comma list of EC2 instance ids)');
  if (instanceIds.length > MAX_INSTANCES) throw new EnvError('INSTANCE_IDS', `is invalid: ${instanceIds.length} instances, at most ${MAX_INSTANCES}`);
  const instanceRegion = required(env, 'INSTANCE_REGION', REGION, 'an AWS region such as eu-west-1');
  const alertTopicArn = required(env, 'ALERT_TOPIC_ARN', TOPIC_ARN, 'an SNS topic ARN');
  const stateParameter = required(env, 'STATE_PARAMETER', PARAMETER, 'an SSM parameter name such as /openclaw/acme/prod/kill-switch');
  const metricNamespace = required(env, 'METRIC_NAMESPACE', NAMESPACE, 'a CloudWatch namespace (not AWS/...)');
  const triggerAlarms = list(env, 'TRIGGER_ALARMS', ALARM_NAME, 'a CloudWatch alarm name');
  const disableDistribution = flag(env, 'DISABLE_DISTRIBUTION');
  const distributionId = disableDistribution ? required(env, 'DISTRIBUTION_ID', DISTRIBUTION_ID, 'a CloudFront distribution id (DISABLE_DISTRIBUTION=true)') : undefined;
  const deny = flag(env, 'DENY_SECRETS');
  const denySecrets = deny
    ? {
        roleName: required(env, 'HOST_ROLE_NAME', ROLE_NAME, 'an IAM role name (DENY_SECRETS=true)'),
        policyArn: required(env, 'DENY_POLICY_ARN', POLICY_ARN, 'the ARN of a customer managed IAM policy, arn:aws:iam::<account>:policy/<name> (DENY_SECRETS=true)'),
      }
    : undefined;
  const dryRun = flag(env, 'DRY_RUN');
  return {
    client,
    env: environment,
    instanceIds,
    instanceRegion,
    alertTopicArn,
    stateParameter,
    metricNamespace,
    triggerAlarms,
    ...(distributionId !== undefined ? { distributionId } : {}),
    ...(denySecrets !== undefined ? { denySecrets } : {}),
    dryRun,
  };
}

/**
 * The region of an SNS topic ARN, the fourth of its colon-separated fields: the topic is published
 * to there. Only called with ALERT_TOPIC_ARN as readEnv validated it, which always has that field.
 */
export const topicRegion = (arn: string): string => arn.split(':')[3]!;
