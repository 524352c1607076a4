/**
 * CloudFormation resolves dynamic references ({{resolve:secretsmanager:...}},
 * {{resolve:ssm-secure:...}}) with the role it deploys the stack with: the
 * CloudFormation execution role the CDK CLI passes, which the cloud assembly
 * manifest names for each stack. For every reference in every synthesized
 * template, that role must be allowed to read the value and decrypt it
 * (simulated with @cloud-copilot/iam-simulate, test/support/simulator.ts, against
 * the synthesized resource and key policies, with the request context AWS sends,
 * test/support/request-context.ts), or the resource holding the reference fails to
 * create.
 */
import * as path from 'path';
import { App, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { HardenedSecret } from '../../lib/secrets/hardened-secret';
import { buildForTest, TEST_CONTEXT } from '../support/build';
import { acmeClientFiles, configFixture } from '../support/config-fixture';
import { dynamicReferences, executionRoleOf, type DynamicReference } from '../support/dynamic-references';
import { deploymentPolicies, type DeploymentPolicies, type StackPolicies } from '../support/deployment-policies';
import { attOf, logicalIdsOfType, resolveIntrinsics, arnOf } from '../support/iam-intrinsics';
import { directCall, kmsCallThrough, roleActor } from '../support/request-context';
import { simulate, simulateExplained, type Decision } from '../support/simulator';
import { ADMINISTRATOR_ACCESS, resourcePolicyOf } from '../support/template-policies';


interface Deployment {
  readonly policies: DeploymentPolicies;
  /** Every stack of the stage as the CLI sees it (cloud assembly), by stack name. */
  readonly artifacts: ReadonlyMap<string, CloudFormationStackArtifact>;
}

type Found = DynamicReference;

const ACCOUNT = '210987654321';

function deployments(context: Record<string, unknown>, configDir?: string): Deployment[] {
  const built = buildForTest(context, configDir);
  return built.deployments.map(({ config, stage }) => {
    const assembly = stage.synth();
    return { policies: deploymentPolicies(config, stage), artifacts: new Map(assembly.stacks.map((a) => [a.stackName, a])) };
  });
}

const stacksOf = (d: Deployment): StackPolicies[] => [d.policies.core, d.policies.network, d.policies.gateway, d.policies.edge, d.policies.spend];

function artifactNameOf(d: Deployment, stack: StackPolicies): string {
  const text = JSON.stringify(stack.template);
  const match = [...d.artifacts.values()].filter((a) => JSON.stringify(a.template) === text);
  if (match.length !== 1) throw new Error(`expected one cloud assembly stack with this template, found ${match.length}`);
  return match[0]!.stackName;
}

function referencesOf(d: Deployment): Found[] {
  return dynamicReferences(d.artifacts.values(), stacksOf(d));
}

/** The execution role ARN the CDK CLI passes to CloudFormation for this stack (placeholders replaced as the CLI does). */
const executionRoleOfStack = (d: Deployment, stackName: string): string => executionRoleOf(d.artifacts.get(stackName)!);

/** The default bootstrap's execution role: AdministratorAccess (cdk bootstrap --cloudformation-execution-policies). */
const EXECUTION_ROLE_IDENTITY = [ADMINISTRATOR_ACCESS];

interface Verdict {
  readonly reference: string;
  readonly role: string;
  readonly read: Decision;
  readonly decrypt: Decision;
}

/** The secret (in any stack of the deployment) with this ARN, its stack and logical id. */
function secretWithArn(d: Deployment, arn: string): { stack: StackPolicies; id: string } {
  for (const stack of stacksOf(d)) {
    for (const id of logicalIdsOfType(stack.template, 'AWS::SecretsManager::Secret')) if (arnOf(id, stack.ctx) === arn) return { stack, id };
  }
  throw new Error(`no secret of the deployment has the ARN ${arn}`);
}

/** The KMS key (in any stack of the deployment) with this ARN. */
function keyWithArn(d: Deployment, arn: string): { stack: StackPolicies; id: string } {
  for (const stack of stacksOf(d)) {
    for (const id of logicalIdsOfType(stack.template, 'AWS::KMS::Key')) if (attOf(id, stack.ctx) === arn) return { stack, id };
  }
  throw new Error(`no KMS key of the deployment has the ARN ${arn}`);
}

async function verdict(d: Deployment, found: Found): Promise<Verdict> {
  const role = executionRoleOfStack(d, found.stackName);
  const actor = roleActor(role, EXECUTION_ROLE_IDENTITY);
  const reference = `${found.stackName}: {{resolve:${found.service}:${found.id}}}`;
  if (found.service === 'ssm-secure' || found.service === 'ssm') {
    // No resource policy on parameters; the AWS managed aws/ssm key lets any identity of the account decrypt through SSM.
    const name = found.id.split(':')[0]!;
    const resource = `arn:aws:ssm:${d.artifacts.get(found.stackName)!.environment.region}:${d.policies.config.aws.account}:parameter/${name.replace(/^\//, '')}`;
    const call = directCall(actor, { action: 'ssm:GetParameters', resource });
    const read = await simulate(call.request, call.policies);
    return { reference, role, read, decrypt: read };
  }
  const secretId = found.secretId!;
  const { stack, id } = secretWithArn(d, secretId);
  const get = directCall(actor, { action: 'secretsmanager:GetSecretValue', resource: secretId });
  const read = await simulate(get.request, { ...get.policies, resource: resourcePolicyOf(stack.template, { secret: id }, stack.options) });
  const keyArn = resolveIntrinsics(stack.template.Resources![id]!.Properties!.KmsKeyId, stack.ctx) as string;
  const key = keyWithArn(d, keyArn);
  // Secrets Manager decrypts the value for the caller: kms:ViaService, the secret as encryption context.
  const call = kmsCallThrough(actor, { service: 'secretsmanager', secretArn: secretId }, 'kms:Decrypt', keyArn);
  const policies = { ...call.policies, resource: resourcePolicyOf(key.stack.template, { key: key.id }, key.stack.options) };
  const outcome = await simulateExplained(call.request, policies);
  if (outcome.decision !== 'Allow') throw new Error(`${reference}: kms:Decrypt ${outcome.decision}: ${JSON.stringify(outcome.analysis)}`);
  return { reference, role, read, decrypt: outcome.decision };
}

describe('every dynamic reference resolves with the execution role CloudFormation deploys its stack with', () => {
  const acmeRoot = () => configFixture(acmeClientFiles(ACCOUNT));

  test.each([
    ['every client x environment, default bootstrap', {}, 'hnb659fds'],
    ['a custom bootstrap qualifier', { '@aws-cdk/core:bootstrapQualifier': 'acme42' }, 'acme42'],
  ])('%s', async (_title, context, qualifier) => {
    const all = deployments({ client: 'all', env: 'all', ...context }, path.join(acmeRoot(), 'config'));
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const d of all) {
      const found = referencesOf(d);
      // The origin-verify header of the distribution is one; the class is every reference of every stack.
      expect(found.map((f) => f.stackName)).toContain(artifactNameOf(d, d.policies.edge));
      for (const f of found) {
        const v = await verdict(d, f);
        expect(v.role).toMatch(new RegExp(`^arn:aws:iam::\\d{12}:role/cdk-${qualifier}-cfn-exec-role-\\d{12}-[a-z0-9-]+$`));
        expect([v.reference, v.read, v.decrypt]).toEqual([v.reference, 'Allow', 'Allow']);
      }
    }
  });
});

describe('a reference resolved by another stack', () => {
  const setup = () => {
    const app = new App({ context: TEST_CONTEXT });
    const env = { account: ACCOUNT, region: 'us-east-1' };
    const owner = new Stack(app, 'Owner', { env });
    // Bootstrapped with another qualifier: its own execution role.
    const consumer = new Stack(app, 'Consumer', { env, synthesizer: new DefaultStackSynthesizer({ qualifier: 'other1234' }) });
    const secret = new HardenedSecret(owner, 'Secret', {
      secretName: 'openclaw/t/dev/x',
      description: 'test',
      key: new kms.Key(owner, 'Key'),
      initialValue: 'generated',
      readers: [],
      breakGlassRoleName: 'openclaw-break-glass',
    });
    new ssm.CfnParameter(consumer, 'Uses', { type: 'String', value: secret.secretValue.unsafeUnwrap() });
    return { app, owner, consumer, secret };
  };
  /** The principals the read deny exempts (the update deny exempts the owner's own execution role besides). */
  const allowedReaders = (owner: Stack) => {
    const [policy] = Object.values(Template.fromStack(owner).findResources('AWS::SecretsManager::ResourcePolicy')) as { Properties: { ResourcePolicy: { Statement: { Sid: string; Condition: unknown }[] } } }[];
    return JSON.stringify(policy!.Properties.ResourcePolicy.Statement.find((s) => s.Sid === 'DenyValueReadsButOwnHostAndBreakGlass')!.Condition);
  };

  test('fails synthesis unless the secret lets that stack\'s execution role read it (its own stack included)', () => {
    const { owner, consumer, secret } = setup();
    expect(() => Template.fromStack(consumer)).toThrow(/denies the CloudFormation execution role of stack Consumer; call allowResolutionAtDeployBy/);
    new ssm.CfnParameter(owner, 'UsesToo', { type: 'String', value: secret.secretValue.unsafeUnwrap() });
    expect(() => Template.fromStack(owner)).toThrow(/denies the CloudFormation execution role of stack Owner/);
  });

  test('allowResolutionAtDeployBy lets exactly that stack\'s execution role read', () => {
    const { owner, consumer, secret } = setup();
    secret.allowResolutionAtDeployBy(consumer);
    expect(JSON.stringify(Template.fromStack(consumer).toJSON())).toContain('{{resolve:secretsmanager:');
    expect(allowedReaders(owner).match(/cdk-[a-z0-9]+-cfn-exec-role/g)).toEqual(['cdk-other1234-cfn-exec-role']);
  });

  test('resolvedAtDeployIn lets exactly the stack of the scope read', () => {
    const { owner, consumer, secret } = setup();
    expect(secret.resolvedAtDeployIn(consumer).unsafeUnwrap()).toMatch(/^\$\{Token/);
    expect(() => Template.fromStack(consumer)).not.toThrow();
    expect(allowedReaders(owner).match(/cdk-[a-z0-9]+-cfn-exec-role/g)).toEqual(['cdk-other1234-cfn-exec-role']);
  });
});
