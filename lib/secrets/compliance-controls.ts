import { SECRET_UPDATE_ACTIONS, SECRET_VALUE_READ_ACTIONS, SECRET_VALUE_WRITE_ACTIONS } from './hardened-secret';
import { isRetained } from '../shared/retention';
import type { ComplianceControl, ResourceContext, TemplateResource } from '../compliance/control';

/** Longest rotation interval that still satisfies FSBP SecretsManager.4 (its default parameter). */
export const MAX_ROTATION_DAYS = 90;

type Statement = { Effect?: string; Action?: string | string[]; Condition?: Record<string, Record<string, unknown>> };

const refersTo = (value: unknown, logicalId: string) => JSON.stringify(value) === JSON.stringify({ Ref: logicalId });
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** The statements of the resource policy attached to a secret (by Ref), or []. */
function resourcePolicy(context: ResourceContext): Statement[] {
  const policy = Object.values(context.resources).find((r) => r.Type === 'AWS::SecretsManager::ResourcePolicy' && refersTo(r.Properties?.SecretId, context.logicalId));
  return ((policy?.Properties?.ResourcePolicy as { Statement?: Statement[] } | undefined)?.Statement ?? []) as Statement[];
}

/** A Deny of `action` to everyone (Principal *) but the principals named in a StringNotEquals on aws:PrincipalArn. */
const deniesAllBut = (statements: Statement[], action: string) =>
  statements.some((s) => s.Effect === 'Deny' && actions(s).includes(action) && s.Condition?.StringNotEquals?.['aws:PrincipalArn'] !== undefined);

export const secretEncryptedWithCmk: ComplianceControl = {
  id: 'secret-cmk',
  title: 'Secrets are encrypted with the deployment\'s customer-managed KMS key',
  resourceType: 'AWS::SecretsManager::Secret',
  fsbp: [],
  cis: [],
  controlTower: [],
  evidence: 'KmsKeyId is set (not the AWS-managed aws/secretsmanager key).',
  holds: (r) => r.Properties?.KmsKeyId !== undefined,
};

export const secretRetained: ComplianceControl = {
  id: 'secret-retained',
  title: 'Secrets are not deleted with the stack',
  resourceType: 'AWS::SecretsManager::Secret',
  fsbp: [],
  cis: [],
  controlTower: [],
  weakenedBy: 'data-retention',
  evidence: 'DeletionPolicy RetainExceptOnCreate (or Retain) and UpdateReplacePolicy Retain (deleted only when the operation that created it rolls back).',
  holds: (r) => isRetained(r),
};

export const secretValueAccessRestricted: ComplianceControl = {
  id: 'secret-value-access-restricted',
  title:
    'Only the host, the rotation function and break-glass may read or write a secret\'s value (CloudFormation\'s execution role may read one its stack resolves at deploy time, and update its own stack\'s secrets)',
  resourceType: 'AWS::SecretsManager::Secret',
  fsbp: [],
  cis: [],
  controlTower: [],
  evidence:
    'Its resource policy denies GetSecretValue, PutSecretValue, UpdateSecretVersionStage and UpdateSecret to every principal not named in a StringNotEquals on aws:PrincipalArn.',
  holds: (_r, context) => {
    const statements = resourcePolicy(context);
    return [...SECRET_VALUE_READ_ACTIONS, ...SECRET_VALUE_WRITE_ACTIONS, ...SECRET_UPDATE_ACTIONS].every((action) => deniesAllBut(statements, action));
  },
};

/** Generated secrets (the gateway token, the origin-verify header) rotate; agents' third-party keys are rotated by operators. */
const isGenerated = (r: TemplateResource) => r.Properties?.GenerateSecretString !== undefined;

export const secretRotation: ComplianceControl = {
  id: 'secret-rotation',
  title: `Generated secrets rotate automatically, at least every ${MAX_ROTATION_DAYS} days`,
  resourceType: 'AWS::SecretsManager::Secret',
  fsbp: ['SecretsManager.1', 'SecretsManager.4'],
  cis: [],
  controlTower: [],
  evidence: `A RotationSchedule with a rotation function and rate(N days), N <= ${MAX_ROTATION_DAYS}, targets the secret.`,
  appliesTo: isGenerated,
  holds: (_r, context) =>
    Object.values(context.resources).some((s) => {
      const p = s.Properties ?? {};
      if (s.Type !== 'AWS::SecretsManager::RotationSchedule' || !refersTo(p.SecretId, context.logicalId)) return false;
      const days = /^rate\((\d+) days?\)$/.exec(String((p.RotationRules as { ScheduleExpression?: string } | undefined)?.ScheduleExpression));
      return p.RotationLambdaARN !== undefined && days !== null && Number(days[1]) <= MAX_ROTATION_DAYS;
    }),
};
