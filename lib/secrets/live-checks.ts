/**
 * The live checks of the secrets concern (see lib/verify/live-check.ts): every
 * secret of the deployment exists, is encrypted with its deployment key and is
 * not scheduled for deletion; its resource policy is the template's; the
 * rotated secrets rotate and their last rotation succeeded. Whether a secret
 * is filled is the host's retrieval status (the host checks); no value is read here.
 */
import { DescribeSecretCommand, GetResourcePolicyCommand, SecretsManagerClient, type DescribeSecretCommandOutput } from '@aws-sdk/client-secrets-manager';
import type { TemplateRef } from '../verify/deployed-stacks';
import { expect, result, type LiveCheck } from '../verify/live-check';
import type { VerifyContext } from '../verify/verify-context';
import { policyDifferences } from './live-policy';
import { liveValue } from '../verify/template-values';

const DAY_MS = 86_400_000;
/** The stacks that hold secrets: the gateway's region and the edge (us-east-1). */
const SECRET_STACKS = ['gateway', 'edge'] as const;

const findAll = (ctx: VerifyContext, type: string) => SECRET_STACKS.flatMap((role) => ctx.find(type, role));

/** The secret a ResourcePolicy or RotationSchedule points at (SecretId: {Ref}). */
function targetSecret(ref: TemplateRef): TemplateRef {
  const id = (ref.resource.Properties?.SecretId as { Ref?: string } | undefined)?.Ref;
  if (typeof id !== 'string') throw new Error(`${ref.stack.stackName}/${ref.logicalId}: SecretId is not a Ref to a secret of its stack`);
  // `ref` was found among the template's Resources, so they exist.
  const secret = ref.stack.template.Resources![id];
  if (secret?.Type !== 'AWS::SecretsManager::Secret') throw new Error(`${ref.stack.stackName}/${ref.logicalId}: SecretId is a Ref to ${id}, which is not a secret of its stack`);
  return { stack: ref.stack, logicalId: id, resource: secret };
}

/** DescribeSecret of a template secret, shared by the checks (one call per secret). */
function describe(ctx: VerifyContext, secret: TemplateRef): Promise<{ arn: string; out?: DescribeSecretCommandOutput }> {
  return ctx.memo(`secrets:describe:${secret.stack.stackName}/${secret.logicalId}`, async () => {
    const arn = await ctx.physicalId(secret);
    try {
      return { arn, out: await ctx.client(SecretsManagerClient, secret.stack.region).send(new DescribeSecretCommand({ SecretId: arn })) };
    } catch (e) {
      if ((e as Error).name === 'ResourceNotFoundException') return { arn };
      throw e;
    }
  });
}

/** How the secrets-exist check names the AWS managed key (DescribeSecret gives no KmsKeyId for it). */
const AWS_MANAGED_KEY = '(none: aws/secretsmanager)';

const days = (ms: number) => `${(ms / DAY_MS).toFixed(1)} days`;

export const secretExists: LiveCheck = {
  id: 'secrets.secret-exists',
  control: 'secret-cmk',
  title: 'Each secret exists, encrypted with the deployment key, not scheduled for deletion',
  concern: 'secrets',
  daily: true,
  iam: ['secretsmanager:DescribeSecret'],
  run: async (ctx) =>
    Promise.all(
      findAll(ctx, 'AWS::SecretsManager::Secret').map(async (secret) => {
        const { arn, out } = await describe(ctx, secret);
        if (!out) return result(secretExists, 'fail', arn, 'ResourceNotFoundException: the secret does not exist');
        // A secret the template gives no key is encrypted with the AWS managed key (DescribeSecret then has no KmsKeyId).
        const templateKey = secret.resource.Properties?.KmsKeyId;
        const expectedKey = templateKey === undefined ? AWS_MANAGED_KEY : String(await liveValue(ctx, secret.stack, templateKey));
        const key = out.KmsKeyId ?? AWS_MANAGED_KEY;
        // DescribeSecret returns the key as it was given (ARN, key ID or alias); the template gives the key's ARN.
        const sameKey = key === expectedKey || expectedKey.endsWith(`:key/${key}`);
        if (out.DeletedDate) return result(secretExists, 'fail', arn, `scheduled for deletion (DeletedDate ${out.DeletedDate.toISOString()}); expected no DeletedDate`);
        return expect(secretExists, sameKey, arn, `KmsKeyId ${key}`, expectedKey);
      }),
    ),
};

export const secretResourcePolicy: LiveCheck = {
  id: 'secrets.resource-policy',
  control: 'secret-value-access-restricted',
  title: "Each secret's resource policy is the template's (value reads and writes denied to all but the named roles)",
  concern: 'secrets',
  daily: true,
  iam: ['secretsmanager:GetResourcePolicy'],
  run: async (ctx) =>
    Promise.all(
      findAll(ctx, 'AWS::SecretsManager::ResourcePolicy').map(async (policy) => {
        const secret = targetSecret(policy);
        const arn = await ctx.physicalId(secret);
        // targetSecret found a SecretId in the properties, so they exist.
        const expected = await liveValue(ctx, policy.stack, policy.resource.Properties!.ResourcePolicy);
        const out = await ctx.client(SecretsManagerClient, secret.stack.region).send(new GetResourcePolicyCommand({ SecretId: arn }));
        if (!out.ResourcePolicy) return result(secretResourcePolicy, 'fail', arn, 'no resource policy; expected the template\'s denies');
        const diff = policyDifferences(out.ResourcePolicy, expected);
        return expect(secretResourcePolicy, diff.length === 0, arn, diff.length === 0 ? 'resource policy equals the template\'s' : diff.join('; '), 'the template\'s resource policy');
      }),
    ),
};

/** Days of a rotation schedule: rate(N days), else AutomaticallyAfterDays (which DescribeSecret fills after a rotation). */
function scheduleDays(rules: { ScheduleExpression?: string; AutomaticallyAfterDays?: number } | undefined): number | undefined {
  const rate = /^rate\((\d+) days?\)$/.exec(String(rules?.ScheduleExpression));
  return rate ? Number(rate[1]) : rules?.AutomaticallyAfterDays;
}

export const secretRotation: LiveCheck = {
  id: 'secrets.rotation',
  control: 'secret-rotation',
  title: 'Each rotated secret has rotation on, on its schedule, and its last rotation succeeded',
  concern: 'secrets',
  daily: true,
  iam: ['secretsmanager:DescribeSecret'],
  run: async (ctx) =>
    Promise.all(
      findAll(ctx, 'AWS::SecretsManager::RotationSchedule').map(async (schedule) => {
        const secret = targetSecret(schedule);
        const { arn, out } = await describe(ctx, secret);
        const period = ctx.settings.secrets.rotationDays;
        if (!out) return result(secretRotation, 'fail', arn, 'ResourceNotFoundException: the secret does not exist');
        if (out.RotationEnabled !== true) return result(secretRotation, 'fail', arn, `RotationEnabled ${String(out.RotationEnabled ?? false)}; expected true`);
        const every = scheduleDays(out.RotationRules);
        if (every !== period) return result(secretRotation, 'fail', arn, `rotation every ${every ?? '?'} days (${JSON.stringify(out.RotationRules ?? {})}); expected rate(${period} days)`);
        // A failed rotation leaves AWSPENDING on a version that never became AWSCURRENT.
        const stuck = Object.entries(out.VersionIdsToStages ?? {}).filter(([, stages]) => stages.includes('AWSPENDING') && !stages.includes('AWSCURRENT'));
        if (stuck.length > 0) {
          return result(secretRotation, 'fail', arn, `version ${stuck.map(([v]) => v).join(', ')} stuck in AWSPENDING (a rotation failed; see the rotation function's log group); expected AWSPENDING only with AWSCURRENT`);
        }
        const now = ctx.options.now.getTime();
        if (out.LastRotatedDate) {
          const age = now - out.LastRotatedDate.getTime();
          return expect(secretRotation, age <= 2 * period * DAY_MS, arn, `rotation every ${period} days; last rotated ${out.LastRotatedDate.toISOString()} (${days(age)} ago)`, `a rotation within ${2 * period} days`);
        }
        const created = out.CreatedDate?.getTime();
        const young = created !== undefined && now - created < period * DAY_MS;
        return expect(
          secretRotation,
          young,
          arn,
          `rotation every ${period} days; never rotated, created ${created === undefined ? '(unknown)' : `${out.CreatedDate!.toISOString()} (${days(now - created)} ago)`}`,
          `a first rotation within ${period} days of creation`,
        );
      }),
    ),
};

export const SECRETS_LIVE_CHECKS: readonly LiveCheck[] = [secretExists, secretResourcePolicy, secretRotation];
