import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { ConditionKeyDocumented } from '../../lib/gate/iam-reference/rules/condition-key';

// IAMReference-ConditionKey on one statement of a managed policy on a bare stack:
// each way a key can be documented or not, and every message in full.

function check(statement: Record<string, unknown>) {
  const stack = new Stack(new App(), 'S');
  const node = new CfnResource(stack, 'Policy', {
    type: 'AWS::IAM::ManagedPolicy',
    properties: { PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'T', Resource: '*', ...statement }] } },
  });
  return ConditionKeyDocumented.check(node);
}
const LABEL = 'statement "T" (#0) of PolicyDocument';
const notDocumented = (key: string, action: string, expected: string) => ({
  id: `${key} for ${action}`,
  message: `${LABEL}: condition key ${key} is not documented for ${action}: ${expected}, besides the global aws: keys`,
});
// iam:*RolePolicy matches six actions; only AttachRolePolicy and DetachRolePolicy document iam:PolicyARN.
const ROLE_POLICY_LACKING = 'iam:DeleteRolePolicy, iam:GetRolePolicy, iam:PutRolePolicy, iam:UpdateAssumeRolePolicy';

describe('one action', () => {
  test('a key the action does not document names the keys it does', () => {
    expect(check({ Effect: 'Allow', Action: 'sqs:SendMessage', Condition: { StringEquals: { 's3:prefix': 'x' } } })).toEqual([
      notDocumented('s3:prefix', 'sqs:SendMessage', 'AWS documents aws:ResourceTag/${TagKey} for it (its own keys and its resource types\' keys)'),
    ]);
  });

  test('a key documented both for the action and its resource type is listed once', () => {
    expect(check({ Effect: 'Allow', Action: 'lambda:GetProvisionedConcurrencyConfig', Condition: { StringEquals: { 's3:prefix': 'x' } } })).toEqual([
      notDocumented('s3:prefix', 'lambda:GetProvisionedConcurrencyConfig', 'AWS documents aws:ResourceTag/${TagKey} for it (its own keys and its resource types\' keys)'),
    ]);
  });

  test('several documented keys are listed in the reference\'s order', () => {
    expect(check({ Effect: 'Allow', Action: 'sqs:UntagQueue', Condition: { StringEquals: { 's3:prefix': 'x' } } })).toEqual([
      notDocumented('s3:prefix', 'sqs:UntagQueue', 'AWS documents aws:TagKeys, aws:ResourceTag/${TagKey} for it (its own keys and its resource types\' keys)'),
    ]);
  });

  test('an action that documents no key says so', () => {
    expect(check({ Effect: 'Deny', Action: 'sts:GetCallerIdentity', Condition: { StringEquals: { 's3:prefix': 'x' } } })).toEqual([
      notDocumented('s3:prefix', 'sts:GetCallerIdentity', 'AWS documents no service key for it (its own keys and its resource types\' keys)'),
    ]);
  });

  test('global keys and documented keys pass', () => {
    expect(check({ Effect: 'Allow', Action: 'sqs:SendMessage', Condition: { StringEquals: { 'aws:username': 'x', 'aws:ResourceTag/team': 'a' } } })).toEqual([]);
  });

  test('an action that is no action of the reference is left to IAMReference-Action', () => {
    expect(check({ Effect: 'Allow', Action: ['GetObject', 's3:GetObjekt'], Condition: { StringEquals: { 's3:prefix': 'x' } } })).toEqual([]);
  });
});

describe('an action pattern', () => {
  test('an Allow without IfExists needs the key documented by every action it matches, listed sorted', () => {
    expect(check({ Effect: 'Allow', Action: 'iam:*RolePolicy', Condition: { StringEquals: { 'iam:PolicyARN': 'x' } } })).toEqual([
      notDocumented('iam:PolicyARN', 'iam:*RolePolicy', `an Allow without IfExists never applies to 4 of the 6 actions it matches, which do not document it: ${ROLE_POLICY_LACKING}`),
    ]);
    // Across services the reference's order (ec2, ec2-instance-connect, ec2messages) is not the sorted one.
    expect(check({ Effect: 'Allow', Action: 'ec2*:Send*', Condition: { StringEquals: { 'ec2:osuser': 'x' } } })).toEqual([
      notDocumented(
        'ec2:osuser',
        'ec2*:Send*',
        'an Allow without IfExists never applies to 4 of the 5 actions it matches, which do not document it: ' +
          'ec2-instance-connect:SendSerialConsoleSSHPublicKey, ec2:SendDiagnosticInterrupt, ec2:SendSpotInstanceInterruptions, ec2messages:SendReply',
      ),
    ]);
  });

  test('the key is tested without IfExists even when the statement tests other keys too', () => {
    expect(check({ Effect: 'Allow', Action: 'iam:*RolePolicy', Condition: { StringEquals: { 'iam:PolicyARN': 'x', 'aws:username': 'y' } } })).toEqual([
      notDocumented('iam:PolicyARN', 'iam:*RolePolicy', `an Allow without IfExists never applies to 4 of the 6 actions it matches, which do not document it: ${ROLE_POLICY_LACKING}`),
    ]);
  });

  test('with IfExists, or in a Deny, one documenting action is enough', () => {
    expect(check({ Effect: 'Allow', Action: 'iam:*RolePolicy', Condition: { StringEqualsIfExists: { 'iam:PolicyARN': 'x' } } })).toEqual([]);
    expect(check({ Effect: 'Deny', Action: 'iam:*RolePolicy', Condition: { StringEquals: { 'iam:PolicyARN': 'x' } } })).toEqual([]);
  });

  test('a key tested with IfExists needs one documenting action, though another key of the statement is tested without', () => {
    expect(
      check({ Effect: 'Allow', Action: 'iam:*RolePolicy', Condition: { StringEqualsIfExists: { 'iam:PolicyARN': 'x' }, StringEquals: { 'aws:username': 'y' } } }),
    ).toEqual([]);
  });

  test('a key tested both with and without IfExists in an Allow needs every action', () => {
    expect(
      check({ Effect: 'Allow', Action: 'iam:*RolePolicy', Condition: { StringEqualsIfExists: { 'iam:PolicyARN': 'x' }, StringLike: { 'iam:PolicyARN': 'y' } } }),
    ).toHaveLength(1);
  });

  test('a key none of the matched actions documents is a finding in a Deny too', () => {
    expect(check({ Effect: 'Deny', Action: 'iam:*RolePolicy', Condition: { StringEqualsIfExists: { 's3:prefix': 'x' } } })).toEqual([
      notDocumented('s3:prefix', 'iam:*RolePolicy', 'none of the 6 actions it matches documents it'),
    ]);
  });
});

describe('open-ended statements (NotAction, Action "*") need the key to exist', () => {
  const unknown = (key: string) => ({
    id: key,
    message: `${LABEL}: condition key ${key} is neither a global condition key nor one AWS's service authorization reference documents`,
  });

  test('under NotAction a key no service documents is a finding; one some action documents is not', () => {
    expect(check({ Effect: 'Deny', NotAction: 'iam:*RolePolicy', Condition: { StringEquals: { 's3:nonsense': 'x', 's3:prefix': 'y', 'aws:username': 'z' } } })).toEqual([
      unknown('s3:nonsense'),
    ]);
  });

  test('under Action "*" likewise', () => {
    expect(check({ Effect: 'Allow', Action: '*', Condition: { StringEquals: { 's3:nonsense': 'x', 's3:prefix': 'y' } } })).toEqual([unknown('s3:nonsense')]);
  });

  // ec2:osuser is documented only by ec2-instance-connect: it exists through the statement's actions.
  test('a key documented only by a service of the statement\'s Action or NotAction exists', () => {
    expect(check({ Effect: 'Allow', Action: ['*', 'GetObject', 'ec2-instance-connect:SendSSHPublicKey'], Condition: { StringEquals: { 'ec2:osuser': 'x' } } })).toEqual([]);
    expect(check({ Effect: 'Deny', NotAction: 'ec2-instance-connect:SendSSHPublicKey', Condition: { StringEquals: { 'ec2:osuser': 'x' } } })).toEqual([]);
    expect(check({ Effect: 'Allow', Action: ['*', 's3:GetObject'], Condition: { StringEquals: { 'ec2:osuser': 'x' } } })).toEqual([unknown('ec2:osuser')]);
  });
});

test('the rule\'s id, info and explanation', () => {
  expect({ id: ConditionKeyDocumented.id, info: ConditionKeyDocumented.info, explanation: ConditionKeyDocumented.explanation }).toEqual({
    id: 'ConditionKey',
    info: 'A condition tests a key that AWS does not send for the statement\'s actions.',
    explanation:
      'A key absent from the request context makes the condition false (or, negated, true) for every request, so an Allow never applies or a Deny always does. ' +
      'Keys are checked against AWS\'s global condition keys and the keys its service authorization reference documents for each action and resource type.',
  });
});
