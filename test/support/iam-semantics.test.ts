/**
 * The IAM semantics the deployment's policies rely on, as the tests' simulator evaluates them
 * (test/support/simulator.ts over @cloud-copilot/iam-simulate, with the request context of
 * test/support/request-context.ts). These are the scenarios of the hand-written evaluator's
 * tests it replaced (test/support/iam-policy.test.ts, removed in a91e688), kept so that a
 * simulator upgrade that changes one of them fails here, by name, and not as a puzzling
 * decision in a deployment test.
 *
 * AWS's documents for each: IAM User Guide, "Policy evaluation logic" (deny wins, implicit deny,
 * same-account resource policies, KMS key policies), "IAM JSON policy elements: Condition
 * operators" (the ...IfExists and Null operators, a missing key), "Multivalued context keys"
 * (ForAnyValue / ForAllValues), "NotPrincipal" and "AWS JSON policy elements: Principal".
 */
import { directCall, roleActor, serviceActor, serviceCall, ENCRYPTION_CONTEXT } from './request-context';
import { simulate, type Decision } from './simulator';
import type { PolicyDocument, Statement } from './template-policies';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/App`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/Other`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:app/db-AbCdEf`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-0000-4000-8000-000000000000`;
const GET = 'secretsmanager:GetSecretValue';

const doc = (...Statement: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[], extra: Partial<Statement> = {}): Statement => ({ Effect: 'Allow', Action, Resource, ...extra }) as Statement;
const deny = (Action: string | string[], Resource: string | string[], extra: Partial<Statement> = {}): Statement => ({ Effect: 'Deny', Action, Resource, ...extra }) as Statement;

/** `actor`'s GetSecretValue on SECRET (VersionStage as sent, when given), with its identity policies and the secret's policy. */
function read(identity: readonly PolicyDocument[], o: { resource?: PolicyDocument; actor?: string; stage?: string; secret?: string } = {}): Promise<Decision> {
  const { request, policies } = directCall(roleActor(o.actor ?? ROLE, identity), { action: GET, resource: o.secret ?? SECRET, parameters: o.stage ? { VersionStage: o.stage } : {} });
  return simulate(request, { ...policies, ...(o.resource ? { resource: o.resource } : {}) });
}
/** One identity statement allowing the read under `Condition`. */
const withCondition = (Condition: Statement['Condition'], stage?: string) => read([doc(allow(GET, '*', { Condition }))], { stage });

describe('identity policies', () => {
  test('no statement: implicit deny; an allow grants; a deny anywhere wins over any allow', async () => {
    expect(await read([])).toBe('ImplicitDeny');
    expect(await read([doc(allow(GET, SECRET))])).toBe('Allow');
    expect(await read([doc(allow(GET, SECRET)), doc(deny('secretsmanager:*', '*'))])).toBe('ExplicitDeny');
    expect(await read([doc(allow('*', '*'), deny(GET, SECRET))])).toBe('ExplicitDeny');
  });

  test('actions: case-insensitive, * and ? wildcards, the whole name', async () => {
    expect(await read([doc(allow('SecretsManager:getsecretvalue', SECRET))])).toBe('Allow');
    expect(await read([doc(allow('secretsmanager:Get*', SECRET))])).toBe('Allow');
    expect(await read([doc(allow('secretsmanager:GetSecretValu?', SECRET))])).toBe('Allow');
    expect(await read([doc(allow('secretsmanager:GetSecret', SECRET))])).toBe('ImplicitDeny');
    expect(await read([doc(allow('secretsmanager:*Value', SECRET))])).toBe('Allow');
  });

  test('resources: case-sensitive, with wildcards', async () => {
    expect(await read([doc(allow(GET, SECRET.replace('app/db', 'APP/db')))])).toBe('ImplicitDeny');
    expect(await read([doc(allow(GET, `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:app/*`))])).toBe('Allow');
    expect(await read([doc(allow(GET, `arn:aws:secretsmanager:*:${ACCOUNT}:secret:app/db-??????`))])).toBe('Allow');
    expect(await read([doc(allow(GET, `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:other/*`))])).toBe('ImplicitDeny');
  });

  test('NotAction and NotResource apply to everything but what they list', async () => {
    expect(await read([doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' } as Statement)])).toBe('Allow');
    expect(await read([doc({ Effect: 'Allow', NotAction: 'secretsmanager:*', Resource: '*' } as Statement)])).toBe('ImplicitDeny');
    expect(await read([doc({ Effect: 'Allow', Action: GET, NotResource: `arn:aws:secretsmanager:*:*:secret:other/*` } as Statement)])).toBe('Allow');
    expect(await read([doc({ Effect: 'Allow', Action: GET, NotResource: SECRET } as Statement)])).toBe('ImplicitDeny');
    expect(await read([doc(allow(GET, '*'), { Effect: 'Deny', NotAction: 'secretsmanager:Describe*', Resource: '*' } as Statement)])).toBe('ExplicitDeny');
  });
});

describe('condition operators', () => {
  test('a key the request lacks: positive operators do not match, negated ones do, ...IfExists does', async () => {
    // A role session calling directly sends no kms:ViaService, no aws:SourceArn and no s3:max-keys.
    expect(await withCondition({ StringEquals: { 'kms:ViaService': 'a' } })).toBe('ImplicitDeny');
    expect(await withCondition({ StringLike: { 'kms:ViaService': '*' } })).toBe('ImplicitDeny');
    expect(await withCondition({ ArnLike: { 'aws:SourceArn': '*' } })).toBe('ImplicitDeny');
    expect(await withCondition({ NumericLessThan: { 's3:max-keys': 5 } })).toBe('ImplicitDeny');
    expect(await withCondition({ StringNotEquals: { 'kms:ViaService': 'a' } })).toBe('Allow');
    expect(await withCondition({ StringNotLike: { 'kms:ViaService': 'a*' } })).toBe('Allow');
    expect(await withCondition({ ArnNotLike: { 'aws:SourceArn': 'arn:*' } })).toBe('Allow');
    expect(await withCondition({ StringEqualsIfExists: { 'kms:ViaService': 'a' } })).toBe('Allow');
    expect(await withCondition({ ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:logs:*' } })).toBe('Allow');
  });

  test('...IfExists on a key the request has evaluates it', async () => {
    expect(await withCondition({ StringEqualsIfExists: { 'secretsmanager:VersionStage': 'AWSPENDING' } }, 'AWSCURRENT')).toBe('ImplicitDeny');
    expect(await withCondition({ StringEqualsIfExists: { 'secretsmanager:VersionStage': 'AWSCURRENT' } }, 'AWSCURRENT')).toBe('Allow');
    expect(await withCondition({ ArnLikeIfExists: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/A*` } })).toBe('Allow');
    expect(await withCondition({ ArnLikeIfExists: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/B*` } })).toBe('ImplicitDeny');
  });

  test('values of one key are OR-ed; keys and operators are AND-ed', async () => {
    expect(await withCondition({ StringEquals: { 'secretsmanager:VersionStage': ['AWSPENDING', 'AWSCURRENT'] } }, 'AWSCURRENT')).toBe('Allow');
    const both = { StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT', 'aws:PrincipalAccount': ACCOUNT }, Bool: { 'aws:SecureTransport': 'true' } };
    expect(await withCondition(both, 'AWSCURRENT')).toBe('Allow');
    expect(await withCondition(both, 'AWSPREVIOUS')).toBe('ImplicitDeny');
    expect(await withCondition({ ...both, Bool: { 'aws:SecureTransport': 'false' } }, 'AWSCURRENT')).toBe('ImplicitDeny');
  });

  test('condition keys are case-insensitive, their string values case-sensitive unless ...IgnoreCase', async () => {
    expect(await withCondition({ StringEquals: { 'SecretsManager:versionstage': 'AWSCURRENT' } }, 'AWSCURRENT')).toBe('Allow');
    expect(await withCondition({ StringEquals: { 'secretsmanager:VersionStage': 'awscurrent' } }, 'AWSCURRENT')).toBe('ImplicitDeny');
    expect(await withCondition({ StringEqualsIgnoreCase: { 'secretsmanager:VersionStage': 'awscurrent' } }, 'AWSCURRENT')).toBe('Allow');
  });

  test('Null: "true" holds for a key the request lacks, "false" for one it has', async () => {
    expect(await withCondition({ Null: { 'aws:SourceArn': 'true' } })).toBe('Allow');
    expect(await withCondition({ Null: { 'aws:SourceArn': 'false' } })).toBe('ImplicitDeny');
    expect(await withCondition({ Null: { 'secretsmanager:VersionStage': 'true' } }, 'AWSCURRENT')).toBe('ImplicitDeny');
    expect(await withCondition({ Null: { 'secretsmanager:VersionStage': 'false' } }, 'AWSCURRENT')).toBe('Allow');
  });

  test('the principal keys of a role session: its role ARN (not the session), account and type', async () => {
    expect(await withCondition({ ArnEquals: { 'aws:PrincipalArn': ROLE }, StringEquals: { 'aws:PrincipalAccount': ACCOUNT, 'aws:PrincipalType': 'AssumedRole' } })).toBe('Allow');
    expect(await withCondition({ ArnEquals: { 'aws:PrincipalArn': `arn:aws:sts::${ACCOUNT}:assumed-role/App/simulated-session` } })).toBe('ImplicitDeny');
  });

  test('ForAnyValue / ForAllValues over a multivalued key (kms:ResourceAliases), and over a missing one', async () => {
    const keyPolicy = doc({ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' } as Statement);
    const decrypt = (Condition: Statement['Condition'], keyAliases?: string[]) => {
      const { request, policies } = directCall(roleActor(ROLE, [doc(allow('kms:Decrypt', '*', { Condition }))]), { action: 'kms:Decrypt', resource: KEY, ...(keyAliases ? { keyAliases } : {}) });
      return simulate(request, { ...policies, resource: keyPolicy });
    };
    const aliases = ['alias/app', 'alias/other'];
    expect(await decrypt({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/app' } }, aliases)).toBe('Allow');
    expect(await decrypt({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/none' } }, aliases)).toBe('ImplicitDeny');
    expect(await decrypt({ 'ForAllValues:StringEquals': { 'kms:ResourceAliases': 'alias/app' } }, aliases)).toBe('ImplicitDeny');
    expect(await decrypt({ 'ForAllValues:StringLike': { 'kms:ResourceAliases': 'alias/*' } }, aliases)).toBe('Allow');
    expect(await decrypt({ 'ForAnyValue:StringNotEquals': { 'kms:ResourceAliases': 'alias/app' } }, aliases)).toBe('Allow');
    expect(await decrypt({ 'ForAllValues:StringNotEquals': { 'kms:ResourceAliases': 'alias/app' } }, aliases)).toBe('ImplicitDeny');
    // A key without aliases sends no kms:ResourceAliases: ForAllValues holds vacuously, ForAnyValue does not.
    expect(await decrypt({ 'ForAllValues:StringEquals': { 'kms:ResourceAliases': 'alias/app' } })).toBe('Allow');
    expect(await decrypt({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/app' } })).toBe('ImplicitDeny');
  });
});

describe('resource policies', () => {
  const idAllow = doc(allow(GET, SECRET));
  const secretPolicy = (...statements: Statement[]) => doc(...statements);

  test('in the same account, a resource policy naming the role allows its sessions on its own', async () => {
    const resource = secretPolicy({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: GET, Resource: '*' } as Statement);
    expect(await read([], { resource })).toBe('Allow');
    expect(await read([], { resource, actor: OTHER_ROLE })).toBe('ImplicitDeny');
    expect(await read([idAllow], { resource, actor: OTHER_ROLE })).toBe('Allow');
  });

  test('"*", {AWS: "*"} and a list naming the role all match it', async () => {
    for (const Principal of ['*', { AWS: '*' }, { AWS: [OTHER_ROLE, ROLE] }]) {
      expect([Principal, await read([], { resource: secretPolicy({ Effect: 'Allow', Principal, Action: 'secretsmanager:*', Resource: '*' } as Statement) })]).toEqual([Principal, 'Allow']);
    }
  });

  test('an account principal delegates to identity policies; a deny naming the account applies to every principal of it', async () => {
    for (const AWS of [ACCOUNT, ROOT]) {
      const toAccount = secretPolicy({ Effect: 'Allow', Principal: { AWS }, Action: 'secretsmanager:*', Resource: '*' } as Statement);
      expect([AWS, await read([], { resource: toAccount })]).toEqual([AWS, 'ImplicitDeny']);
      expect([AWS, await read([idAllow], { resource: toAccount })]).toEqual([AWS, 'Allow']);
      const denyAccount = secretPolicy({ Effect: 'Deny', Principal: { AWS }, Action: 'secretsmanager:*', Resource: '*' } as Statement);
      expect([AWS, await read([idAllow], { resource: denyAccount })]).toEqual([AWS, 'ExplicitDeny']);
    }
    expect(await read([idAllow], { resource: secretPolicy({ Effect: 'Deny', Principal: { AWS: '999999999999' }, Action: '*', Resource: '*' } as Statement) })).toBe('Allow');
  });

  test('deny everyone but one role (the break-glass and host-only patterns: ArnNotEquals aws:PrincipalArn)', async () => {
    const resource = secretPolicy({ Effect: 'Deny', Principal: { AWS: '*' }, Action: GET, Resource: '*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': OTHER_ROLE } } } as Statement);
    expect(await read([doc(allow('*', '*'))], { resource })).toBe('ExplicitDeny');
    expect(await read([doc(allow('*', '*'))], { resource, actor: OTHER_ROLE })).toBe('Allow');
  });

  test('NotPrincipal with Deny: where the simulator departs from AWS, and why no proof depends on it', async () => {
    const denyAllBut = (AWS: string[]) => secretPolicy({ Effect: 'Deny', NotPrincipal: { AWS }, Action: '*', Resource: '*' } as Statement);
    // AWS (IAM User Guide, "AWS JSON policy elements: NotPrincipal"): with Deny, every principal not
    // listed is denied, and "you must also specify the account ARN of the not-denied principal.
    // Otherwise, the policy might deny access to the entire account containing the principal." A
    // role session is excepted only when its role and its account are both listed; by that page the
    // five answers below are Allow, then ExplicitDeny four times. iam-simulate 0.1.173 excepts any
    // principal of a listed account, and a role listed without its account. The deployment's
    // policies use no NotPrincipal (a test of every template of every topology,
    // resource-policy-actors.test.ts), so no proof relies on it; these lines record the simulator's
    // answers, so that an upgrade that changes them is noticed.
    const observed = [
      await read([idAllow], { resource: denyAllBut([ROLE, ROOT]) }),
      await read([idAllow], { resource: denyAllBut([ROLE, ROOT]), actor: OTHER_ROLE }),
      await read([idAllow], { resource: denyAllBut([ROLE]) }),
      await read([idAllow], { resource: denyAllBut([ROOT]) }),
      await read([idAllow], { resource: denyAllBut(['arn:aws:iam::999999999999:role/App', 'arn:aws:iam::999999999999:root']) }),
    ];
    expect(observed).toEqual(['Allow', 'Allow', 'Allow', 'Allow', 'ExplicitDeny']);
  });

  test('a service principal: only the resource policy grants; its name must match exactly; aws:PrincipalIsAWSService is true', async () => {
    const keyPolicy = doc(
      { Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' } as Statement,
      { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' } as Statement,
    );
    const group = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:app`;
    const call = (service: string, action: string, resource = keyPolicy) =>
      simulate(serviceCall(serviceActor(service), { action, resource: KEY }, { encryptionContext: ENCRYPTION_CONTEXT.logs(group) }).request, { identity: [], resource });
    expect(await call('logs.eu-west-1.amazonaws.com', 'kms:Decrypt')).toBe('Allow');
    expect(await call('logs.us-east-1.amazonaws.com', 'kms:Decrypt')).toBe('ImplicitDeny');
    expect(await call('logs.eu-west-1.amazonaws.com', 'kms:Encrypt')).toBe('ImplicitDeny');
    const denyServices = doc(...(keyPolicy.Statement as Statement[]), { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { Bool: { 'aws:PrincipalIsAWSService': 'true' } } } as Statement);
    expect(await call('logs.eu-west-1.amazonaws.com', 'kms:Decrypt', denyServices)).toBe('ExplicitDeny');
  });

  test('a KMS key: identity policies count only where the key policy allows the account', async () => {
    const decrypt = (keyPolicy: PolicyDocument, identity: PolicyDocument[] = [doc(allow('kms:Decrypt', KEY))]) => {
      const { request, policies } = directCall(roleActor(ROLE, identity), { action: 'kms:Decrypt', resource: KEY });
      return simulate(request, { ...policies, resource: keyPolicy });
    };
    const rootAll = { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' } as Statement;
    expect(await decrypt(doc(rootAll))).toBe('Allow');
    expect(await decrypt(doc(rootAll), [])).toBe('ImplicitDeny');
    expect(await decrypt(doc({ ...rootAll, Action: 'kms:Describe*' } as Statement))).toBe('ImplicitDeny');
    // The key policy's grant to the account under kms:ViaService: a direct call does not carry it.
    expect(await decrypt(doc({ ...rootAll, Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } } as Statement))).toBe('ImplicitDeny');
  });
});
