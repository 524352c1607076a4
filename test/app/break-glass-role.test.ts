/**
 * The optional break-glass role (lib/access/break-glass-role.ts, config
 * breakGlass.createRole): off by default; when enabled, named
 * breakGlass.roleName, holding only the operator policies, for at most
 * maxSessionHours, and assumable only with MFA. The trust policy comes from
 * the synthesized template and AssumeRole is simulated with and without MFA
 * (test/support/request-context.ts, withMfa); the gate runs on the deployment.
 */
import * as path from 'path';
import { synthesizeWithGate } from '../../lib/app';
import { buildForTest } from '../support/build';
import { acmeClientFiles, configFixture, NOW } from '../support/config-fixture';
import { deploymentPolicies, type DeploymentPolicies } from '../support/deployment-policies';
import { logicalIdsOfType, resolveIntrinsics } from '../support/iam-intrinsics';
import { callOf, roleActor, withMfa } from '../support/request-context';
import { simulate } from '../support/simulator';
import type { PolicyDocument, Statement } from '../support/template-policies';

const ACCOUNT = '210987654321';
let example: DeploymentPolicies;

beforeAll(() => {
  const configDir = path.join(configFixture(acmeClientFiles(ACCOUNT)), 'config');
  const { config, stage } = buildForTest({ client: 'example', env: 'prod' }, configDir).deployments[0]!;
  example = deploymentPolicies(config, stage);
});

describe('the break-glass role (breakGlass.createRole.enabled)', () => {
  const ROLE = 'openclaw-example-staging-break-glass';
  let staging: DeploymentPolicies;
  let roleId: string;

  beforeAll(() => {
    const overlay = [
      'breakGlass:',
      `  roleName: ${ROLE}`,
      '  createRole:',
      '    enabled: true',
      `    trustedPrincipalArns: ["arn:aws:iam::${ACCOUNT}:root"]`,
      '    maxSessionHours: 2',
      '',
    ].join('\n');
    const configDir = path.join(configFixture({ ...acmeClientFiles(ACCOUNT), 'clients/example/staging.yaml': overlay }), 'config');
    const built = buildForTest({ client: 'example', env: 'staging' }, configDir);
    // The gate (cdk-nag, the IAM reference check) passes with the role, without a new acknowledgement.
    synthesizeWithGate(built, NOW);
    const { config, stage } = built.deployments[0]!;
    staging = deploymentPolicies(config, stage);
    const ids = logicalIdsOfType(staging.gateway.template, 'AWS::IAM::Role').filter((id) => staging.gateway.template.Resources![id]!.Properties?.RoleName === ROLE);
    expect(ids).toHaveLength(1);
    roleId = ids[0]!;
  });

  test('is not created by default', () => {
    const names = logicalIdsOfType(example.gateway.template, 'AWS::IAM::Role').map((id) => example.gateway.template.Resources![id]!.Properties?.RoleName);
    expect(names).not.toContain(example.config.breakGlass.roleName);
    expect(example.config.breakGlass.createRole.enabled).toBe(false);
  });

  test('holds exactly the two operator policies, for at most maxSessionHours', () => {
    const props = staging.gateway.template.Resources![roleId]!.Properties!;
    expect(props.MaxSessionDuration).toBe(2 * 3600);
    const attached = (resolveIntrinsics(props.ManagedPolicyArns, staging.gateway.ctx) as string[]).map((a) => a.split('/').pop()).sort();
    expect(attached).toEqual(['openclaw-example-staging-operator', 'openclaw-example-staging-operator-read']);
    expect(props.Policies).toBeUndefined();
  });

  const assume = async (mfa: boolean, trust?: PolicyDocument) => {
    const g = staging.gateway;
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
    const caller = roleActor(`arn:aws:iam::${ACCOUNT}:role/operators`, [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }] }]);
    const call = callOf(caller, { action: 'sts:AssumeRole', resource: roleArn, region: staging.config.aws.region });
    const { request, policies } = mfa ? withMfa(call) : call;
    const resource = trust ?? (resolveIntrinsics(g.template.Resources![roleId]!.Properties!.AssumeRolePolicyDocument, g.ctx) as PolicyDocument);
    return simulate(request, { ...policies, resource });
  };

  test('may be assumed with MFA, and not without', async () => {
    expect(await assume(true)).toBe('Allow');
    expect(await assume(false)).toBe('ImplicitDeny');
  });

  test('with BoolIfExists in place of Bool, a request without MFA would be allowed: the operator matters', async () => {
    const g = staging.gateway;
    const trust = resolveIntrinsics(g.template.Resources![roleId]!.Properties!.AssumeRolePolicyDocument, g.ctx) as PolicyDocument;
    const statements = trust.Statement as Statement[];
    expect(statements.map((s) => s.Condition)).toEqual([{ Bool: { 'aws:MultiFactorAuthPresent': 'true' } }]);
    const weakened = { ...trust, Statement: statements.map((s) => ({ ...s, Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } } })) };
    expect(await assume(false, weakened)).toBe('Allow');
    const unconditioned = { ...trust, Statement: statements.map((s) => (({ Condition: _c, ...rest }) => rest)(s)) };
    expect(await assume(false, unconditioned)).toBe('Allow');
  });
});
