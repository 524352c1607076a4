/**
 * The kill switch's policy statements that stand apart from its construct
 * (lib/spend/kill-switch.ts): the deny-secrets statement it attaches to the
 * gateway host's role on a kill, and its grants on actions that support no
 * resource ARN. The rest of its role (stop/start of one instance, its queue,
 * parameter, topics and key) is granted in the construct, next to the resources.
 */
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The one statement of the deny-secrets policy. The host reads its secrets with
 * GetSecretValue only (host/fetch-secrets); BatchGetSecretValue needs
 * GetSecretValue on each secret as well, and is denied too so that no other
 * path reads a value.
 */
export const killSwitchDenySecretsStatement = (): iam.PolicyStatement =>
  new iam.PolicyStatement({
    sid: 'KillSwitchDenySecretValues',
    effect: iam.Effect.DENY,
    actions: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'],
    resources: ['*'],
  });

/** The kill switch's grants on actions that support no resource ARN, the only ones that take Resource *. */
export const killSwitchWildcardStatements = (namespace: string): iam.PolicyStatement[] => [
  new iam.PolicyStatement({ sid: 'SeeInstances', actions: ['ec2:DescribeInstances'], resources: ['*'] }),
  new iam.PolicyStatement({
    sid: 'PublishOwnMetric',
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
  }),
];
