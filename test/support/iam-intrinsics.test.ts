import { arnOf, outputsOf, refOf, resolveIntrinsics, SECRET_ARN_SUFFIX, type CfnTemplate, type IntrinsicContext } from './iam-intrinsics';

const ACCOUNT = '111122223333';

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

