import { arnOf, contextFor, exportsOf, type CfnTemplate } from './iam-intrinsics';
import { directCall, roleActor } from './request-context';
import { simulate } from './simulator';
import { identityPoliciesOf, resourcePolicyOf, statementsOf, type PolicyDocument, type Statement } from './template-policies';

const ACCOUNT = '111122223333';

const doc = (...Statement: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[], extra: Partial<Statement> = {}): Statement => ({ Effect: 'Allow', Action, Resource, ...extra });

/** The simulated decision for a role of the template calling directly. */
async function decideFor(role: string, identity: readonly PolicyDocument[], action: string, resource: string, resourcePolicy?: PolicyDocument) {
  const call = directCall(roleActor(role, identity), { action, resource, region: 'eu-west-1' });
  return simulate(call.request, { ...call.policies, resource: resourcePolicy });
}

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

  test('a role: inline, attached, template-managed and AWS-managed policies; nothing of other roles', async () => {
    const identity = identityPoliciesOf(template, 'HostRole', options);
    expect(identity).toHaveLength(4);
    const resource = resourcePolicyOf(template, { secret: 'Secret' }, options);
    const keyPolicy = resourcePolicyOf(template, { key: 'Key' }, options);
    expect(await decideFor(host, identity, 'secretsmanager:GetSecretValue', secret, resource)).toBe('Allow');
    expect(await decideFor(host, identity, 'kms:Decrypt', key, keyPolicy)).toBe('Allow');
    expect(await decideFor(host, identity, 'ssmmessages:OpenDataChannel', '*')).toBe('Allow');
    expect(await decideFor(host, identity, 'logs:PutLogEvents', `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:app:log-stream:i-1`)).toBe('Allow');
    expect(await decideFor(host, identity, 'kms:Encrypt', key, keyPolicy)).toBe('ImplicitDeny');
    // The other role may do anything by its identity policy, but the secret's policy denies it.
    const otherIdentity = identityPoliciesOf(template, 'OtherRole', options);
    expect(await decideFor(other, otherIdentity, 'secretsmanager:GetSecretValue', secret, resource)).toBe('ExplicitDeny');
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
