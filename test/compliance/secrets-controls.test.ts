import type { ComplianceControl, TemplateResource } from '../../lib/compliance/control';
import { MAX_ROTATION_DAYS, secretEncryptedWithCmk, secretRotation, secretValueAccessRestricted } from '../../lib/secrets/compliance-controls';

// Near misses of the Secrets Manager controls: each differs from a compliant template in one detail, with the exact outcome.
type Resources = Record<string, TemplateResource>;
const check = (control: ComplianceControl, resources: Resources) => control.holds(resources.S!, { logicalId: 'S', resources });

const SECRET: TemplateResource = { Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { GenerateSecretString: {}, KmsKeyId: 'k' } };
const VALUE_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:UpdateSecret'];
const CONDITION = { StringNotEquals: { 'aws:PrincipalArn': ['arn:host'] } };
const deny = (over: Record<string, unknown> = {}) => ({ Effect: 'Deny', Principal: { AWS: '*' }, Action: VALUE_ACTIONS, Resource: '*', Condition: CONDITION, ...over });
const withPolicy = (statements: unknown[] | undefined, policy: Record<string, unknown> = {}): Resources => ({
  S: SECRET,
  P: {
    Type: 'AWS::SecretsManager::ResourcePolicy',
    Properties: { SecretId: { Ref: 'S' }, ResourcePolicy: statements === undefined ? {} : { Statement: statements }, ...policy },
  },
});

test.each<[string, Resources, boolean]>([
  ['all value actions denied in one statement', withPolicy([deny()]), true],
  ['one action per statement', withPolicy(VALUE_ACTIONS.map((a) => deny({ Action: a }))), true],
  ['no resource policy', { S: SECRET }, false],
  ['a policy without statements', withPolicy(undefined), false],
  ['a policy resource without properties', { S: SECRET, P: { Type: 'AWS::SecretsManager::ResourcePolicy' } }, false],
  ['the policy of another secret', withPolicy([deny()], { SecretId: { Ref: 'S2' } }), false],
  ['the secret named by a literal, not a Ref', withPolicy([deny()], { SecretId: 'S' }), false],
  ['the same statements in a resource of another type', { S: SECRET, P: { ...withPolicy([deny()]).P!, Type: 'AWS::KMS::Key' } }, false],
  ['an Allow, not a Deny', withPolicy([deny({ Effect: 'Allow' })]), false],
  ['a Deny without a condition (no exemption named)', withPolicy([deny({ Condition: undefined })]), false],
  ['a Deny exempting by another key', withPolicy([deny({ Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } } })]), false],
  ['a Deny exempting by a pattern', withPolicy([deny({ Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:*'] } } })]), false],
  ['a Deny of secretsmanager:* is not the named actions', withPolicy([deny({ Action: 'secretsmanager:*' })]), false],
])('secret value access: %s', (_name, resources, expected) => {
  expect(check(secretValueAccessRestricted, resources)).toBe(expected);
});

const rotation = (props: Record<string, unknown> | null, extra: Resources = {}): Resources => ({
  S: SECRET,
  ...(props === null ? {} : { R: { Type: 'AWS::SecretsManager::RotationSchedule', Properties: props } }),
  ...extra,
});
const rate = (expression: unknown) => ({ SecretId: { Ref: 'S' }, RotationLambdaARN: 'arn:fn', RotationRules: { ScheduleExpression: expression } });
test.each<[string, Resources, boolean]>([
  [`rate(${MAX_ROTATION_DAYS} days) is the longest that holds`, rotation(rate('rate(90 days)')), true],
  ['rate(91 days) is too long', rotation(rate('rate(91 days)')), false],
  ['rate(1 day) holds', rotation(rate('rate(1 day)')), true],
  ['text before rate( is refused', rotation(rate('xrate(30 days)')), false],
  ['text after the closing parenthesis is refused', rotation(rate('rate(30 days) ')), false],
  ['hours are not days', rotation(rate('rate(4 hours)')), false],
  ['a cron expression is not proven within the maximum', rotation(rate('cron(0 4 1 * ? *)')), false],
  ['no schedule expression', rotation(rate(undefined)), false],
  ['no rotation function', rotation({ SecretId: { Ref: 'S' }, RotationRules: { ScheduleExpression: 'rate(30 days)' } }), false],
  ['no rotation rules', rotation({ SecretId: { Ref: 'S' }, RotationLambdaARN: 'arn:fn' }), false],
  ['a schedule without properties', rotation({}, { R: { Type: 'AWS::SecretsManager::RotationSchedule' } }), false],
  ['no schedule', rotation(null), false],
  ['the schedule of another secret', rotation({ ...rate('rate(30 days)'), SecretId: { Ref: 'S2' } }), false],
  ['the schedule shaped resource of another type', { S: SECRET, R: { Type: 'AWS::Events::Rule', Properties: rate('rate(30 days)') } }, false],
  ['another secret\'s schedule beside ours', rotation(rate('rate(30 days)'), { R2: { Type: 'AWS::SecretsManager::RotationSchedule', Properties: { ...rate('rate(30 days)'), SecretId: { Ref: 'S2' } } } }), true],
])('secret rotation: %s', (_name, resources, expected) => {
  expect(check(secretRotation, resources)).toBe(expected);
});

test('a secret without properties has no CMK and is not generated', () => {
  const bare: TemplateResource = { Type: 'AWS::SecretsManager::Secret' };
  expect(check(secretEncryptedWithCmk, { S: bare })).toBe(false);
  expect(secretRotation.appliesTo?.(bare)).toBe(false);
});
