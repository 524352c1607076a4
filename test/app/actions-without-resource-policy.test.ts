import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { projectContext } from '../../lib/app';
import { ActionsWithoutResourcePolicy, OPTIONAL_RESOURCE_ON_STAR, takesResourceArn } from '../../lib/shared/actions-without-resource-policy';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The one managed policy of a role that may carry the IAM5 Resource::* acknowledgement, on
// a bare stack (not the whole app), with the feature flags of cdk.json: it takes only Allow
// statements of actions on Resource "*", nothing can be added after construction, and the
// acknowledgement with its reason sits on it alone.

const REASON = 'Only ec2:DescribeInstances (no resource-level permissions) takes Resource *, nothing else is in this policy.';
const describeInstances = () => new iam.PolicyStatement({ sid: 'SeeInstances', actions: ['ec2:DescribeInstances'], resources: ['*'] });
const putMetricData = () =>
  new iam.PolicyStatement({ sid: 'PublishOwnMetric', actions: ['cloudwatch:PutMetricData'], resources: ['*'], conditions: { StringEquals: { 'cloudwatch:namespace': 'OpenClaw/x' } } });

const newStack = () => new Stack(new App({ context: projectContext() }), 'Spend', { env: { account: '123456789012', region: 'eu-west-1' } });
const stack = newStack();
const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
const unattached = new ActionsWithoutResourcePolicy(stack, 'Unattached', { description: 'Actions without resource ARNs', statements: [describeInstances(), putMetricData()], reason: REASON });
new ActionsWithoutResourcePolicy(stack, 'Attached', { description: 'Attached to the role', statements: [describeInstances()], reason: REASON, roles: [role] });
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;

test('one managed policy per construct, nothing else (the role is the test\'s)', () => {
  expect(Object.entries(resources).map(([id, r]) => [id, r.Type])).toEqual([
    ['Role1ABCC5F0', 'AWS::IAM::Role'],
    ['UnattachedED2DD7D5', 'AWS::IAM::ManagedPolicy'],
    ['AttachedB3D7EC82', 'AWS::IAM::ManagedPolicy'],
  ]);
});

test('the statements it was made with, in order, and no role unless given', () => {
  expect(resources.UnattachedED2DD7D5).toEqual({
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      Description: 'Actions without resource ARNs',
      Path: '/',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'SeeInstances', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' },
          { Sid: 'PublishOwnMetric', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'OpenClaw/x' } } },
        ],
      },
    },
  });
});

test('attaches itself to the roles it is given (for a role that cannot list it in ManagedPolicyArns)', () => {
  expect(resources.AttachedB3D7EC82).toEqual({
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      Description: 'Attached to the role',
      Path: '/',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'SeeInstances', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }] },
      Roles: [{ Ref: 'Role1ABCC5F0' }],
    },
  });
});

test('carries the IAM5 Resource::* acknowledgement with its reason, on its own resource only', () => {
  expect(collectAcknowledgements(stack).map((a) => [a.path, a.rule, a.reason, a.onSingleResource, a.madeBy])).toEqual([
    ['Spend/Unattached/Resource', 'AwsSolutions-IAM5[Resource::*]', REASON, true, 'blueprint'],
    ['Spend/Attached/Resource', 'AwsSolutions-IAM5[Resource::*]', REASON, true, 'blueprint'],
  ]);
});

test('nothing may be added after construction (its acknowledgement covers only the statements it was made with)', () => {
  const message = 'ActionsWithoutResourcePolicy Spend/Unattached: no statement may be added after construction (its IAM5 acknowledgement covers only the statements it was made with)';
  expect(() => unattached.addStatements(putMetricData())).toThrow(new Error(message));
  expect(unattached.document.toJSON()).toEqual({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'SeeInstances', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' },
      { Sid: 'PublishOwnMetric', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'OpenClaw/x' } } },
    ],
  });
});

describe('refuses every statement that is not an Allow of actions on Resource "*" only', () => {
  const refused = (sid: string) =>
    new Error(`ActionsWithoutResourcePolicy Policy: statement ${sid} must be an Allow of actions on Resource "*" only; grants that name resources belong in another policy`);
  const make = (...statements: iam.PolicyStatement[]) => () => new ActionsWithoutResourcePolicy(newStack(), 'Policy', { description: 'd', statements, reason: REASON });

  test.each([
    ['a Deny', new iam.PolicyStatement({ sid: 'DenyAll', effect: iam.Effect.DENY, actions: ['ec2:DescribeInstances'], resources: ['*'] }), 'DenyAll'],
    ['a named resource', new iam.PolicyStatement({ sid: 'OneInstance', actions: ['ec2:StopInstances'], resources: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-1'] }), 'OneInstance'],
    ['"*" and a named resource', new iam.PolicyStatement({ sid: 'Both', actions: ['ec2:StopInstances'], resources: ['*', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-1'] }), 'Both'],
    ['NotResource (a statement has Resource or NotResource, never both)', new iam.PolicyStatement({ sid: 'AllBut', actions: ['ec2:StopInstances'], notResources: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-1'] }), 'AllBut'],
    ['NotAction on Resource "*"', new iam.PolicyStatement({ sid: 'AllButOne', notActions: ['iam:*'], resources: ['*'] }), 'AllButOne'],
  ])('%s', (_what, statement, sid) => {
    expect(make(statement)).toThrow(refused(sid));
  });

  test('a refused statement without a sid is named "(no sid)" in the message (it is refused for its resource, not for lacking a sid)', () => {
    const noSid = new iam.PolicyStatement({ actions: ['ec2:StopInstances'], resources: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-1'] });
    expect(make(noSid)).toThrow(refused('(no sid)'));
  });

  test('one bad statement among good ones is enough', () => {
    const bad = new iam.PolicyStatement({ sid: 'Third', effect: iam.Effect.DENY, actions: ['ec2:DescribeInstances'], resources: ['*'] });
    expect(make(describeInstances(), putMetricData(), bad)).toThrow(refused('Third'));
  });

  test('an Allow on Resource "*" with a condition is accepted', () => {
    expect(make(putMetricData())).not.toThrow();
  });

  test('an Allow on Resource "*" without a sid is accepted (a sid is not required)', () => {
    expect(make(new iam.PolicyStatement({ actions: ['ec2:DescribeInstances'], resources: ['*'] }))).not.toThrow();
  });
});

describe('refuses, on every synth, an action that is not one documented action without a required resource type (AWS\'s service authorization reference)', () => {
  const make = (actions: string[]) => () =>
    new ActionsWithoutResourcePolicy(newStack(), 'Policy', { description: 'd', statements: [new iam.PolicyStatement({ sid: 'Grant', actions, resources: ['*'] })], reason: REASON });
  const refused = (action: string, why: string) => new Error(`ActionsWithoutResourcePolicy Policy: statement Grant: ${action} ${why}; grant it on its resources in another policy`);

  test.each([
    ['an action that takes a resource ARN', 'ec2:StopInstances', "takes a resource ARN (instance, required in AWS's service authorization reference)"],
    ['one whose resource types are all optional (one of them is named by every call)', 's3:GetObject', "takes a resource ARN (accesspointobject; object in AWS's service authorization reference)"],
    ['a pattern, even of actions without resource ARNs', 'ec2:Describe*', 'is not one named action (a pattern could match actions that take a resource ARN)'],
    ['every action', '*', 'is not one named action (a pattern could match actions that take a resource ARN)'],
    ['an action AWS does not document', 'ec2:DescribeEverything', "is not in AWS's service authorization reference"],
    ['an unknown service', 'nosuchservice:List', "is not in AWS's service authorization reference"],
  ])('%s (%s)', (_what, action, why) => {
    expect(make(['ec2:DescribeInstances', action])).toThrow(refused(action, why));
  });

  test('accepted: actions without a resource type, and one whose only type is optional (cloudwatch:PutMetricData, "dataset")', () => {
    expect(make(['ec2:DescribeInstances', 'secretsmanager:GetRandomPassword', 'ce:ListCostAllocationTags'])).not.toThrow();
    expect(make(['cloudwatch:PutMetricData'])).not.toThrow();
    expect(takesResourceArn('cloudwatch:PutMetricData')).toBeUndefined();
    // Action names are case-insensitive in IAM, as in the reference's lookup.
    expect(takesResourceArn('ec2:describeinstances')).toBeUndefined();
    expect(Object.keys(OPTIONAL_RESOURCE_ON_STAR)).toEqual(['cloudwatch:putmetricdata']);
  });
});
