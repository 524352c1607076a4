import { Stack, type CfnResource } from 'aws-cdk-lib';
import { literal, type Glob } from './glob';
import { valueGlob } from './values';

/**
 * The IAM policies a CloudFormation resource carries, read from the resource
 * as it is written to the template (Stack.resolve of its CloudFormation form,
 * so escape-hatch overrides count), statement by statement.
 */

/** Who a policy speaks for: an identity, a role's trust, or a resource it is attached to. */
export type PolicyKind = 'identity' | 'trust' | 'resource';

export interface Statement {
  /** `statement "Sid" (#i) of <where>`, for messages. */
  readonly label: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly kind: PolicyKind;
  /**
   * For a resource policy: the resources it is attached to, which its
   * Resource "*" stands for (a key policy's "*" is that key).
   */
  readonly attachedTo?: readonly Glob[];
}

/** A lone action outside a policy document (AWS::Lambda::Permission's Action). */
export interface LoneAction {
  readonly label: string;
  readonly action: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The resource's CloudFormation properties, resolved. */
export function propertiesOf(node: CfnResource): Record<string, unknown> {
  const internals = node as unknown as { _toCloudFormation?: () => unknown };
  if (typeof internals._toCloudFormation !== 'function') {
    throw new Error('aws-cdk-lib internals changed (CfnResource._toCloudFormation is gone): update lib/gate/iam-reference/policies.ts');
  }
  const resolved = Stack.of(node).resolve(internals._toCloudFormation()) as { Resources?: Record<string, { Properties?: unknown }> };
  const properties = Object.values(resolved.Resources ?? {})[0]?.Properties;
  return isObject(properties) ? properties : {};
}

/** A document that may be a JSON string (AWS::Logs::ResourcePolicy); an intrinsic building the string cannot be checked. */
function parseDocument(document: unknown, where: string): unknown {
  if (typeof document !== 'string') return document;
  try {
    return JSON.parse(document) as unknown;
  } catch {
    throw new Error(`${where} is a string that is not JSON, so its statements cannot be checked against AWS's reference`);
  }
}

interface Source {
  readonly where: string;
  readonly document: unknown;
  readonly kind: PolicyKind;
  readonly attachedTo?: readonly Glob[];
}

/** A resource policy's attachments, from the property naming them. */
const attached = (node: CfnResource, value: unknown, suffixes: readonly string[] = ['']): Glob[] =>
  asList(value).flatMap((v) => suffixes.map((s) => [...valueGlob(node, v), ...literal(s)]));

/** How to find the policies of each policy-bearing resource type. */
const POLICY_PROPERTIES: Readonly<Record<string, (node: CfnResource, p: Record<string, unknown>) => Source[]>> = {
  'AWS::IAM::Role': (_, p) => [
    { where: 'AssumeRolePolicyDocument', document: p.AssumeRolePolicyDocument, kind: 'trust' },
    ...inlinePolicies(p.Policies),
  ],
  'AWS::IAM::User': (_, p) => inlinePolicies(p.Policies),
  'AWS::IAM::Group': (_, p) => inlinePolicies(p.Policies),
  'AWS::IAM::Policy': (_, p) => [identity(p)],
  'AWS::IAM::ManagedPolicy': (_, p) => [identity(p)],
  'AWS::IAM::RolePolicy': (_, p) => [identity(p)],
  'AWS::IAM::UserPolicy': (_, p) => [identity(p)],
  'AWS::IAM::GroupPolicy': (_, p) => [identity(p)],
  // A key policy's "*" is the key itself.
  'AWS::KMS::Key': (node, p) => [
    { where: 'KeyPolicy', document: p.KeyPolicy, kind: 'resource', attachedTo: [valueGlob(node, { 'Fn::GetAtt': [Stack.of(node).resolve(node.logicalId), 'Arn'] })] },
  ],
  'AWS::KMS::ReplicaKey': (_, p) => [{ where: 'KeyPolicy', document: p.KeyPolicy, kind: 'resource' }],
  'AWS::SNS::TopicPolicy': (node, p) => [{ where: 'PolicyDocument', document: p.PolicyDocument, kind: 'resource', attachedTo: attached(node, p.Topics) }],
  'AWS::SQS::QueuePolicy': (_, p) => [{ where: 'PolicyDocument', document: p.PolicyDocument, kind: 'resource' }],
  'AWS::S3::BucketPolicy': (_, p) => [{ where: 'PolicyDocument', document: p.PolicyDocument, kind: 'resource' }],
  'AWS::SecretsManager::ResourcePolicy': (node, p) => [
    { where: 'ResourcePolicy', document: p.ResourcePolicy, kind: 'resource', attachedTo: attached(node, p.SecretId) },
  ],
  'AWS::Logs::ResourcePolicy': (_, p) => [{ where: 'PolicyDocument', document: p.PolicyDocument, kind: 'resource' }],
  'AWS::ECR::Repository': (_, p) => [{ where: 'RepositoryPolicyText', document: p.RepositoryPolicyText, kind: 'resource' }],
  'AWS::Events::EventBusPolicy': (_, p) => [{ where: 'Statement', document: { Statement: p.Statement }, kind: 'resource' }],
  'AWS::EFS::FileSystem': (_, p) => [{ where: 'FileSystemPolicy', document: p.FileSystemPolicy, kind: 'resource' }],
  'AWS::Backup::BackupVault': (_, p) => [{ where: 'AccessPolicy', document: p.AccessPolicy, kind: 'resource' }],
  'AWS::OpenSearchService::Domain': (_, p) => [{ where: 'AccessPolicies', document: p.AccessPolicies, kind: 'resource' }],
  'AWS::ApiGateway::RestApi': (_, p) => [{ where: 'Policy', document: p.Policy, kind: 'resource' }],
};

function inlinePolicies(policies: unknown): Source[] {
  return asList(policies).map((p, i) => {
    const name = isObject(p) && typeof p.PolicyName === 'string' ? ` (${p.PolicyName})` : '';
    return { where: `Policies[${i}]${name}`, document: isObject(p) ? p.PolicyDocument : undefined, kind: 'identity' as const };
  });
}

const identity = (p: Record<string, unknown>): Source => ({ where: 'PolicyDocument', document: p.PolicyDocument, kind: 'identity' });

/** The resource types whose policies the rule pack reads. */
export const POLICY_BEARING_TYPES = Object.keys(POLICY_PROPERTIES);

/** Every statement of every policy the resource carries. */
export function statementsOf(node: CfnResource): Statement[] {
  const find = POLICY_PROPERTIES[node.cfnResourceType];
  if (!find) return [];
  return find(node, propertiesOf(node)).flatMap((source) => {
    if (source.document === undefined) return [];
    const document = parseDocument(source.document, source.where);
    if (!isObject(document)) throw new Error(`${source.where} is not a policy document object, so it cannot be checked against AWS's reference`);
    return asList(document.Statement).map((body, i) => {
      if (!isObject(body)) throw new Error(`statement #${i} of ${source.where} is not an object`);
      const sid = typeof body.Sid === 'string' && body.Sid ? `"${body.Sid}" (#${i})` : `#${i}`;
      return { label: `statement ${sid} of ${source.where}`, body, kind: source.kind, attachedTo: source.attachedTo };
    });
  });
}

/** Actions granted outside a policy document. */
export function loneActionsOf(node: CfnResource): LoneAction[] {
  if (node.cfnResourceType !== 'AWS::Lambda::Permission') return [];
  return [{ label: 'Action of the Lambda permission', action: propertiesOf(node).Action }];
}

/** The strings of a statement's Action or NotAction (intrinsics left out: they cannot be checked). */
export const actionsOf = (body: Readonly<Record<string, unknown>>, element: 'Action' | 'NotAction'): string[] =>
  asList(body[element]).filter((a): a is string => typeof a === 'string');

export { asList, isObject };
