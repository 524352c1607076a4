import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { conditionEntries } from '../../lib/gate/iam-reference/conditions';
import { matches } from '../../lib/gate/iam-reference/glob';
import { actionsOf, asList, isObject, loneActionsOf, propertiesOf, statementsOf } from '../../lib/gate/iam-reference/policies';

// The policies a resource carries, statement by statement, as written to the template.

const stack = () => new Stack(new App({ builtinCloudFormationValidation: false }), 'S');
const resource = (type: string, properties?: Record<string, unknown>) => new CfnResource(stack(), 'R', { type, properties });
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });
const allow = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
const labels = (r: CfnResource) => statementsOf(r).map((s) => [s.label, s.kind]);

test('propertiesOf: the resolved properties, {} for none', () => {
  expect(propertiesOf(resource('AWS::SNS::Topic', { TopicName: 't' }))).toEqual({ TopicName: 't' });
  expect(propertiesOf(resource('AWS::SNS::Topic'))).toEqual({});
});

test('propertiesOf: a resource CloudFormation does not write (shouldSynthesize false) has no properties', () => {
  const r = resource('AWS::IAM::ManagedPolicy', { PolicyDocument: doc(allow) });
  (r as unknown as { shouldSynthesize: () => boolean }).shouldSynthesize = () => false;
  expect(propertiesOf(r)).toEqual({});
  expect(statementsOf(r)).toEqual([]);
});

test('propertiesOf refuses to guess when aws-cdk-lib\'s internals change', () => {
  const r = resource('AWS::SNS::Topic');
  (r as unknown as { _toCloudFormation?: unknown })._toCloudFormation = undefined;
  expect(() => propertiesOf(r)).toThrow(new Error('aws-cdk-lib internals changed (CfnResource._toCloudFormation is gone): update lib/gate/iam-reference/policies.ts'));
});

describe('statementsOf', () => {
  test('a role: its trust policy, then each inline policy named by index and name', () => {
    const r = resource('AWS::IAM::Role', {
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      Policies: [{ PolicyName: 'p', PolicyDocument: doc(allow, { ...allow, Sid: 'Second' }) }, { PolicyDocument: doc(allow) }, 'not a policy', { PolicyName: 5, PolicyDocument: doc(allow) }],
    });
    expect(labels(r)).toEqual([
      ['statement #0 of AssumeRolePolicyDocument', 'trust'],
      ['statement #0 of Policies[0] (p)', 'identity'],
      ['statement "Second" (#1) of Policies[0] (p)', 'identity'],
      ['statement #0 of Policies[1]', 'identity'],
      ['statement #0 of Policies[3]', 'identity'],
    ]);
    expect(statementsOf(r)[1]!.body).toEqual(allow);
    expect(statementsOf(r)[1]!.attachedTo).toBeUndefined();
  });

  test('a single statement (not a list) is one statement; an empty Sid is no name', () => {
    expect(labels(resource('AWS::IAM::ManagedPolicy', { PolicyDocument: { Statement: { ...allow, Sid: '' } } }))).toEqual([['statement #0 of PolicyDocument', 'identity']]);
  });

  test('a policy without statements, or a resource without its policy, has none', () => {
    expect(statementsOf(resource('AWS::IAM::ManagedPolicy', { PolicyDocument: {} }))).toEqual([]);
    expect(statementsOf(resource('AWS::S3::BucketPolicy', {}))).toEqual([]);
    expect(statementsOf(resource('AWS::Events::EventBusPolicy', { StatementId: 'x' }))).toEqual([]);
  });

  test('a resource type without policies has none', () => {
    expect(statementsOf(resource('AWS::SNS::Topic', { PolicyDocument: doc(allow) }))).toEqual([]);
  });

  test('an event bus policy\'s single Statement is its policy', () => {
    expect(labels(resource('AWS::Events::EventBusPolicy', { Statement: allow }))).toEqual([['statement #0 of Statement', 'resource']]);
  });

  test('a policy that is a JSON string is parsed', () => {
    expect(labels(resource('AWS::Logs::ResourcePolicy', { PolicyDocument: JSON.stringify(doc(allow)) }))).toEqual([['statement #0 of PolicyDocument', 'resource']]);
  });

  test.each([
    ['a string that is not JSON', '{not json', 'PolicyDocument is a string that is not JSON, so its statements cannot be checked against AWS\'s reference'],
    ['a JSON string that is no object', '[1]', 'PolicyDocument is not a policy document object, so it cannot be checked against AWS\'s reference'],
  ])('%s is refused with a message', (_, document, message) => {
    expect(() => statementsOf(resource('AWS::Logs::ResourcePolicy', { PolicyDocument: document }))).toThrow(new Error(message));
  });

  test('a policy that is no object, or a statement that is no object, is refused with a message', () => {
    expect(() => statementsOf(resource('AWS::IAM::ManagedPolicy', { PolicyDocument: ['x'] }))).toThrow(
      new Error('PolicyDocument is not a policy document object, so it cannot be checked against AWS\'s reference'),
    );
    expect(() => statementsOf(resource('AWS::IAM::ManagedPolicy', { PolicyDocument: doc(allow, 'x') }))).toThrow(new Error('statement #1 of PolicyDocument is not an object'));
  });

  // Every table entry: the property its policy is read from (named in the label) and the policy's kind.
  const named = { ...allow, Sid: 'Named' };
  test.each([
    ['AWS::IAM::Role', { AssumeRolePolicyDocument: doc(named), Policies: [{ PolicyName: 'p', PolicyDocument: doc(allow) }] }, [['statement "Named" (#0) of AssumeRolePolicyDocument', 'trust'], ['statement #0 of Policies[0] (p)', 'identity']]],
    ['AWS::IAM::User', { Policies: [{ PolicyName: 'p', PolicyDocument: doc(allow, named) }] }, [['statement #0 of Policies[0] (p)', 'identity'], ['statement "Named" (#1) of Policies[0] (p)', 'identity']]],
    ['AWS::IAM::Group', { Policies: [{ PolicyName: 'p', PolicyDocument: doc(named) }] }, [['statement "Named" (#0) of Policies[0] (p)', 'identity']]],
    ['AWS::IAM::Policy', { PolicyDocument: doc(named) }, [['statement "Named" (#0) of PolicyDocument', 'identity']]],
    ['AWS::IAM::ManagedPolicy', { PolicyDocument: doc(named) }, [['statement "Named" (#0) of PolicyDocument', 'identity']]],
    ['AWS::IAM::RolePolicy', { PolicyDocument: doc(named) }, [['statement "Named" (#0) of PolicyDocument', 'identity']]],
    ['AWS::IAM::UserPolicy', { PolicyDocument: doc(named) }, [['statement "Named" (#0) of PolicyDocument', 'identity']]],
    ['AWS::IAM::GroupPolicy', { PolicyDocument: doc(named) }, [['statement "Named" (#0) of PolicyDocument', 'identity']]],
    ['AWS::KMS::Key', { KeyPolicy: doc(named) }, [['statement "Named" (#0) of KeyPolicy', 'resource']]],
    ['AWS::KMS::ReplicaKey', { KeyPolicy: doc(named) }, [['statement "Named" (#0) of KeyPolicy', 'resource']]],
    ['AWS::SNS::TopicPolicy', { PolicyDocument: doc(named), Topics: ['arn:aws:sns:r:1:t'] }, [['statement "Named" (#0) of PolicyDocument', 'resource']]],
    ['AWS::SQS::QueuePolicy', { PolicyDocument: doc(named) }, [['statement "Named" (#0) of PolicyDocument', 'resource']]],
    ['AWS::S3::BucketPolicy', { PolicyDocument: doc(named) }, [['statement "Named" (#0) of PolicyDocument', 'resource']]],
    ['AWS::SecretsManager::ResourcePolicy', { ResourcePolicy: doc(named), SecretId: 's' }, [['statement "Named" (#0) of ResourcePolicy', 'resource']]],
    ['AWS::Logs::ResourcePolicy', { PolicyDocument: JSON.stringify(doc(named)) }, [['statement "Named" (#0) of PolicyDocument', 'resource']]],
    ['AWS::ECR::Repository', { RepositoryPolicyText: doc(named) }, [['statement "Named" (#0) of RepositoryPolicyText', 'resource']]],
    ['AWS::Events::EventBusPolicy', { Statement: named }, [['statement "Named" (#0) of Statement', 'resource']]],
    ['AWS::EFS::FileSystem', { FileSystemPolicy: doc(named) }, [['statement "Named" (#0) of FileSystemPolicy', 'resource']]],
    ['AWS::Backup::BackupVault', { AccessPolicy: doc(named) }, [['statement "Named" (#0) of AccessPolicy', 'resource']]],
    ['AWS::OpenSearchService::Domain', { AccessPolicies: doc(named) }, [['statement "Named" (#0) of AccessPolicies', 'resource']]],
    ['AWS::ApiGateway::RestApi', { Policy: doc(named) }, [['statement "Named" (#0) of Policy', 'resource']]],
  ])('%s: its policy is read from the property the label names, with its kind', (type, properties, expected) => {
    expect(labels(resource(type, properties))).toEqual(expected);
  });

  test('a statement without a Sid, or with a Sid that is no string, is labelled by index alone', () => {
    expect(labels(resource('AWS::S3::BucketPolicy', { PolicyDocument: doc(allow, { ...allow, Sid: 7 }, { ...allow, Sid: 'S' }) }))).toEqual([
      ['statement #0 of PolicyDocument', 'resource'],
      ['statement #1 of PolicyDocument', 'resource'],
      ['statement "S" (#2) of PolicyDocument', 'resource'],
    ]);
  });

  test('a key policy\'s "*" is the key itself', () => {
    const s = stack();
    const key = new CfnResource(s, 'Key', { type: 'AWS::KMS::Key', properties: { KeyPolicy: doc(allow) } });
    const [statement] = statementsOf(key);
    expect(statement!.kind).toBe('resource');
    expect(statement!.attachedTo!.map((g) => matches(g, 'arn:aws:kms:eu-west-1:1:key/k'))).toEqual([true]);
    expect(statement!.attachedTo!.map((g) => matches(g, 'arn:aws:kms:eu-west-1:1:alias/k'))).toEqual([false]);
  });

  test('a topic policy is attached to its topics, a secret policy to its secret; other resource policies to nothing named', () => {
    const topics = statementsOf(resource('AWS::SNS::TopicPolicy', { PolicyDocument: doc(allow), Topics: ['arn:aws:sns:r:1:a', 'arn:aws:sns:r:1:b'] }))[0]!;
    expect(topics.attachedTo!.map((g) => ['arn:aws:sns:r:1:a', 'arn:aws:sns:r:1:b', 'arn:aws:sns:r:1:c'].map((t) => matches(g, t)))).toEqual([
      [true, false, false],
      [false, true, false],
    ]);
    const secret = statementsOf(resource('AWS::SecretsManager::ResourcePolicy', { ResourcePolicy: doc(allow), SecretId: 'arn:aws:secretsmanager:r:1:secret:s' }))[0]!;
    expect(secret.attachedTo!.map((g) => matches(g, 'arn:aws:secretsmanager:r:1:secret:s'))).toEqual([true]);
    expect(statementsOf(resource('AWS::SQS::QueuePolicy', { PolicyDocument: doc(allow) }))[0]!.attachedTo).toBeUndefined();
  });
});

test('loneActionsOf: a Lambda permission\'s Action; nothing for other types', () => {
  expect(loneActionsOf(resource('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction' }))).toEqual([{ label: 'Action of the Lambda permission', action: 'lambda:InvokeFunction' }]);
  expect(loneActionsOf(resource('AWS::SNS::Topic', { Action: 'lambda:InvokeFunction' }))).toEqual([]);
});

test('actionsOf: the strings of Action or NotAction, one or many, intrinsics left out', () => {
  expect(actionsOf({ Action: 's3:GetObject' }, 'Action')).toEqual(['s3:GetObject']);
  expect(actionsOf({ Action: ['s3:GetObject', { Ref: 'X' }, 'kms:Decrypt'] }, 'Action')).toEqual(['s3:GetObject', 'kms:Decrypt']);
  expect(actionsOf({ Action: 's3:GetObject', NotAction: 'iam:*' }, 'NotAction')).toEqual(['iam:*']);
  expect(actionsOf({}, 'Action')).toEqual([]);
});

test('asList and isObject', () => {
  expect([asList(undefined), asList('a'), asList(['a', 'b']), asList(null)]).toEqual([[], ['a'], ['a', 'b'], [null]]);
  expect([isObject({}), isObject([]), isObject(null), isObject('x')]).toEqual([true, false, false, false]);
});

test('conditionEntries: each key of each operator; no Condition, or an operator without keys, gives none', () => {
  expect(conditionEntries({ Condition: { StringEquals: { 'aws:SourceAccount': '1', 'aws:SourceArn': ['a'] }, Bool: { 'aws:SecureTransport': 'true' } } })).toEqual([
    { operator: 'StringEquals', key: 'aws:SourceAccount', value: '1' },
    { operator: 'StringEquals', key: 'aws:SourceArn', value: ['a'] },
    { operator: 'Bool', key: 'aws:SecureTransport', value: 'true' },
  ]);
  expect(conditionEntries({})).toEqual([]);
  expect(conditionEntries({ Condition: ['x'] })).toEqual([]);
  expect(conditionEntries({ Condition: { StringEquals: 'x', Bool: { k: true } } })).toEqual([{ operator: 'Bool', key: 'k', value: true }]);
});
