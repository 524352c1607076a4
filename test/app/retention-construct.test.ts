import { App, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RETAINED, isRetained, removalPolicyFor } from '../../lib/shared/retention';

// The one place that decides what CloudFormation does with data-holding resources, without a
// whole deployment (test/app/retention.test.ts checks every deployment's templates): the
// retained policy as CloudFormation receives it, the config switch, and the predicate the
// gate and the tests use to tell a retained resource.

const policiesOf = (policy: RemovalPolicy) => {
  const stack = new Stack(new App(), 'X', { env: { account: '123456789012', region: 'eu-west-1' } });
  new CfnResource(stack, 'Data', { type: 'AWS::Logs::LogGroup' }).applyRemovalPolicy(policy);
  const { DeletionPolicy, UpdateReplacePolicy } = Template.fromStack(stack).toJSON().Resources.Data as Record<string, unknown>;
  return { DeletionPolicy, UpdateReplacePolicy };
};

test('RETAINED: kept on deletion and replacement, deleted only when the operation that created it rolls back', () => {
  expect(RETAINED).toBe(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
  expect(policiesOf(RETAINED)).toEqual({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
});

test.each<[string, boolean | undefined, RemovalPolicy]>([
  ['unset (the hardened default)', undefined, RETAINED],
  ['true', true, RETAINED],
  ['false (the data-destruction opt-in)', false, RemovalPolicy.DESTROY],
])('removalPolicyFor(retainOnDelete %s)', (_name, retainOnDelete, expected) => {
  expect(removalPolicyFor(retainOnDelete)).toBe(expected);
});

test.each<[string | undefined, string | undefined, boolean]>([
  ['RetainExceptOnCreate', 'Retain', true],
  ['Retain', 'Retain', true],
  ['Delete', 'Retain', false],
  ['Snapshot', 'Retain', false],
  [undefined, 'Retain', false],
  ['RetainExceptOnCreate', 'Delete', false],
  ['Retain', 'Delete', false],
  ['Retain', 'Snapshot', false],
  ['Retain', undefined, false],
  ['RetainExceptOnCreate', undefined, false],
  [undefined, undefined, false],
])('isRetained(DeletionPolicy %s, UpdateReplacePolicy %s) is %s', (DeletionPolicy, UpdateReplacePolicy, expected) => {
  expect(isRetained({ DeletionPolicy, UpdateReplacePolicy })).toBe(expected);
});

test('isRetained agrees with what CloudFormation receives for each removal policy', () => {
  expect([RETAINED, RemovalPolicy.RETAIN, RemovalPolicy.DESTROY, RemovalPolicy.SNAPSHOT].map((p) => isRetained(policiesOf(p)))).toEqual([true, true, false, false]);
});
