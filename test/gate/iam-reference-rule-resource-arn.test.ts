import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { matchingActions } from '../../lib/gate/iam-reference/catalogue';
import * as glob from '../../lib/gate/iam-reference/glob';
import { applies, expected, ResourceArnMatches } from '../../lib/gate/iam-reference/rules/resource-arn';

// IAMReference-ResourceArn on tiny resources of a bare stack: which statements
// are checked, what Resource "*" stands for, each message in full, the format cache.

const R = 'eu-west-1';
const A = '123456789012';

function resource(type: string, properties: Record<string, unknown>) {
  return new CfnResource(new Stack(new App(), 'S'), 'P', { type, properties });
}
const managed = (statement: Record<string, unknown>) =>
  resource('AWS::IAM::ManagedPolicy', { PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'T', ...statement }] } });
const check = (statement: Record<string, unknown>) => ResourceArnMatches.check(managed(statement));
const topicPolicy = (topics: unknown[], statement: Record<string, unknown>) =>
  ResourceArnMatches.check(resource('AWS::SNS::TopicPolicy', { Topics: topics, PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'T', ...statement }] } }));
const LABEL = 'statement "T" (#0) of PolicyDocument';
const QUEUE = `arn:aws:sqs:${R}:${A}:q`;
const TOPIC = `arn:aws:sns:${R}:${A}:t`;
const OBJECT_FORMAT =
  'AWS\'s reference expects accesspointobject (arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}) ' +
  'or object (arn:${Partition}:s3:::${BucketName}/${ObjectName})';
const actionFinding = (pattern: string, resources: string, why: string) => ({
  id: `Action::${pattern}`,
  message: `${LABEL}: ${pattern} applies to none of its resources (${resources}): ${why}`,
});
const resourceFinding = (label: string, actions: string) => ({
  id: `Resource::${label}`,
  message: `${LABEL}: resource ${label} fits none of its actions (${actions}) in AWS's service authorization reference`,
});

describe('messages', () => {
  test('one action: the ARN formats AWS expects; every resource listed; the dead resource named', () => {
    expect(check({ Effect: 'Allow', Action: 's3:GetObject', Resource: [QUEUE, `arn:aws:sqs:${R}:${A}:r`] })).toEqual([
      actionFinding('s3:GetObject', `${QUEUE}, arn:aws:sqs:${R}:${A}:r`, OBJECT_FORMAT),
      resourceFinding(QUEUE, 's3:GetObject'),
      resourceFinding(`arn:aws:sqs:${R}:${A}:r`, 's3:GetObject'),
    ]);
  });

  test('an action without resource types needs Resource "*"', () => {
    expect(check({ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: QUEUE })).toEqual([
      actionFinding('sts:GetCallerIdentity', QUEUE, 'AWS\'s reference lists no resource type for it, so it needs Resource "*"'),
      resourceFinding(QUEUE, 'sts:GetCallerIdentity'),
    ]);
    expect(check({ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' })).toEqual([]);
    // The empty string is not "*".
    expect(check({ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '' })).toHaveLength(2);
  });

  test('a pattern matching several actions says none applies; a resource lists every action of the statement', () => {
    const matched = matchingActions('s3:GetObjectT*')!.length;
    expect(matched).toBeGreaterThan(1);
    expect(check({ Effect: 'Allow', Action: ['s3:GetObjectT*', 'sqs:SendMessage'], Resource: `arn:aws:sns:${R}:${A}:t` })).toEqual([
      actionFinding('s3:GetObjectT*', TOPIC, `none of the ${matched} actions it matches applies to it`),
      actionFinding('sqs:SendMessage', TOPIC, 'AWS\'s reference expects queue (arn:${Partition}:sqs:${Region}:${Account}:${QueueName})'),
      resourceFinding(TOPIC, 's3:GetObjectT*, sqs:SendMessage'),
    ]);
  });
});

describe('which statements and actions are judged', () => {
  test('"*" and actions the reference lacks are left out; the other actions are judged', () => {
    expect(check({ Effect: 'Allow', Action: '*', Resource: QUEUE })).toEqual([]);
    expect(check({ Effect: 'Allow', Action: ['*', 's3:GetObjekt', 'GetObject'], Resource: QUEUE })).toEqual([]);
    expect(check({ Effect: 'Allow', Action: ['*', 's3:GetObject'], Resource: QUEUE })).toEqual([
      actionFinding('s3:GetObject', QUEUE, OBJECT_FORMAT),
      resourceFinding(QUEUE, 's3:GetObject'),
    ]);
  });

  test('statements with NotResource or NotAction, or without Resource, are left out', () => {
    expect(check({ Effect: 'Deny', Action: 's3:GetObject', NotResource: QUEUE })).toEqual([]);
    expect(check({ Effect: 'Deny', NotAction: 's3:GetObject', Resource: QUEUE })).toEqual([]);
    // Even beside a Resource or an Action (IAM rejects such a statement; it is not this rule's to judge).
    expect(check({ Effect: 'Deny', Action: 's3:GetObject', Resource: QUEUE, NotResource: QUEUE })).toEqual([]);
    expect(check({ Effect: 'Deny', Action: 's3:GetObject', NotAction: 's3:PutObject', Resource: QUEUE })).toEqual([]);
  });
});

describe('Resource "*" of a resource policy is the resource it is attached to', () => {
  test('"*" stands for the topics: an action on topics fits, one on queues does not', () => {
    expect(topicPolicy([TOPIC], { Effect: 'Allow', Action: 'sns:Publish', Resource: '*' })).toEqual([]);
    expect(topicPolicy([TOPIC], { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' })).toEqual([
      actionFinding('sqs:SendMessage', '*', 'AWS\'s reference expects queue (arn:${Partition}:sqs:${Region}:${Account}:${QueueName})'),
      resourceFinding('*', 'sqs:SendMessage'),
    ]);
  });

  test('a Resource other than "*" stands for itself', () => {
    expect(topicPolicy([TOPIC], { Effect: 'Allow', Action: 'sns:Publish', Resource: QUEUE })).toHaveLength(2);
  });

  test('"*" fits an action when one of the attached resources does', () => {
    expect(topicPolicy([TOPIC, 'not-an-arn'], { Effect: 'Allow', Action: 'sns:Publish', Resource: '*' })).toEqual([]);
    // An action without resource types: "*" fits when one attachment may be "*" (a parameter may hold anything).
    expect(topicPolicy([TOPIC, { Ref: 'TopicParameter' }], { Effect: 'Allow', Action: 'sns:ListTopics', Resource: '*' })).toEqual([]);
    expect(topicPolicy([TOPIC], { Effect: 'Allow', Action: 'sns:ListTopics', Resource: '*' })).toHaveLength(2);
  });

  test('without attachments (a queue policy) "*" is "*"', () => {
    expect(ResourceArnMatches.check(resource('AWS::SQS::QueuePolicy', { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] } }))).toEqual([]);
  });
});

test('an action whose resource types the reference does not resolve is given the benefit of the doubt', () => {
  const unresolved = { service: 's3', action: { name: 'Imagined', conditionKeys: [], resourceTypes: [{ name: 'nosuchtype', required: true, conditionKeys: [] }] } };
  const entry = { label: QUEUE, globs: [glob.policyGlob(QUEUE)] };
  expect(applies(unresolved as never, entry)).toBe(true);
  expect(applies(matchingActions('s3:GetObject')![0]!, entry)).toBe(false);
  expect(expected([unresolved as never])).toBe('AWS\'s reference lists no resource type for it, so it needs Resource "*"');
});

test('each ARN format is parsed once, however often it is asked for', () => {
  const spy = jest.spyOn(glob, 'formatGlob');
  try {
    const statement = { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: QUEUE };
    check(statement);
    check(statement);
    const table = spy.mock.calls.filter(([format]) => format.includes(':dynamodb:') && format.includes(':table/'));
    expect(table).toEqual([['arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}']]);
  } finally {
    spy.mockRestore();
  }
});

test('the rule\'s id, info and explanation', () => {
  expect({ id: ResourceArnMatches.id, info: ResourceArnMatches.info, explanation: ResourceArnMatches.explanation }).toEqual({
    id: 'ResourceArn',
    info: 'A statement\'s Resource does not match the resource types of its actions.',
    explanation:
      'IAM authorizes an action on the resource ARNs AWS\'s service authorization reference lists for it (or on "*" when it lists none); a statement ' +
      'whose resources fit none of them does not grant or deny what it says. Intrinsics count as any string, except the ARN of a resource of a known type.',
  });
});
