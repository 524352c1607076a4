/**
 * Reads the IAM policies out of a synthesized template, with intrinsics
 * resolved (test/support/iam-intrinsics.ts): a role's identity policies, a
 * secret's resource policy, a KMS key's key policy. The documents are then
 * evaluated by the IAM simulator (test/support/simulator.ts).
 */
import {
  contextFor,
  refOf,
  resolveIntrinsics,
  type CfnTemplate,
  type IntrinsicContext,
  type TemplateContextOptions,
} from './iam-intrinsics';

export type ConditionValue = string | boolean | number;
export type StringOrList = string | readonly string[];
export type PrincipalElement = '*' | { readonly [kind: string]: StringOrList };

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: StringOrList;
  readonly NotAction?: StringOrList;
  readonly Resource?: StringOrList;
  readonly NotResource?: StringOrList;
  readonly Principal?: PrincipalElement;
  readonly NotPrincipal?: PrincipalElement;
  /** operator -> condition key -> value(s). */
  readonly Condition?: { readonly [operator: string]: { readonly [key: string]: ConditionValue | readonly ConditionValue[] } };
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: Statement | readonly Statement[];
}

export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

// ---------------------------------------------------------------------------
// Collecting policies from a synthesized template

/**
 * AWS managed policies a role of this repo may attach, by name. From the AWS
 * Managed Policy Reference: AmazonSSMManagedInstanceCore v2,
 * AWSLambdaBasicExecutionRole v1. Other managed policies need a document in
 * TemplatePolicyOptions.managedPolicies.
 */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  AmazonSSMManagedInstanceCore: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'ssm:DescribeAssociation',
          'ssm:GetDeployablePatchSnapshotForInstance',
          'ssm:GetDocument',
          'ssm:DescribeDocument',
          'ssm:GetManifest',
          'ssm:GetParameter',
          'ssm:GetParameters',
          'ssm:ListAssociations',
          'ssm:ListInstanceAssociations',
          'ssm:PutInventory',
          'ssm:PutComplianceItems',
          'ssm:PutConfigurePackageResult',
          'ssm:UpdateAssociationStatus',
          'ssm:UpdateInstanceAssociationStatus',
          'ssm:UpdateInstanceInformation',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: [
          'ec2messages:AcknowledgeMessage',
          'ec2messages:DeleteMessage',
          'ec2messages:FailMessage',
          'ec2messages:GetEndpoint',
          'ec2messages:GetMessages',
          'ec2messages:SendReply',
        ],
        Resource: '*',
      },
    ],
  },
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};

/**
 * The AWS managed policy AdministratorAccess (v1), which `cdk bootstrap`
 * attaches to the CloudFormation execution role unless
 * --cloudformation-execution-policies says otherwise. Not in
 * AWS_MANAGED_POLICIES: no role of this repo may attach it.
 */
export const ADMINISTRATOR_ACCESS: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export interface TemplatePolicyOptions extends TemplateContextOptions {
  /** Documents of managed policies that are not in the template, by ARN (overrides AWS_MANAGED_POLICIES). */
  readonly managedPolicies?: Readonly<Record<string, PolicyDocument>>;
}

export type PolicyFilter = { readonly role: string } | { readonly secret: string } | { readonly key: string };

function resourceOfType(template: CfnTemplate, logicalId: string, type: string) {
  const r = template.Resources?.[logicalId];
  if (!r) throw new PolicyError(`no resource ${logicalId} in the template`);
  if (r.Type !== type) throw new PolicyError(`${logicalId} is a ${r.Type}, not a ${type}`);
  return r;
}

const resolvedDocument = (raw: unknown, ctx: IntrinsicContext) => resolveIntrinsics(raw, ctx) as PolicyDocument;

function resolvedStrings(raw: unknown, ctx: IntrinsicContext, where: string): string[] {
  if (raw === undefined) return [];
  const v = resolveIntrinsics(raw, ctx);
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new PolicyError(`${where}: does not resolve to a list of strings`);
  return v as string[];
}

/**
 * The identity policies attached to a role of the template, resolved: its
 * inline Policies, AWS::IAM::Policy and AWS::IAM::ManagedPolicy whose Roles
 * name it, AWS::IAM::RolePolicy whose RoleName names it, and the documents of
 * its ManagedPolicyArns (the template's managed policies, then
 * options.managedPolicies, then AWS_MANAGED_POLICIES; unknown -> throws).
 */
export function identityPoliciesOf(template: CfnTemplate, roleLogicalId: string, options: TemplatePolicyOptions): PolicyDocument[] {
  const role = resourceOfType(template, roleLogicalId, 'AWS::IAM::Role');
  const ctx = contextFor(template, options);
  const props = role.Properties ?? {};
  if (props.PermissionsBoundary !== undefined) throw new PolicyError(`${roleLogicalId}: permissions boundaries are not modelled`);
  const roleName = refOf(roleLogicalId, ctx);
  const docs: PolicyDocument[] = [];

  const inline = props.Policies ?? [];
  if (!Array.isArray(inline)) throw new PolicyError(`${roleLogicalId}.Policies: expected a list`);
  for (const p of inline as { PolicyDocument?: unknown }[]) docs.push(resolvedDocument(p.PolicyDocument, ctx));

  const attachedManaged = new Set<string>();
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    const rp = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Policy' && resolvedStrings(rp.Roles, ctx, `${id}.Roles`).includes(roleName)) {
      docs.push(resolvedDocument(rp.PolicyDocument, ctx));
    } else if (r.Type === 'AWS::IAM::RolePolicy' && resolveIntrinsics(rp.RoleName, ctx) === roleName) {
      docs.push(resolvedDocument(rp.PolicyDocument, ctx));
    } else if (r.Type === 'AWS::IAM::ManagedPolicy' && resolvedStrings(rp.Roles, ctx, `${id}.Roles`).includes(roleName)) {
      attachedManaged.add(id);
    }
  }

  const managedByArn = new Map(
    Object.entries(template.Resources ?? {})
      .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')
      .map(([id]) => [refOf(id, ctx), id] as const),
  );
  for (const arn of resolvedStrings(props.ManagedPolicyArns, ctx, `${roleLogicalId}.ManagedPolicyArns`)) {
    const local = managedByArn.get(arn);
    if (local) {
      attachedManaged.add(local);
      continue;
    }
    const supplied = options.managedPolicies?.[arn];
    const awsName = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
    const known = supplied ?? (awsName !== undefined ? AWS_MANAGED_POLICIES[awsName] : undefined);
    if (!known) throw new PolicyError(`${roleLogicalId}: managed policy ${arn} is not in the template; pass its document in options.managedPolicies`);
    docs.push(known);
  }
  for (const id of [...attachedManaged].sort()) docs.push(resolvedDocument(template.Resources![id]!.Properties?.PolicyDocument, ctx));
  return docs;
}

/** What a KMS key without a KeyPolicy gets: the account may use IAM policies for it. */
const defaultKeyPolicy = (ctx: IntrinsicContext): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${ctx.partition ?? 'aws'}:iam::${ctx.account}:root` }, Action: 'kms:*', Resource: '*' }],
});

/**
 * The resource policy of a secret (the AWS::SecretsManager::ResourcePolicy
 * whose SecretId is its ARN or name; undefined when none) or of a KMS key
 * (its KeyPolicy, or the default one), resolved.
 */
export function resourcePolicyOf(
  template: CfnTemplate,
  filter: { readonly secret: string } | { readonly key: string },
  options: TemplateContextOptions,
): PolicyDocument | undefined {
  const ctx = contextFor(template, options);
  if ('key' in filter) {
    const key = resourceOfType(template, filter.key, 'AWS::KMS::Key');
    const raw = key.Properties?.KeyPolicy;
    return raw === undefined ? defaultKeyPolicy(ctx) : resolvedDocument(raw, ctx);
  }
  const secret = resourceOfType(template, filter.secret, 'AWS::SecretsManager::Secret');
  const ids = new Set([refOf(filter.secret, ctx)]);
  const name = secret.Properties?.Name;
  if (name !== undefined) ids.add(resolveIntrinsics(name, ctx) as string);
  const policies = Object.entries(template.Resources ?? {}).filter(
    ([, r]) => r.Type === 'AWS::SecretsManager::ResourcePolicy' && ids.has(resolveIntrinsics(r.Properties?.SecretId, ctx) as string),
  );
  if (policies.length > 1) throw new PolicyError(`${filter.secret} has ${policies.length} resource policies: ${policies.map(([id]) => id).join(', ')}`);
  return policies[0] && resolvedDocument(policies[0][1].Properties?.ResourcePolicy, ctx);
}

const statementList = (doc: PolicyDocument): Statement[] => (Array.isArray(doc.Statement) ? [...(doc.Statement as Statement[])] : [doc.Statement as Statement]);

/**
 * The resolved statements of a role's identity policies ({ role }) or of a
 * secret's or key's resource policy ({ secret } / { key }; [] when none).
 */
export function statementsOf(template: CfnTemplate, filter: PolicyFilter, options: TemplatePolicyOptions): Statement[] {
  if ('role' in filter) return identityPoliciesOf(template, filter.role, options).flatMap(statementList);
  const doc = resourcePolicyOf(template, filter, options);
  return doc ? statementList(doc) : [];
}
