import { App, CfnResource, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import { anyString, literal, matches, nonEmpty, type Glob } from '../../lib/gate/iam-reference/glob';
import { valueGlob, valueLabel } from '../../lib/gate/iam-reference/values';

// A resolved CloudFormation value as the strings it can stand for at deploy
// time: pseudo parameters are one ARN field, resources of known types have
// their documented shapes, anything else is any string.

const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'S');
const node = new CfnResource(stack, 'Policy', { type: 'AWS::IAM::ManagedPolicy' });
const TYPES: Record<string, string> = {
  Bucket: 'AWS::S3::Bucket',
  Key: 'AWS::KMS::Key',
  Topic: 'AWS::SNS::Topic',
  Queue: 'AWS::SQS::Queue',
  Secret: 'AWS::SecretsManager::Secret',
  Logs: 'AWS::Logs::LogGroup',
  Role: 'AWS::IAM::Role',
  Fn: 'AWS::Lambda::Function',
  Other: 'AWS::EC2::Instance',
};
for (const [id, type] of Object.entries(TYPES)) new CfnResource(stack, id, { type });
new CfnResource(new NestedStack(stack, 'Nested'), 'InnerBucket', { type: 'AWS::S3::Bucket' });

/** Whether the value can stand for the string. */
const can = (value: unknown, s: string) => matches(valueGlob(node, value), s);
const ANY = ['', 'x', 'a:b/c'];

test('a string is a policy pattern', () => {
  expect(can('arn:aws:s3:::b/*', 'arn:aws:s3:::b/k')).toBe(true);
  expect(can('arn:aws:s3:::b/*', 'arn:aws:s3:::c/k')).toBe(false);
});

test.each([
  ['a number', 5],
  ['a list', ['a']],
  ['null', null],
  ['an empty object', {}],
  ['an intrinsic of unknown value', { 'Fn::ImportValue': 'x' }],
  ['a Ref to no resource of the stack', { Ref: 'Nowhere' }],
  ['a Ref to a resource of unknown shape', { Ref: 'Other' }],
  ['an unknown attribute of a known type', { 'Fn::GetAtt': ['Bucket', 'DomainName'] }],
  ['a GetAtt whose logical ID is not a string', { 'Fn::GetAtt': [{ Ref: 'Bucket' }, 'Arn'] }],
  ['a resource of a nested stack (another template)', { 'Fn::GetAtt': ['InnerBucket', 'Arn'] }],
  ['a Join whose separator is not a string', { 'Fn::Join': [{ Ref: 'X' }, ['a']] }],
  ['a Join whose parts are not a list', { 'Fn::Join': ['', 'ab'] }],
  ['a Join that is not a list', { 'Fn::Join': 'ab' }],
  ['a Sub whose text is not a string', { 'Fn::Sub': [{ Ref: 'X' }, {}] }],
  ['a Ref that is not a string', { Ref: ['Bucket'] }],
  ['a Ref to a list holding a pseudo parameter\'s name', { Ref: ['AWS::Region'] }],
  ['an intrinsic whose arguments look like a Join\'s (Fn::Select)', { 'Fn::Select': ['1', ['a', 'b']] }],
  ['a GetAtt that is not a list', { 'Fn::GetAtt': 'Bucket.Arn' }],
])('%s is any string', (_, value) => {
  for (const s of ANY) expect(can(value, s)).toBe(true);
});

test.each(['AWS::Partition', 'AWS::Region', 'AWS::AccountId'])('Ref %s is one non-empty ARN field', (pseudo) => {
  expect(can({ Ref: pseudo }, 'eu-west-1')).toBe(true);
  expect(can({ Ref: pseudo }, '')).toBe(false);
  expect(can({ Ref: pseudo }, 'a:b')).toBe(false);
  expect(can({ Ref: pseudo }, 'a/b')).toBe(false);
});

const getAtt = (id: string, attribute: string) => ({ 'Fn::GetAtt': [id, attribute] });
test.each([
  ['S3 bucket Arn', getAtt('Bucket', 'Arn'), 'arn:aws:s3:::my-bucket', ['arn:aws:s3:::my-bucket/k', 'arn:aws:s3:eu-west-1::b', 'arn:aws:s3:::', 'arn:aws:sqs:::b']],
  ['S3 bucket Ref', { Ref: 'Bucket' }, 'my-bucket', ['', 'a/b', 'a:b']],
  ['KMS key Arn', getAtt('Key', 'Arn'), 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd', ['arn:aws:kms:eu-west-1:123456789012:alias/k', 'arn:aws:kms::123456789012:key/k', 'arn:aws:kms:eu-west-1::key/k', 'arn:aws:kms:eu-west-1:1:key/a/b', 'arn::kms:r:1:key/k']],
  ['KMS key Ref', { Ref: 'Key' }, '1234abcd', ['', 'a/b', 'a:b']],
  ['SNS topic Ref', { Ref: 'Topic' }, 'arn:aws:sns:eu-west-1:123456789012:alerts', ['arn:aws:sns:eu-west-1::alerts', 'arn:aws:sns::1:alerts', 'arn:aws:sns:r:1:a/b', 'arn:aws:sns:r:1:']],
  ['SNS topic TopicArn', getAtt('Topic', 'TopicArn'), 'arn:aws:sns:eu-west-1:123456789012:alerts', ['arn:aws:sns:eu-west-1::alerts']],
  ['SQS queue Arn', getAtt('Queue', 'Arn'), 'arn:aws:sqs:eu-west-1:123456789012:q', ['arn:aws:sqs:eu-west-1::q', 'arn:aws:sqs:r:1:a:b']],
  ['secret Ref', { Ref: 'Secret' }, 'arn:aws:secretsmanager:eu-west-1:1:secret:a/b-AbCdEf', ['arn:aws:secretsmanager:eu-west-1:1:secret:a:b', 'arn:aws:secretsmanager:eu-west-1:1:secrets:a', 'arn:aws:secretsmanager:eu-west-1:1:secret:']],
  ['secret Id', getAtt('Secret', 'Id'), 'arn:aws:secretsmanager:eu-west-1:1:secret:a-AbCdEf', ['arn:aws:secretsmanager:eu-west-1::secret:a']],
  ['log group Arn (every stream)', getAtt('Logs', 'Arn'), 'arn:aws:logs:eu-west-1:1:log-group:/a/b:*', ['arn:aws:logs:eu-west-1:1:log-group:/a/b', 'arn:aws:logs:eu-west-1:1:log-group::*', 'arn:aws:logs:eu-west-1:1:log-groups:g:*']],
  ['role Arn', getAtt('Role', 'Arn'), 'arn:aws:iam::123456789012:role/path/r', ['arn:aws:iam:eu-west-1:1:role/r', 'arn:aws:iam:::role/r', 'arn:aws:iam::1:role/', 'arn:aws:iam::1:role/a:b', 'arn:aws:iam::1:user/r']],
  ['Lambda function Arn', getAtt('Fn', 'Arn'), 'arn:aws:lambda:eu-west-1:1:function:f', ['arn:aws:lambda:eu-west-1:1:function:f:alias', 'arn:aws:lambda:eu-west-1:1:function:a/b', 'arn:aws:lambda:eu-west-1::function:f']],
])('%s has its documented shape', (_, value, good, bad) => {
  expect(can(value, good)).toBe(true);
  for (const s of bad) expect([s, can(value, s)]).toEqual([s, false]);
});

/**
 * The exact pattern a shape stands for: {F} one ARN field (non-empty, neither
 * : nor /), {N} a non-empty name without :, {*} any string, the rest literal.
 */
const shape = (text: string): Glob =>
  text.split(/(\{[FN*]\})/).flatMap((part, i) => {
    if (i % 2 === 0) return literal(part);
    return part === '{F}' ? nonEmpty(':/') : part === '{N}' ? nonEmpty(':') : anyString();
  });

test.each([
  [{ Ref: 'AWS::Partition' }, '{F}'],
  [{ Ref: 'AWS::Region' }, '{F}'],
  [{ Ref: 'AWS::AccountId' }, '{F}'],
  [getAtt('Bucket', 'Arn'), 'arn:{F}:s3:::{F}'],
  [{ Ref: 'Bucket' }, '{F}'],
  [getAtt('Key', 'Arn'), 'arn:{F}:kms:{F}:{F}:key/{F}'],
  [{ Ref: 'Key' }, '{F}'],
  [{ Ref: 'Topic' }, 'arn:{F}:sns:{F}:{F}:{F}'],
  [getAtt('Topic', 'TopicArn'), 'arn:{F}:sns:{F}:{F}:{F}'],
  [getAtt('Queue', 'Arn'), 'arn:{F}:sqs:{F}:{F}:{F}'],
  [{ Ref: 'Secret' }, 'arn:{F}:secretsmanager:{F}:{F}:secret:{N}'],
  [getAtt('Secret', 'Id'), 'arn:{F}:secretsmanager:{F}:{F}:secret:{N}'],
  [getAtt('Logs', 'Arn'), 'arn:{F}:logs:{F}:{F}:log-group:{N}:{*}'],
  [getAtt('Role', 'Arn'), 'arn:{F}:iam::{F}:role/{N}'],
  [getAtt('Fn', 'Arn'), 'arn:{F}:lambda:{F}:{F}:function:{F}'],
  [{ Ref: 'Other' }, '{*}'],
])('%j is exactly %s', (value, expected) => {
  expect(valueGlob(node, value)).toEqual(shape(expected));
});

describe('the resource types of a stack', () => {
  const app = new App({ builtinCloudFormationValidation: false });
  const first = new Stack(app, 'First');
  new CfnResource(first, 'Bucket', { type: 'AWS::S3::Bucket' });
  const firstPolicy = new CfnResource(first, 'Policy', { type: 'AWS::IAM::ManagedPolicy' });
  const second = new Stack(app, 'Second');
  new CfnResource(second, 'Bucket', { type: 'AWS::EC2::Instance' });
  const secondPolicy = new CfnResource(second, 'Policy', { type: 'AWS::IAM::ManagedPolicy' });
  const staged = new Stack(new Stage(app, 'Stage'), 'Staged');
  const stagedPolicy = new CfnResource(staged, 'Policy', { type: 'AWS::IAM::ManagedPolicy' });
  const outer = new Stack(app, 'Outer');
  const outerPolicy = new CfnResource(outer, 'Policy', { type: 'AWS::IAM::ManagedPolicy' });
  new CfnResource(new NestedStack(outer, 'Nested'), 'Bucket', { type: 'AWS::S3::Bucket' });

  test('are those of the policy\'s own stack: the same logical ID elsewhere (another stack, a stack of a nested stage) has its own type or none', () => {
    expect(valueGlob(firstPolicy, { Ref: 'Bucket' })).toEqual(shape('{F}'));
    expect(valueGlob(secondPolicy, { Ref: 'Bucket' })).toEqual(anyString());
    expect(valueGlob(stagedPolicy, { Ref: 'Bucket' })).toEqual(anyString());
    expect(valueGlob(firstPolicy, { 'Fn::GetAtt': ['Bucket', 'Arn'] })).toEqual(shape('arn:{F}:s3:::{F}'));
  });

  test('leave out the resources of a nested stack (another template), read with the stack\'s own', () => {
    // The first look-up of this stack: the types are read here, not taken from an earlier test.
    expect(valueGlob(outerPolicy, { Ref: 'Bucket' })).toEqual(anyString());
    expect(valueGlob(outerPolicy, { 'Fn::GetAtt': ['Bucket', 'Arn'] })).toEqual(anyString());
  });

  test('are read once per stack, however many values of its policies are looked at', () => {
    const fresh = new Stack(app, 'Fresh');
    new CfnResource(fresh, 'Key', { type: 'AWS::KMS::Key' });
    const policy = new CfnResource(fresh, 'Policy', { type: 'AWS::IAM::ManagedPolicy' });
    const walk = jest.spyOn(fresh.node, 'findAll');
    expect(valueGlob(policy, { Ref: 'Key' })).toEqual(shape('{F}'));
    expect(valueGlob(policy, { 'Fn::GetAtt': ['Key', 'Arn'] })).toEqual(shape('arn:{F}:kms:{F}:{F}:key/{F}'));
    expect(valueGlob(policy, { 'Fn::Sub': '${Key}' })).toEqual(shape('{F}'));
    expect(walk).toHaveBeenCalledTimes(1);
  });
});

test('Fn::Join puts its separator between the parts', () => {
  const joined = { 'Fn::Join': ['/', ['a', { Ref: 'AWS::Region' }, 'c']] };
  expect(can(joined, 'a/eu-west-1/c')).toBe(true);
  expect(can(joined, 'aeu-west-1c')).toBe(false);
  expect(can(joined, '/a/eu-west-1/c')).toBe(false);
  expect(can({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] }, 'arn:aws:s3:::b/k')).toBe(true);
});

describe('Fn::Sub', () => {
  test('pseudo parameters, resources and attributes of the stack', () => {
    const sub = { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/${Queue.Arn}' };
    expect(can(sub, 'arn:aws:s3:::b/arn:aws:sqs:r:1:q')).toBe(true);
    expect(can(sub, 'arn:a:b:s3:::b/arn:aws:sqs:r:1:q')).toBe(false);
    expect(can(sub, 'arn:aws:s3:::a/b/arn:aws:sqs:r:1:q')).toBe(false);
    expect(can(sub, 'arn:aws:s3:::b/x')).toBe(false);
  });

  test('${!Name} is the literal text ${Name}', () => {
    expect(can({ 'Fn::Sub': 'a${!Literal}b' }, 'a${Literal}b')).toBe(true);
    expect(can({ 'Fn::Sub': 'a${!Literal}b' }, 'axb')).toBe(false);
  });

  test('variables given with the text take precedence over the stack\'s names', () => {
    const sub = { 'Fn::Sub': ['${Bucket}-${X}', { Bucket: 'given', X: { Ref: 'AWS::Region' } }] };
    expect(can(sub, 'given-eu-west-1')).toBe(true);
    expect(can(sub, 'other-eu-west-1')).toBe(false);
    expect(can(sub, 'given-a/b')).toBe(false);
  });

  test('variables that are not an object are ignored; an unknown name is any string', () => {
    expect(can({ 'Fn::Sub': ['x-${Bucket}', 'not variables'] }, 'x-b')).toBe(true);
    expect(can({ 'Fn::Sub': ['x-${Bucket}', 'not variables'] }, 'x-a/b')).toBe(false);
    expect(can({ 'Fn::Sub': 'x-${Unknown}' }, 'x-')).toBe(true);
    expect(can({ 'Fn::Sub': 'x-${Unknown}' }, 'y-a')).toBe(false);
  });

  test('plain text is a policy pattern', () => {
    expect(can({ 'Fn::Sub': 'a*' }, 'abc')).toBe(true);
    expect(can({ 'Fn::Sub': 'a*' }, 'bc')).toBe(false);
  });
});

test('valueLabel: a string as it is, an intrinsic in cdk-nag\'s notation', () => {
  expect(valueLabel('arn:aws:s3:::b')).toBe('arn:aws:s3:::b');
  expect(valueLabel('arn:aws:s3:::b/${aws:username}/*')).toBe('arn:aws:s3:::b/${aws:username}/*');
  expect(valueLabel({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] })).toBe('<Bucket.Arn>/*');
});
