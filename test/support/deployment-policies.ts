/**
 * The resolved policies of one synthesized deployment, for tests that ask
 * "may this principal call this action on this ARN?" (simulated by
 * test/support/simulator.ts with the request context of
 * test/support/request-context.ts):
 * the core, gateway and edge templates with their cross-stack and
 * cross-region references resolved to the same ARNs.
 */
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { ResolvedConfig } from '../../lib/config/schema';
import type { DeploymentStage } from '../../lib/deployment-stage';
import { EDGE_REGION } from '../../lib/secrets/secrets-manifest';
import { arnOf, attOf, contextFor, exportsOf, logicalIdsOfType, outputsOf, refOf, resolveIntrinsics, type CfnTemplate, type IntrinsicContext, type ResourceOverride, type TemplateContextOptions } from './iam-intrinsics';
import { callOf, kmsCallThrough, roleActor, type Actor, type Call, type Delivery, type RoleActor, type ViaService } from './request-context';
import { simulate, type Decision } from './simulator';
import { ADMINISTRATOR_ACCESS, identityPoliciesOf, resourcePolicyOf, type PolicyDocument } from './template-policies';

export interface StackPolicies {
  readonly template: CfnTemplate;
  readonly options: TemplateContextOptions;
  readonly ctx: IntrinsicContext;
}

export interface DeploymentPolicies {
  readonly config: ResolvedConfig;
  readonly core: StackPolicies;
  readonly network: StackPolicies;
  readonly gateway: StackPolicies;
  readonly edge: StackPolicies;
  readonly spend: StackPolicies;
}

const json = (stack: Stack) => Template.fromStack(stack).toJSON() as CfnTemplate;

/**
 * CloudFormation names roles and keys uniquely per stack (`<stack>-<logical id>-<random>`,
 * a key id per key); so must the resolver, or two deployments' roles would share an ARN.
 */
function uniqueNames(template: CfnTemplate, stackName: string, account: string, region: string): Record<string, ResourceOverride> {
  const out: Record<string, ResourceOverride> = {};
  for (const id of logicalIdsOfType(template, 'AWS::IAM::Role')) {
    if (template.Resources![id]!.Properties?.RoleName !== undefined) continue;
    const name = `${stackName}-${id}`.slice(0, 64);
    out[id] = { ref: name, arn: `arn:aws:iam::${account}:role/${name}` };
  }
  for (const id of logicalIdsOfType(template, 'AWS::KMS::Key')) {
    const keyId = `${stackName}-${id}`;
    out[id] = { ref: keyId, arn: `arn:aws:kms:${region}:${account}:key/${keyId}` };
  }
  // Unnamed buckets, queues and functions: <stack>-<logical id>-<random> (two stacks of a stage hold
  // buckets of the same logical id: the core's and the edge's access-log buckets).
  for (const id of logicalIdsOfType(template, 'AWS::S3::Bucket')) {
    if (template.Resources![id]!.Properties?.BucketName !== undefined) continue;
    const name = `${stackName}-${id}`.toLowerCase().slice(0, 63);
    out[id] = { ref: name, arn: `arn:aws:s3:::${name}` };
  }
  for (const id of logicalIdsOfType(template, 'AWS::SQS::Queue')) {
    if (template.Resources![id]!.Properties?.QueueName !== undefined) continue;
    const name = `${stackName}-${id}`.slice(0, 80);
    out[id] = { ref: `https://sqs.${region}.amazonaws.com/${account}/${name}`, arn: `arn:aws:sqs:${region}:${account}:${name}` };
  }
  for (const id of logicalIdsOfType(template, 'AWS::Lambda::Function')) {
    if (template.Resources![id]!.Properties?.FunctionName !== undefined) continue;
    const name = `${stackName}-${id}`.slice(0, 64);
    out[id] = { ref: name, arn: `arn:aws:lambda:${region}:${account}:function:${name}` };
  }
  return out;
}

/** The templates of a stage with every reference between them resolved consistently. */
export function deploymentPolicies(config: ResolvedConfig, stage: DeploymentStage): DeploymentPolicies {
  const account = config.aws.account;
  const region = config.aws.region;
  const coreTemplate = json(stage.core);
  const coreOptions = { account, region, overrides: uniqueNames(coreTemplate, stage.core.stackName, account, region) };
  const core = { template: coreTemplate, options: coreOptions, ctx: contextFor(coreTemplate, coreOptions) };
  const networkTemplate = json(stage.network);
  const networkOptions = { account, region, imports: exportsOf(coreTemplate, core.ctx), overrides: uniqueNames(networkTemplate, stage.network.stackName, account, region) };
  const network = { template: networkTemplate, options: networkOptions, ctx: contextFor(networkTemplate, networkOptions) };
  const gatewayTemplate = json(stage.gateway);
  // The instance's private DNS name (an origin of the edge stack) is not part of any policy: any name will do.
  const instances = logicalIdsOfType(gatewayTemplate, 'AWS::EC2::Instance');
  const gatewayOptions = {
    account,
    region,
    imports: { ...exportsOf(coreTemplate, core.ctx), ...exportsOf(networkTemplate, network.ctx) },
    overrides: {
      ...uniqueNames(gatewayTemplate, stage.gateway.stackName, account, region),
      ...Object.fromEntries(instances.map((id) => [id, { attributes: { PrivateDnsName: `ip-10-0-0-10.${region}.compute.internal` } }])),
    },
  };
  const gateway = { template: gatewayTemplate, options: gatewayOptions, ctx: contextFor(gatewayTemplate, gatewayOptions) };
  // Cross-region references: the gateway stack's writer exports values the edge stack's reader returns.
  const writer = Object.values(gatewayTemplate.Resources ?? {}).find((r) => r.Type === 'Custom::CrossRegionExportWriter');
  const exported = (writer?.Properties?.WriterProps as { exports: Record<string, unknown> } | undefined)?.exports ?? {};
  const attributes = Object.fromEntries(Object.entries(exported).map(([name, value]) => [name, resolveIntrinsics(value, gateway.ctx) as string]));
  // Weak references (the gateway instance): Fn::GetStackOutput reads the gateway stack's outputs.
  const gatewayOutputs = outputsOf(gatewayTemplate, gateway.ctx, stage.gateway.stackName);
  const edgeTemplate = json(stage.edge);
  const readers = logicalIdsOfType(edgeTemplate, 'Custom::CrossRegionExportReader');
  const edgeOptions = {
    account,
    region: EDGE_REGION,
    stackOutputs: gatewayOutputs,
    // With us-east-1 as the main region the edge stack shares the region, and CDK references the
    // core and gateway stacks through Fn::ImportValue instead of cross-region readers.
    ...(region === EDGE_REGION ? { imports: { ...exportsOf(coreTemplate, core.ctx), ...exportsOf(gatewayTemplate, gateway.ctx) } } : {}),
    overrides: { ...uniqueNames(edgeTemplate, stage.edge.stackName, account, EDGE_REGION), ...Object.fromEntries(readers.map((id) => [id, { attributes }])) },
  };
  const edge = { template: edgeTemplate, options: edgeOptions, ctx: contextFor(edgeTemplate, edgeOptions) };
  const spendTemplate = json(stage.spend);
  const spendOptions = {
    account,
    region,
    imports: { ...exportsOf(coreTemplate, core.ctx), ...exportsOf(gatewayTemplate, gateway.ctx) },
    stackOutputs: gatewayOutputs,
    overrides: uniqueNames(spendTemplate, stage.spend.stackName, account, region),
  };
  const spend = { template: spendTemplate, options: spendOptions, ctx: contextFor(spendTemplate, spendOptions) };
  return { config, core, network, gateway, edge, spend };
}

/** Logical id of the one resource of `type` whose property `key` equals `value`. */
export function logicalIdWhere(stack: StackPolicies, type: string, key: string, value: string): string {
  const ids = logicalIdsOfType(stack.template, type).filter((id) => resolveIntrinsics(stack.template.Resources![id]!.Properties?.[key], stack.ctx) === value);
  if (ids.length !== 1) throw new Error(`expected one ${type} with ${key} = ${value}, found ${ids.length}`);
  return ids[0]!;
}

/** Logical id of the one role a service assumes whose description starts with `descriptionPrefix`. */
export function roleId(stack: StackPolicies, service: string, descriptionPrefix: string): string {
  const ids = logicalIdsOfType(stack.template, 'AWS::IAM::Role').filter((id) => {
    const p = stack.template.Resources![id]!.Properties ?? {};
    return JSON.stringify(p.AssumeRolePolicyDocument).includes(service) && String(p.Description ?? '').startsWith(descriptionPrefix);
  });
  if (ids.length !== 1) throw new Error(`expected one role of ${service} described "${descriptionPrefix}...", found ${ids.length}`);
  return ids[0]!;
}

/** A role of the deployment (or outside it) whose sessions call AWS. */
export type Principal = RoleActor;

export const rolePrincipal = (stack: StackPolicies, logicalId: string): Principal => roleActor(attOf(logicalId, stack.ctx), identityPoliciesOf(stack.template, logicalId, stack.options));

/** An account administrator outside the deployment: the AWS managed policy AdministratorAccess. */
export const adminPrincipal = (arn: string): Principal => roleActor(arn, [ADMINISTRATOR_ACCESS]);

/** ARN of a secret of a stack, by its name. */
export const secretArn = (stack: StackPolicies, name: string) => arnOf(logicalIdWhere(stack, 'AWS::SecretsManager::Secret', 'Name', name), stack.ctx);

/** The aliases (AWS::KMS::Alias) of the stacks that point at the key with this ARN: KMS sends them as kms:ResourceAliases. */
export function keyAliasesOf(stacks: readonly StackPolicies[], keyArn: string): string[] {
  return stacks
    .flatMap((s) =>
      logicalIdsOfType(s.template, 'AWS::KMS::Alias')
        .map((id) => s.template.Resources![id]!.Properties!)
        .filter((p) => {
          const target = resolveIntrinsics(p.TargetKeyId, s.ctx) as string;
          return target === keyArn || keyArn.endsWith(`:key/${target}`);
        })
        .map((p) => resolveIntrinsics(p.AliasName, s.ctx) as string),
    )
    .sort();
}

/** The decision for an actor's call with a resource policy (or none). */
export async function decide(actor: Actor, call: Call, resource?: PolicyDocument, delivery?: Delivery): Promise<Decision> {
  const { request, policies } = callOf(actor, call, delivery);
  return simulate(request, { ...policies, resource });
}

/** The decision for a principal on a secret of a stack (its resource policy applies). */
export async function onSecret(stack: StackPolicies, name: string, principal: Actor, action: string): Promise<Decision> {
  const id = logicalIdWhere(stack, 'AWS::SecretsManager::Secret', 'Name', name);
  const resource = resourcePolicyOf(stack.template, { secret: id }, stack.options);
  return decide(principal, { action, resource: arnOf(id, stack.ctx) }, resource);
}

/** The decision for a principal on a resource that has no resource policy (or one passed in). */
export async function onResource(principal: Actor, call: Call, resource?: PolicyDocument): Promise<Decision> {
  return decide(principal, call, resource);
}

/**
 * The decision for a principal on a KMS key of a stack (its key policy
 * applies): called directly, or `via` a service that uses the key for the
 * principal (Secrets Manager decrypting a secret).
 */
export async function onKey(stack: StackPolicies, keyLogicalId: string, principal: Actor, action: string, via?: ViaService): Promise<Decision> {
  const resource = resourcePolicyOf(stack.template, { key: keyLogicalId }, stack.options);
  const keyArn = attOf(keyLogicalId, stack.ctx);
  const keyAliases = keyAliasesOf([stack], keyArn);
  if (via === undefined) return decide(principal, { action, resource: keyArn, keyAliases }, resource);
  if (principal.kind !== 'role') throw new Error('only a role calls through another service');
  const { request, policies } = kmsCallThrough(principal, via, action, keyArn, keyAliases);
  return simulate(request, { ...policies, resource });
}

export { refOf };
