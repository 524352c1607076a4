/**
 * What a kill of this deployment must stop and deny, from its templates and
 * config, with the live physical IDs: the gateway stack's instances, the
 * distribution (spend.onShutdown.disableDistribution), the deny policy on the
 * host role (spend.onShutdown.denySecrets) and the secrets that deny covers.
 */
import { liveString, liveValue, refIn } from '../verify/template-values';
import type { VerifyContext } from '../verify/verify-context';

export interface ExpectedKillPlan {
  /** The gateway stack's instance IDs: what a kill stops. */
  readonly instances: readonly string[];
  /** @default none: the plan must not touch a distribution */
  readonly distribution?: string;
  /** @default none: the plan must not attach a deny policy */
  readonly deny?: {
    /** The host role. */
    readonly roleName: string;
    /** The `<name>-kill-switch-deny-secrets` managed policy. */
    readonly policyArn: string;
    /** Every secret of the deployment, ARN -> whether the deny policy's statements cover reading it. */
    readonly secrets: ReadonlyMap<string, boolean>;
  };
}

/** IAM's wildcard match of a Resource pattern (`*` any run, `?` one character). */
const matches = (pattern: string, arn: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(arn);

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
}

async function hostRoleName(ctx: VerifyContext): Promise<string> {
  const gateway = ctx.stack('gateway');
  const instance = ctx.find('AWS::EC2::Instance', 'gateway')[0];
  const profile = (instance?.resource.Properties as { IamInstanceProfile?: { Ref?: string } } | undefined)?.IamInstanceProfile?.Ref;
  if (!profile) throw new Error(`${gateway.stackName} has no gateway instance with an instance profile`);
  const role = (refIn(gateway, profile).resource.Properties as { Roles?: unknown[] } | undefined)?.Roles?.[0];
  if (role === undefined) throw new Error(`${gateway.stackName}: the gateway instance profile ${profile} names no role`);
  return liveString(ctx, gateway, role);
}

export async function expectedKillPlan(ctx: VerifyContext): Promise<ExpectedKillPlan> {
  const { disableDistribution, denySecrets } = ctx.settings.spend;
  const instances = await Promise.all(ctx.find('AWS::EC2::Instance', 'gateway').map((r) => ctx.physicalId(r)));
  const distributionRef = ctx.find('AWS::CloudFront::Distribution', 'edge')[0];
  const distribution = disableDistribution && distributionRef ? await ctx.physicalId(distributionRef) : undefined;
  if (!denySecrets) return { instances, ...(distribution ? { distribution } : {}) };
  let policy;
  for (const ref of ctx.find('AWS::IAM::ManagedPolicy', 'spend')) {
    const p = ref.resource.Properties as { ManagedPolicyName?: unknown } | undefined;
    if (p?.ManagedPolicyName !== undefined && (await liveString(ctx, ref.stack, p.ManagedPolicyName)).endsWith('-kill-switch-deny-secrets')) policy = ref;
  }
  if (!policy) throw new Error('spend.onShutdown.denySecrets is on, but the spend stack has no <name>-kill-switch-deny-secrets policy');
  const statements = ((await liveValue(ctx, policy.stack, (policy.resource.Properties as { PolicyDocument?: { Statement?: unknown } }).PolicyDocument?.Statement)) ?? []) as Statement[];
  const denies = (arn: string) =>
    statements.some(
      (s) =>
        s.Effect === 'Deny' &&
        [s.Action ?? []].flat().some((a) => matches(a, 'secretsmanager:GetSecretValue')) &&
        [s.Resource ?? []].flat().some((r) => matches(r, arn)),
    );
  const secretArns = await Promise.all(ctx.find('AWS::SecretsManager::Secret').map((r) => ctx.physicalId(r)));
  return {
    instances,
    ...(distribution ? { distribution } : {}),
    deny: { roleName: await hostRoleName(ctx), policyArn: await ctx.physicalId(policy), secrets: new Map(secretArns.map((a) => [a, denies(a)])) },
  };
}
