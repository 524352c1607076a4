import {
  arnOf,
  contextFor,
  exportsOf,
  outputsOf,
  refOf,
  resolveIntrinsics,
  SECRET_ARN_SUFFIX,
  type CfnTemplate,
  type IntrinsicContext,
} from './iam-intrinsics';
import {
  evaluate,
  explain,
  identityPoliciesOf,
  resourcePolicyOf,
  statementsOf,
  type AccessRequest,
  type PolicyDocument,
  type Statement,
} from './iam-policy';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/App`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/Other`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:app/db-AbCdEf`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd`;

const doc = (...Statement: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[], extra: Partial<Statement> = {}): Statement => ({ Effect: 'Allow', Action, Resource, ...extra });
const deny = (Action: string | string[], Resource: string | string[], extra: Partial<Statement> = {}): Statement => ({ Effect: 'Deny', Action, Resource, ...extra });
const req = (action: string, resource: string, context?: AccessRequest['context'], principalArn = ROLE): AccessRequest => ({ principalArn, action, resource, context });

/** Decision of one identity statement carrying `Condition` for a request with `context`. */
const withCondition = (Condition: Statement['Condition'], context?: AccessRequest['context']) =>
  evaluate(req('s3:GetObject', 'arn:aws:s3:::b/k', context), { identity: [doc(allow('s3:GetObject', '*', { Condition }))] });

describe('evaluate: identity policies', () => {
  test('no statement: implicit deny', () => {
    expect(evaluate(req('s3:GetObject', 'arn:aws:s3:::b/k'), { identity: [] })).toBe('ImplicitDeny');
  });

  test('an allow grants; a deny anywhere wins over any allow', () => {
    const a = doc(allow('secretsmanager:*', '*'));
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity: [a] })).toBe('Allow');
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity: [a, doc(deny('secretsmanager:GetSecretValue', SECRET))] })).toBe('ExplicitDeny');
    // A deny in the resource policy beats an identity allow, and vice versa.
    const resourceDeny = doc({ Effect: 'Deny', Principal: '*', Action: 'secretsmanager:*', Resource: '*' });
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity: [a], resource: resourceDeny })).toBe('ExplicitDeny');
    const resourceAllow = doc({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'secretsmanager:*', Resource: '*' });
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity: [doc(deny('*', '*'))], resource: resourceAllow })).toBe('ExplicitDeny');
  });

  test('actions: case-insensitive, * and ? wildcards, whole-string match', () => {
    const d = { identity: [doc(allow(['S3:get*', 'kms:Decr?pt', 'logs:PutLogEvents'], '*'))] };
    expect(evaluate(req('s3:GetObject', '*'), d)).toBe('Allow');
    expect(evaluate(req('kms:Decrypt', '*'), d)).toBe('Allow');
    expect(evaluate(req('KMS:DECRYPT', '*'), d)).toBe('Allow');
    expect(evaluate(req('kms:Decrrypt', '*'), d)).toBe('ImplicitDeny');
    expect(evaluate(req('s3:PutObject', '*'), d)).toBe('ImplicitDeny');
    expect(evaluate(req('logs:PutLogEventsBatch', '*'), d)).toBe('ImplicitDeny');
    expect(evaluate(req('ec2:RunInstances', '*'), { identity: [doc(allow('*', '*'))] })).toBe('Allow');
  });

  test('resources: case-sensitive wildcards', () => {
    const d = { identity: [doc(allow('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:app/*`))] };
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), d)).toBe('Allow');
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET.replace('app/', 'App/')), d)).toBe('ImplicitDeny');
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET.replace('app/', 'other/')), d)).toBe('ImplicitDeny');
    const q = { identity: [doc(allow('s3:GetObject', 'arn:aws:s3:::b/k?'))] };
    expect(evaluate(req('s3:GetObject', 'arn:aws:s3:::b/k1'), q)).toBe('Allow');
    expect(evaluate(req('s3:GetObject', 'arn:aws:s3:::b/k12'), q)).toBe('ImplicitDeny');
  });

  test('NotAction: applies to every action but those listed', () => {
    const d = { identity: [doc(allow('*', '*'), { Effect: 'Deny', NotAction: ['kms:Decrypt', 's3:*'], Resource: '*' })] };
    expect(evaluate(req('kms:Decrypt', '*'), d)).toBe('Allow');
    expect(evaluate(req('s3:PutObject', 'arn:aws:s3:::b/k'), d)).toBe('Allow');
    expect(evaluate(req('kms:Encrypt', '*'), d)).toBe('ExplicitDeny');
    const allowNot = { identity: [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })] };
    expect(evaluate(req('s3:GetObject', '*'), allowNot)).toBe('Allow');
    expect(evaluate(req('iam:PassRole', '*'), allowNot)).toBe('ImplicitDeny');
  });

  test('NotResource: applies to every resource but those listed', () => {
    const d = { identity: [doc(allow('secretsmanager:*', '*'), { Effect: 'Deny', Action: 'secretsmanager:*', NotResource: `arn:aws:secretsmanager:*:${ACCOUNT}:secret:app/*` })] };
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), d)).toBe('Allow');
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET.replace('app/', 'ops/')), d)).toBe('ExplicitDeny');
  });

  test('explain names the statements that applied', () => {
    const d = { identity: [doc(allow('s3:*', '*', { Sid: 'All' }), deny('s3:DeleteObject', '*', { Sid: 'NoDelete' }))] };
    expect(explain(req('s3:DeleteObject', 'arn:aws:s3:::b/k'), d).matched).toEqual([
      { policy: 'identity[0]', sid: 'All', effect: 'Allow', via: undefined },
      { policy: 'identity[0]', sid: 'NoDelete', effect: 'Deny', via: undefined },
    ]);
  });
});

describe('evaluate: condition operators', () => {
  test('StringEquals / StringNotEquals / StringEqualsIgnoreCase; values OR-ed', () => {
    expect(withCondition({ StringEquals: { 'kms:ViaService': ['a.amazonaws.com', 'b.amazonaws.com'] } }, { 'kms:ViaService': 'b.amazonaws.com' })).toBe('Allow');
    expect(withCondition({ StringEquals: { 'kms:ViaService': 'a.amazonaws.com' } }, { 'kms:ViaService': 'A.amazonaws.com' })).toBe('ImplicitDeny');
    expect(withCondition({ StringEqualsIgnoreCase: { 'kms:ViaService': 'a.amazonaws.com' } }, { 'kms:ViaService': 'A.AMAZONAWS.com' })).toBe('Allow');
    expect(withCondition({ StringNotEquals: { 'kms:ViaService': ['a', 'b'] } }, { 'kms:ViaService': 'c' })).toBe('Allow');
    expect(withCondition({ StringNotEquals: { 'kms:ViaService': ['a', 'b'] } }, { 'kms:ViaService': 'b' })).toBe('ImplicitDeny');
  });

  test('condition keys are case-insensitive', () => {
    expect(withCondition({ StringEquals: { 'KMS:VIASERVICE': 'a' } }, { 'kms:ViaService': 'a' })).toBe('Allow');
  });

  test('StringLike / StringNotLike', () => {
    expect(withCondition({ StringLike: { 'aws:SourceArn': 'arn:aws:logs:*:log-group:/app/*' } }, { 'aws:SourceArn': 'arn:aws:logs:eu-west-1:1:log-group:/app/x' })).toBe('Allow');
    expect(withCondition({ StringLike: { 'aws:SourceArn': 'arn:aws:logs:*:log-group:/app/*' } }, { 'aws:SourceArn': 'arn:aws:logs:eu-west-1:1:log-group:/ops/x' })).toBe('ImplicitDeny');
    expect(withCondition({ StringNotLike: { 'aws:SourceArn': '*:/app/*' } }, { 'aws:SourceArn': 'x:/ops/y' })).toBe('Allow');
    expect(withCondition({ StringNotLike: { 'aws:SourceArn': '*:/app/*' } }, { 'aws:SourceArn': 'x:/app/y' })).toBe('ImplicitDeny');
  });

  test('ArnEquals / ArnLike match part by part; ArnNotEquals / ArnNotLike negate', () => {
    const lg = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/app/x`;
    expect(withCondition({ ArnLike: { 'aws:SourceArn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:*` } }, { 'aws:SourceArn': lg })).toBe('Allow');
    expect(withCondition({ ArnEquals: { 'aws:SourceArn': lg } }, { 'aws:SourceArn': lg })).toBe('Allow');
    // "*" in the region part does not spill over into the account part.
    expect(withCondition({ ArnLike: { 'aws:SourceArn': `arn:aws:logs:*:log-group:*` } }, { 'aws:SourceArn': lg })).toBe('ImplicitDeny');
    expect(withCondition({ ArnLike: { 'aws:SourceArn': `arn:aws:logs:*:999999999999:*` } }, { 'aws:SourceArn': lg })).toBe('ImplicitDeny');
    expect(withCondition({ ArnNotEquals: { 'aws:PrincipalArn': OTHER_ROLE } })).toBe('Allow');
    expect(withCondition({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/A*' } })).toBe('ImplicitDeny');
    expect(withCondition({ ArnLike: { 'aws:SourceArn': 'arn:aws:logs:*' } }, { 'aws:SourceArn': 'not-an-arn' })).toBe('ImplicitDeny');
  });

  test('Bool (booleans or strings, case-insensitive)', () => {
    expect(withCondition({ Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'true' })).toBe('Allow');
    expect(withCondition({ Bool: { 'aws:SecureTransport': 'TRUE' } }, { 'aws:SecureTransport': 'false' })).toBe('ImplicitDeny');
    expect(withCondition({ Bool: { 'aws:PrincipalIsAWSService': 'false' } })).toBe('Allow');
    expect(() => withCondition({ Bool: { 'aws:SecureTransport': 'yes' } }, { 'aws:SecureTransport': 'true' })).toThrow(/not true or false/);
  });

  test('Numeric operators', () => {
    const n = (op: string, c: number | string, v: string) => withCondition({ [op]: { 's3:max-keys': c } }, { 's3:max-keys': v });
    expect(n('NumericEquals', 10, '10')).toBe('Allow');
    expect(n('NumericEquals', '10', '10.0')).toBe('Allow');
    expect(n('NumericNotEquals', 10, '10')).toBe('ImplicitDeny');
    expect(n('NumericLessThan', 10, '9')).toBe('Allow');
    expect(n('NumericLessThan', 10, '10')).toBe('ImplicitDeny');
    expect(n('NumericLessThanEquals', 10, '10')).toBe('Allow');
    expect(n('NumericGreaterThan', 10, '10')).toBe('ImplicitDeny');
    expect(n('NumericGreaterThan', 10, '11')).toBe('Allow');
    expect(n('NumericGreaterThanEquals', 10, '10')).toBe('Allow');
    expect(n('NumericGreaterThanEquals', 10, '9')).toBe('ImplicitDeny');
    expect(() => n('NumericEquals', 10, 'ten')).toThrow(/not a number/);
  });

  test('a missing key: positive operators do not match, negated ones do, IfExists does', () => {
    expect(withCondition({ StringEquals: { 'kms:ViaService': 'a' } })).toBe('ImplicitDeny');
    expect(withCondition({ StringLike: { 'kms:ViaService': '*' } })).toBe('ImplicitDeny');
    expect(withCondition({ ArnLike: { 'aws:SourceArn': '*' } })).toBe('ImplicitDeny');
    expect(withCondition({ Bool: { 'aws:SecureTransport': 'false' } })).toBe('ImplicitDeny');
    expect(withCondition({ NumericLessThan: { 's3:max-keys': 5 } })).toBe('ImplicitDeny');
    expect(withCondition({ StringNotEquals: { 'kms:ViaService': 'a' } })).toBe('Allow');
    expect(withCondition({ StringNotLike: { 'kms:ViaService': 'a*' } })).toBe('Allow');
    expect(withCondition({ ArnNotLike: { 'aws:SourceArn': 'arn:*' } })).toBe('Allow');
    expect(withCondition({ StringEqualsIfExists: { 'kms:ViaService': 'a' } })).toBe('Allow');
    expect(withCondition({ BoolIfExists: { 'aws:SecureTransport': 'false' } })).toBe('Allow');
    // IfExists on a present key evaluates normally.
    expect(withCondition({ StringEqualsIfExists: { 'kms:ViaService': 'a' } }, { 'kms:ViaService': 'b' })).toBe('ImplicitDeny');
    expect(withCondition({ ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:logs:*:*:*:*' } }, { 'aws:SourceArn': 'arn:aws:logs:r:1:log-group:x' })).toBe('Allow');
  });

  test('Null', () => {
    expect(withCondition({ Null: { 'aws:SourceArn': 'true' } })).toBe('Allow');
    expect(withCondition({ Null: { 'aws:SourceArn': 'true' } }, { 'aws:SourceArn': 'arn:aws:x:::y' })).toBe('ImplicitDeny');
    expect(withCondition({ Null: { 'aws:SourceArn': false } }, { 'aws:SourceArn': 'arn:aws:x:::y' })).toBe('Allow');
    expect(withCondition({ Null: { 'aws:SourceArn': 'false' } })).toBe('ImplicitDeny');
  });

  test('ForAnyValue / ForAllValues over multi-valued keys, and missing keys', () => {
    const aliases = { 'kms:ResourceAliases': ['alias/app', 'alias/other'] };
    expect(withCondition({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/app' } }, aliases)).toBe('Allow');
    expect(withCondition({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/none' } }, aliases)).toBe('ImplicitDeny');
    expect(withCondition({ 'ForAllValues:StringEquals': { 'kms:ResourceAliases': 'alias/app' } }, aliases)).toBe('ImplicitDeny');
    expect(withCondition({ 'ForAllValues:StringLike': { 'kms:ResourceAliases': 'alias/*' } }, aliases)).toBe('Allow');
    expect(withCondition({ 'ForAnyValue:StringNotEquals': { 'kms:ResourceAliases': 'alias/app' } }, aliases)).toBe('Allow');
    expect(withCondition({ 'ForAllValues:StringNotEquals': { 'kms:ResourceAliases': 'alias/app' } }, aliases)).toBe('ImplicitDeny');
    // A single string is a set of one.
    expect(withCondition({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/app' } }, { 'kms:ResourceAliases': 'alias/app' })).toBe('Allow');
    // Missing (or empty): ForAllValues holds vacuously, ForAnyValue does not.
    expect(withCondition({ 'ForAllValues:StringEquals': { 'kms:ResourceAliases': 'alias/app' } })).toBe('Allow');
    expect(withCondition({ 'ForAllValues:StringEquals': { 'kms:ResourceAliases': 'alias/app' } }, { 'kms:ResourceAliases': [] })).toBe('Allow');
    expect(withCondition({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/app' } })).toBe('ImplicitDeny');
    expect(withCondition({ 'ForAnyValue:StringNotEquals': { 'kms:ResourceAliases': 'alias/app' } })).toBe('ImplicitDeny');
    // Without a qualifier a multi-valued key is ambiguous: throw.
    expect(() => withCondition({ StringEquals: { 'kms:ResourceAliases': 'alias/app' } }, aliases)).toThrow(/needs ForAnyValue: or ForAllValues:/);
  });

  test('keys and operators are AND-ed', () => {
    const Condition = { StringEquals: { 'kms:ViaService': 'sm', 'aws:SourceAccount': ACCOUNT }, Bool: { 'aws:SecureTransport': 'true' } };
    expect(withCondition(Condition, { 'kms:ViaService': 'sm', 'aws:SourceAccount': ACCOUNT, 'aws:SecureTransport': 'true' })).toBe('Allow');
    expect(withCondition(Condition, { 'kms:ViaService': 'sm', 'aws:SourceAccount': ACCOUNT, 'aws:SecureTransport': 'false' })).toBe('ImplicitDeny');
    expect(withCondition(Condition, { 'kms:ViaService': 'sm', 'aws:SecureTransport': 'true' })).toBe('ImplicitDeny');
  });

  test('principal keys come from principalArn', () => {
    expect(withCondition({ ArnEquals: { 'aws:PrincipalArn': ROLE }, StringEquals: { 'aws:PrincipalAccount': ACCOUNT, 'aws:PrincipalType': 'AssumedRole' } })).toBe('Allow');
    expect(() => withCondition({ StringEquals: { 'kms:ViaService': 'x' } }, { 'aws:PrincipalArn': OTHER_ROLE })).toThrow(/contradicts/);
  });

  test('unknown operators, bad qualifiers and policy variables throw', () => {
    expect(() => withCondition({ StringEqualz: { 'kms:ViaService': 'a' } })).toThrow(/unknown condition operator StringEqualz/);
    expect(() => withCondition({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })).toThrow(/unknown condition operator IpAddress/);
    expect(() => withCondition({ 'ForSomeValues:StringEquals': { k: 'a' } })).toThrow(/unknown condition operator/);
    expect(() => withCondition({ NullIfExists: { k: 'true' } })).toThrow(/Null takes no/);
    expect(() => withCondition({ StringEquals: { 'aws:PrincipalTag/team': '${aws:username}' } })).toThrow(/policy variables/);
    // A malformed block throws even when an earlier block is already false.
    expect(() => withCondition({ StringEquals: { k: 'a' }, Bogus: { k: 'a' } })).toThrow(/unknown condition operator Bogus/);
  });
});

describe('evaluate: resource policies', () => {
  const idAllow = doc(allow('secretsmanager:GetSecretValue', SECRET));

  test('a resource policy naming the principal allows on its own (same account)', () => {
    const resource = doc({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'secretsmanager:GetSecretValue', Resource: '*' });
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity: [], resource })).toBe('Allow');
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET, undefined, OTHER_ROLE), { identity: [], resource })).toBe('ImplicitDeny');
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET, undefined, OTHER_ROLE), { identity: [idAllow], resource })).toBe('Allow');
  });

  test('principal lists, "*" and {AWS: "*"} match', () => {
    for (const Principal of ['*', { AWS: '*' }, { AWS: [OTHER_ROLE, ROLE] }] as Statement['Principal'][]) {
      const resource = doc({ Effect: 'Allow', Principal, Action: 'secretsmanager:*', Resource: '*' });
      expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity: [], resource })).toBe('Allow');
    }
  });

  test('an account principal delegates to identity policies; a deny naming the account applies to all its principals', () => {
    for (const AWS of [ACCOUNT, ROOT]) {
      const resource = doc({ Effect: 'Allow', Principal: { AWS }, Action: 'secretsmanager:*', Resource: '*' });
      expect(explain(req('secretsmanager:GetSecretValue', SECRET), { identity: [], resource })).toEqual({
        decision: 'ImplicitDeny',
        matched: [{ policy: 'resource', sid: undefined, effect: 'Allow', via: 'account' }],
      });
      expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity: [idAllow], resource })).toBe('Allow');
      expect(evaluate(req('secretsmanager:GetSecretValue', SECRET, undefined, ROOT), { identity: [], resource })).toBe('Allow');
      const denyAccount = doc({ Effect: 'Deny', Principal: { AWS }, Action: 'secretsmanager:*', Resource: '*' });
      expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity: [idAllow], resource: denyAccount })).toBe('ExplicitDeny');
    }
    const otherAccount = doc({ Effect: 'Deny', Principal: { AWS: '999999999999' }, Action: '*', Resource: '*' });
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity: [idAllow], resource: otherAccount })).toBe('Allow');
  });

  test('deny everyone but one role (the break-glass pattern)', () => {
    const resource = doc({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'secretsmanager:PutSecretValue',
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': OTHER_ROLE } },
    });
    const identity = [doc(allow('secretsmanager:PutSecretValue', '*'))];
    expect(evaluate(req('secretsmanager:PutSecretValue', SECRET), { identity, resource })).toBe('ExplicitDeny');
    expect(evaluate(req('secretsmanager:PutSecretValue', SECRET, undefined, OTHER_ROLE), { identity, resource })).toBe('Allow');
  });

  test('service principals', () => {
    const resource = doc({ Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' }, {
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: 'kms:*',
      Resource: '*',
    });
    expect(evaluate(req('kms:Decrypt', KEY, undefined, 'logs.eu-west-1.amazonaws.com'), { identity: [], resource })).toBe('Allow');
    expect(evaluate(req('kms:Decrypt', KEY, undefined, 'logs.us-east-1.amazonaws.com'), { identity: [], resource })).toBe('ImplicitDeny');
    expect(evaluate(req('kms:Encrypt', KEY, undefined, 'logs.eu-west-1.amazonaws.com'), { identity: [], resource })).toBe('ImplicitDeny');
    // Context for services: aws:PrincipalIsAWSService is true.
    const denyServices = doc({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { Bool: { 'aws:PrincipalIsAWSService': 'true' } } });
    expect(evaluate(req('kms:Decrypt', KEY, undefined, 'logs.eu-west-1.amazonaws.com'), { identity: [], resource: denyServices })).toBe('ExplicitDeny');
    expect(() => evaluate(req('kms:Decrypt', KEY, undefined, 'logs.eu-west-1.amazonaws.com'), { identity: [idAllow], resource })).toThrow(/no identity policies/);
  });

  test('NotPrincipal with Deny: excluded only when the principal and its account are listed', () => {
    const deny = (AWS: string[]) => doc({ Effect: 'Deny', NotPrincipal: { AWS }, Action: '*', Resource: '*' });
    const identity = [idAllow];
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity, resource: deny([ROLE, ROOT]) })).toBe('Allow');
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity, resource: deny([ROLE]) })).toBe('ExplicitDeny');
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET), { identity, resource: deny([ROOT]) })).toBe('ExplicitDeny');
    expect(evaluate(req('secretsmanager:GetSecretValue', SECRET, undefined, OTHER_ROLE), { identity, resource: deny([ROLE, ROOT]) })).toBe('ExplicitDeny');
  });

  test('KMS keys: identity policies count only where the key policy delegates to the account', () => {
    const idDecrypt = doc(allow('kms:Decrypt', KEY));
    const rootAll = { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' } as const;
    expect(evaluate(req('kms:Decrypt', KEY), { identity: [idDecrypt], resource: doc(rootAll) })).toBe('Allow');
    expect(evaluate(req('kms:Decrypt', KEY), { identity: [], resource: doc(rootAll) })).toBe('ImplicitDeny');
    const rootDescribeOnly = doc({ ...rootAll, Action: 'kms:Describe*' });
    expect(evaluate(req('kms:Decrypt', KEY), { identity: [idDecrypt], resource: rootDescribeOnly })).toBe('ImplicitDeny');
    const viaSecrets = doc({ ...rootAll, Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } });
    expect(evaluate(req('kms:Decrypt', KEY), { identity: [idDecrypt], resource: viaSecrets })).toBe('ImplicitDeny');
    expect(evaluate(req('kms:Decrypt', KEY, { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' }), { identity: [idDecrypt], resource: viaSecrets })).toBe('Allow');
    expect(() => evaluate(req('kms:Decrypt', KEY), { identity: [idDecrypt] })).toThrow(/key policy/);
  });

  test('cross-account requests are not modelled', () => {
    expect(() => evaluate(req('kms:Decrypt', KEY.replace(ACCOUNT, '999999999999')), { identity: [], resource: doc() })).toThrow(/cross-account/);
  });
});

describe('evaluate: malformed input throws', () => {
  const cases: [string, AccessRequest, Partial<Parameters<typeof evaluate>[1]>][] = [
    ['effect', req('s3:GetObject', '*'), { identity: [doc({ Effect: 'allow' as 'Allow', Action: '*', Resource: '*' })] }],
    ['no action', req('s3:GetObject', '*'), { identity: [doc({ Effect: 'Allow', Resource: '*' })] }],
    ['Action and NotAction', req('s3:GetObject', '*'), { identity: [doc({ Effect: 'Allow', Action: '*', NotAction: 's3:*', Resource: '*' })] }],
    ['no resource', req('s3:GetObject', '*'), { identity: [doc({ Effect: 'Allow', Action: '*' })] }],
    ['unknown key', req('s3:GetObject', '*'), { identity: [doc({ ...allow('*', '*'), Resources: '*' } as Statement)] }],
    ['unresolved intrinsic', req('s3:GetObject', '*'), { identity: [doc(allow('*', { Ref: 'Bucket' } as unknown as string))] }],
    ['resource not an ARN', req('s3:GetObject', '*'), { identity: [doc(allow('*', 'i-0123'))] }],
    ['bad action', req('s3:GetObject', '*'), { identity: [doc(allow('GetObject', '*'))] }],
    ['Principal in identity policy', req('s3:GetObject', '*'), { identity: [doc(allow('*', '*', { Principal: '*' }))] }],
    ['no principal in resource policy', req('s3:GetObject', '*'), { identity: [], resource: doc(allow('*', '*')) }],
    ['federated principal', req('s3:GetObject', '*'), { identity: [], resource: doc(allow('*', '*', { Principal: { Federated: 'x' } })) }],
    ['wildcard principal ARN', req('s3:GetObject', '*'), { identity: [], resource: doc(allow('*', '*', { Principal: { AWS: 'arn:aws:iam::1:role/*' } })) }],
    ['NotPrincipal with Allow', req('s3:GetObject', '*'), { identity: [], resource: doc(allow('*', '*', { NotPrincipal: { AWS: ROLE } })) }],
    ['wildcard in request action', req('s3:Get*', '*'), { identity: [] }],
    ['principal not an IAM ARN', { principalArn: 'App', action: 's3:GetObject', resource: '*' }, { identity: [] }],
    ['statement missing', req('s3:GetObject', '*'), { identity: [{ Version: '2012-10-17' } as PolicyDocument] }],
  ];
  test.each(cases)('%s', (_name, request, policies) => {
    expect(() => evaluate(request, { identity: [], ...policies })).toThrow();
  });
});

describe('resolveIntrinsics', () => {
  const resources: CfnTemplate['Resources'] = {
    AppRole: { Type: 'AWS::IAM::Role', Properties: {} },
    NamedRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'break-glass', Path: '/ops/' } },
    DbSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: { 'Fn::Join': ['/', ['app', 'db']] } } },
    Anonymous: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'rotate' } },
    Doc: { Type: 'AWS::SSM::Document', Properties: { Name: 'openclaw-check' } },
    Host: { Type: 'AWS::EC2::Instance', Properties: {} },
    Cdn: { Type: 'AWS::CloudFront::Distribution', Properties: {} },
    Custom: { Type: 'Custom::Thing', Properties: {} },
  };
  const ctx: IntrinsicContext = { account: ACCOUNT, region: 'eu-west-1', resources };
  const r = (v: unknown, c: IntrinsicContext = ctx) => resolveIntrinsics(v, c);

  test('pseudo parameters', () => {
    expect(r({ 'Fn::Join': [':', [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::URLSuffix' }]] })).toBe(
      `aws:eu-west-1:${ACCOUNT}:amazonaws.com`,
    );
    expect(() => r({ Ref: 'AWS::StackName' })).toThrow(/stackName/);
    expect(r({ Ref: 'AWS::StackName' }, { ...ctx, stackName: 's' })).toBe('s');
    expect(() => r({ Ref: 'AWS::NoValue' })).toThrow(/pseudo parameter/);
  });

  test('resources by type', () => {
    expect(r({ 'Fn::GetAtt': ['AppRole', 'Arn'] })).toBe(`arn:aws:iam::${ACCOUNT}:role/AppRole`);
    expect(r({ Ref: 'AppRole' })).toBe('AppRole');
    expect(r({ 'Fn::GetAtt': 'NamedRole.Arn' })).toBe(`arn:aws:iam::${ACCOUNT}:role/ops/break-glass`);
    expect(r({ Ref: 'NamedRole' })).toBe('break-glass');
    expect(r({ Ref: 'DbSecret' })).toBe(`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:app/db-${SECRET_ARN_SUFFIX}`);
    expect(r({ Ref: 'Anonymous' })).toBe(`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:Anonymous-AbCdEf`);
    expect(r({ 'Fn::GetAtt': ['Key', 'Arn'] })).toBe(`arn:aws:kms:eu-west-1:${ACCOUNT}:key/Key`);
    expect(r({ Ref: 'Key' })).toBe('Key');
    expect(r({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe(`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:rotate`);
    expect(r({ Ref: 'Doc' })).toBe('openclaw-check');
    expect(r({ Ref: 'Host' })).toMatch(/^i-[0-9a-f]{17}$/);
    expect(r({ Ref: 'Host' })).toBe(r({ Ref: 'Host' }));
    expect(r({ Ref: 'Cdn' })).toMatch(/^E[0-9A-F]{13}$/);
    expect(r({ Ref: 'Custom' })).toBe('arn:aws:Custom');
    expect(r({ 'Fn::GetAtt': ['Custom', 'Arn'] })).toBe('arn:aws:Custom');
    expect(arnOf('DbSecret', ctx)).toBe(r({ Ref: 'DbSecret' }));
    expect(arnOf('AppRole', ctx)).toBe(r({ 'Fn::GetAtt': ['AppRole', 'Arn'] }));
    expect(() => r({ Ref: 'Missing' })).toThrow(/Missing/);
    expect(() => r({ 'Fn::GetAtt': ['Key', 'Bogus'] })).toThrow(/not modelled/);
  });

  test('overrides make two stacks agree', () => {
    const o = { ...ctx, overrides: { AppRole: { arn: 'arn:aws:iam::1:role/x', ref: 'x' }, DbSecret: { arn: 'arn:s' }, Param: { ref: 'p' } } };
    expect(r({ 'Fn::GetAtt': ['AppRole', 'Arn'] }, o)).toBe('arn:aws:iam::1:role/x');
    expect(refOf('AppRole', o)).toBe('x');
    expect(r({ Ref: 'DbSecret' }, o)).toBe('arn:s');
    expect(r({ Ref: 'Param' }, o)).toBe('p');
  });

  test('Fn::Sub, Fn::Select, Fn::Split, nested structures, {{resolve:...}}', () => {
    expect(r({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AppRole}|${AppRole.Arn}|${!Literal}' })).toBe(
      `arn:aws:iam::${ACCOUNT}:role/AppRole|arn:aws:iam::${ACCOUNT}:role/AppRole|\${Literal}`,
    );
    expect(r({ 'Fn::Sub': ['${Name}-${AWS::Region}', { Name: { Ref: 'Doc' } }] })).toBe('openclaw-check-eu-west-1');
    expect(r({ 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] })).toBe('b');
    expect(() => r({ 'Fn::Select': [5, ['a']] })).toThrow(/out of range/);
    expect(r({ a: [{ Ref: 'Key' }, '{{resolve:secretsmanager:x}}'], b: 1 })).toEqual({ a: ['Key', '{{resolve:secretsmanager:x}}'], b: 1 });
  });

  test('Fn::ImportValue through the imports map; unknown throws naming the import', () => {
    const o = { ...ctx, imports: { 'core:KeyArn': 'arn:aws:kms:eu-west-1:1:key/k', 'app-eu-west-1': 'v' } };
    expect(r({ 'Fn::ImportValue': 'core:KeyArn' }, o)).toBe('arn:aws:kms:eu-west-1:1:key/k');
    expect(r({ 'Fn::ImportValue': { 'Fn::Sub': 'app-${AWS::Region}' } }, o)).toBe('v');
    expect(() => r({ 'Fn::ImportValue': 'core:Other' }, o)).toThrow(/core:Other/);
  });

  test('Fn::GetStackOutput reads the named output of the named stack in its region (default: this one); unknown throws', () => {
    const producer: CfnTemplate = { Resources: resources, Outputs: { HostId: { Value: { Ref: 'Host' } } } };
    const o = { ...ctx, region: 'us-east-1', stackOutputs: outputsOf(producer, ctx, 'app-gateway') };
    expect(r({ 'Fn::GetStackOutput': { StackName: 'app-gateway', OutputName: 'HostId', Region: 'eu-west-1' } }, o)).toBe(refOf('Host', ctx));
    // Without Region, CloudFormation reads the stack of the consumer's own region: not there.
    expect(() => r({ 'Fn::GetStackOutput': { StackName: 'app-gateway', OutputName: 'HostId' } }, o)).toThrow(/us-east-1\/app-gateway\/HostId/);
    expect(() => r({ 'Fn::GetStackOutput': { StackName: 'app-gateway', OutputName: 'OldHostId', Region: 'eu-west-1' } }, o)).toThrow(/OldHostId/);
  });

  test('unknown intrinsics and malformed ones throw', () => {
    expect(() => r({ 'Fn::If': ['C', 'a', 'b'] })).toThrow(/unsupported intrinsic Fn::If/);
    expect(() => r({ 'Fn::FindInMap': ['M', 'a', 'b'] })).toThrow(/unsupported intrinsic/);
    expect(() => r({ Ref: 'Key', Extra: 1 })).toThrow(/malformed/);
    expect(() => r({ 'Fn::Join': [',', 'not-a-list'] })).toThrow(/list of strings/);
  });
});

describe('collecting policies from a template', () => {
  const template: CfnTemplate = {
    Resources: {
      HostRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Policies: [{ PolicyName: 'inline', PolicyDocument: doc(allow('logs:PutLogEvents', '*')) }],
          ManagedPolicyArns: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] },
            { Ref: 'HostManaged' },
          ],
        },
      },
      OtherRole: { Type: 'AWS::IAM::Role', Properties: {} },
      HostManaged: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc(allow('kms:Decrypt', { 'Fn::ImportValue': 'core:KeyArn' } as unknown as string)) } },
      HostDefault: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'HostRole' }], PolicyDocument: doc(allow('secretsmanager:GetSecretValue', { Ref: 'Secret' } as unknown as string)) } },
      OtherDefault: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'OtherRole' }], PolicyDocument: doc(allow('*', '*')) } },
      Secret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'app/db' } },
      SecretPolicy: {
        Type: 'AWS::SecretsManager::ResourcePolicy',
        Properties: {
          SecretId: { Ref: 'Secret' },
          ResourcePolicy: doc({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': ['HostRole', 'Arn'] } } } } as unknown as Statement),
        },
      },
      Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: doc({ Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' } as unknown as Statement) } },
    },
    Outputs: { KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] }, Export: { Name: 'core:KeyArn' } } },
  };
  const options = { account: ACCOUNT, region: 'eu-west-1', imports: exportsOf(template, contextFor(template, { account: ACCOUNT, region: 'eu-west-1' })) };
  const ctx = contextFor(template, options);
  const host = arnOf('HostRole', ctx);
  const other = arnOf('OtherRole', ctx);
  const secret = arnOf('Secret', ctx);
  const key = arnOf('Key', ctx);

  test('a role: inline, attached, template-managed and AWS-managed policies; nothing of other roles', () => {
    const identity = identityPoliciesOf(template, 'HostRole', options);
    expect(identity).toHaveLength(4);
    const resource = resourcePolicyOf(template, { secret: 'Secret' }, options);
    const keyPolicy = resourcePolicyOf(template, { key: 'Key' }, options);
    expect(evaluate({ principalArn: host, action: 'secretsmanager:GetSecretValue', resource: secret }, { identity, resource })).toBe('Allow');
    expect(evaluate({ principalArn: host, action: 'kms:Decrypt', resource: key }, { identity, resource: keyPolicy })).toBe('Allow');
    expect(evaluate({ principalArn: host, action: 'ssmmessages:OpenDataChannel', resource: '*' }, { identity })).toBe('Allow');
    expect(evaluate({ principalArn: host, action: 'logs:PutLogEvents', resource: '*' }, { identity })).toBe('Allow');
    expect(evaluate({ principalArn: host, action: 'kms:Encrypt', resource: key }, { identity, resource: keyPolicy })).toBe('ImplicitDeny');
    // The other role may do anything by its identity policy, but the secret's policy denies it.
    const otherIdentity = identityPoliciesOf(template, 'OtherRole', options);
    expect(evaluate({ principalArn: other, action: 'secretsmanager:GetSecretValue', resource: secret }, { identity: otherIdentity, resource })).toBe('ExplicitDeny');
  });

  test('statementsOf flattens the documents', () => {
    expect(statementsOf(template, { role: 'OtherRole' }, options)).toEqual([allow('*', '*')]);
    expect(statementsOf(template, { secret: 'Secret' }, options)[0]).toMatchObject({ Effect: 'Deny', Condition: { ArnNotEquals: { 'aws:PrincipalArn': host } } });
    expect(statementsOf(template, { key: 'Key' }, options)[0]).toMatchObject({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } });
  });

  test('unknown managed policies, missing imports and wrong types throw', () => {
    const t: CfnTemplate = { Resources: { R: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] } } } };
    expect(() => identityPoliciesOf(t, 'R', options)).toThrow(/AdministratorAccess.*managedPolicies/);
    expect(identityPoliciesOf(t, 'R', { ...options, managedPolicies: { 'arn:aws:iam::aws:policy/AdministratorAccess': doc(allow('*', '*')) } })).toHaveLength(1);
    expect(() => identityPoliciesOf(template, 'HostRole', { account: ACCOUNT, region: 'eu-west-1' })).toThrow(/Fn::ImportValue.*core:KeyArn/);
    expect(() => identityPoliciesOf(template, 'Secret', options)).toThrow(/not a AWS::IAM::Role/);
    expect(resourcePolicyOf({ Resources: { S: { Type: 'AWS::SecretsManager::Secret' } } }, { secret: 'S' }, options)).toBeUndefined();
  });
});
