import type { ComplianceControl, TemplateResource } from '../../lib/compliance/control';
import { kmsGrantsForAwsServicesOnly, kmsKeyRetained, kmsKeyRotation } from '../../lib/keys/compliance-controls';

// Near misses of the KMS controls: each key differs from a compliant one in one detail, with the exact outcome.
const check = (control: ComplianceControl, key: TemplateResource) => control.holds(key, { logicalId: 'K', resources: { K: key } });
const key = (props?: Record<string, unknown>, deletion = 'RetainExceptOnCreate', replace = 'Retain'): TemplateResource => ({
  Type: 'AWS::KMS::Key',
  DeletionPolicy: deletion,
  UpdateReplacePolicy: replace,
  ...(props === undefined ? {} : { Properties: props }),
});

test.each<[string, TemplateResource, boolean]>([
  ['rotation on, default period', key({ EnableKeyRotation: true }), true],
  ['rotation on, 365 days', key({ EnableKeyRotation: true, RotationPeriodInDays: 365 }), true],
  ['rotation on, 365 days as a string', key({ EnableKeyRotation: true, RotationPeriodInDays: '365' }), true],
  ['rotation on, 366 days', key({ EnableKeyRotation: true, RotationPeriodInDays: 366 }), false],
  ['rotation "true" as a string', key({ EnableKeyRotation: 'true' }), false],
  ['rotation off', key({ EnableKeyRotation: false, RotationPeriodInDays: 90 }), false],
  ['a key without properties', key(), false],
])('KMS rotation: %s', (_name, k, expected) => {
  expect(check(kmsKeyRotation, k)).toBe(expected);
});

test.each<[string, TemplateResource, boolean]>([
  ['retained, default pending window', key({}), true],
  ['retained, no properties', key(), true],
  ['retained (Retain), 30-day window', key({ PendingWindowInDays: 30 }, 'Retain'), true],
  ['a 7-day pending window', key({ PendingWindowInDays: 7 }), false],
  ['a 29-day pending window', key({ PendingWindowInDays: 29 }), false],
  ['deleted with the stack', key({}, 'Delete'), false],
  ['deleted on replacement', key({}, 'Retain', 'Delete'), false],
])('KMS retained: %s', (_name, k, expected) => {
  expect(check(kmsKeyRetained, k)).toBe(expected);
});

const CONDITION = { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } };
const grantDeny = (over: Record<string, unknown> = {}) => ({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:CreateGrant', Resource: '*', Condition: CONDITION, ...over });
const policyKey = (statements: unknown[]) => key({ KeyPolicy: { Statement: statements } });
const ALLOW_ADMIN = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' };
test.each<[string, TemplateResource, boolean]>([
  ['the deny after an allow', policyKey([ALLOW_ADMIN, grantDeny()]), true],
  ['the deny among other actions', policyKey([grantDeny({ Action: ['kms:RetireGrant', 'kms:CreateGrant'] })]), true],
  ['only the allow', policyKey([ALLOW_ADMIN]), false],
  ['an Allow with the same condition', policyKey([grantDeny({ Effect: 'Allow' })]), false],
  ['a deny of kms:* is not the named action', policyKey([grantDeny({ Action: 'kms:*' })]), false],
  ['a deny of another action', policyKey([grantDeny({ Action: 'kms:RevokeGrant' })]), false],
  ['no condition', policyKey([grantDeny({ Condition: undefined })]), false],
  ['Bool instead of BoolIfExists', policyKey([grantDeny({ Condition: { Bool: CONDITION.BoolIfExists } })]), false],
  ['without the GrantIsForAWSResource key', policyKey([grantDeny({ Condition: { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } } })]), false],
  ['without the PrincipalIsAWSService key', policyKey([grantDeny({ Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false' } } })]), false],
  ['GrantIsForAWSResource "true"', policyKey([grantDeny({ Condition: { BoolIfExists: { ...CONDITION.BoolIfExists, 'kms:GrantIsForAWSResource': 'true' } } })]), false],
  ['PrincipalIsAWSService "true"', policyKey([grantDeny({ Condition: { BoolIfExists: { ...CONDITION.BoolIfExists, 'aws:PrincipalIsAWSService': 'true' } } })]), false],
  ['a policy without statements', key({ KeyPolicy: {} }), false],
  ['a key without a policy', key({}), false],
])('KMS grants for AWS services only: %s', (_name, k, expected) => {
  expect(check(kmsGrantsForAwsServicesOnly, k)).toBe(expected);
});
