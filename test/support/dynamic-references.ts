/**
 * The dynamic references ({{resolve:secretsmanager:...}}, {{resolve:ssm:...}},
 * {{resolve:ssm-secure:...}}) of a stage's templates, found by scanning every
 * template of the cloud assembly (not from a list), with the intrinsics
 * around them resolved, and the CloudFormation execution role that resolves
 * each: the role the CDK CLI passes for that stack, named by the cloud
 * assembly manifest (placeholders replaced as the CLI does).
 */
import { EnvironmentPlaceholders, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { resolveIntrinsics } from './iam-intrinsics';
import type { StackPolicies } from './deployment-policies';

export const DYNAMIC_REFERENCE = /\{\{resolve:(secretsmanager|ssm-secure|ssm):([^}]*)\}\}/g;

export interface DynamicReference {
  readonly stackName: string;
  readonly service: 'secretsmanager' | 'ssm-secure' | 'ssm';
  /** What follows the service: secret-id[:SecretString:json-key:version-stage:version-id], or parameter[:version]. */
  readonly id: string;
  /** For secretsmanager: the secret's ARN or name (the id's first part, or its first 7 colon-separated parts for an ARN). */
  readonly secretId?: string;
}

function referencesIn(node: unknown, stack: StackPolicies | undefined, stackName: string, out: DynamicReference[]): void {
  const text = JSON.stringify(node);
  if (text === undefined || !text.includes('{{resolve:')) return;
  if (typeof node === 'string') {
    for (const m of node.matchAll(DYNAMIC_REFERENCE)) {
      const service = m[1] as DynamicReference['service'];
      const id = m[2]!;
      const parts = id.split(':');
      const secretId = service === 'secretsmanager' ? (parts[0] === 'arn' ? parts.slice(0, 7).join(':') : parts[0]!) : undefined;
      out.push({ stackName, service, id, ...(secretId !== undefined ? { secretId } : {}) });
    }
    return;
  }
  if (node !== null && typeof node === 'object' && !Array.isArray(node) && ('Fn::Join' in node || 'Fn::Sub' in node)) {
    if (stack === undefined) throw new Error(`stack ${stackName} holds a dynamic reference in an intrinsic this test cannot resolve: ${text}`);
    referencesIn(resolveIntrinsics(node, stack.ctx), stack, stackName, out);
    return;
  }
  for (const child of Object.values(node as object)) referencesIn(child, stack, stackName, out);
}

/** Every dynamic reference of every stack of the assembly; `stacks` resolve the intrinsics around them. */
export function dynamicReferences(artifacts: Iterable<CloudFormationStackArtifact>, stacks: readonly StackPolicies[]): DynamicReference[] {
  const out: DynamicReference[] = [];
  for (const artifact of artifacts) {
    const stack = stacks.find((s) => JSON.stringify(s.template) === JSON.stringify(artifact.template));
    referencesIn(artifact.template, stack, artifact.stackName, out);
  }
  return out;
}

/** The execution role ARN the CDK CLI passes to CloudFormation for this stack. */
export function executionRoleOf(artifact: CloudFormationStackArtifact): string {
  const arn = artifact.cloudFormationExecutionRoleArn;
  if (arn === undefined) throw new Error(`stack ${artifact.stackName}: the manifest names no CloudFormation execution role`);
  return EnvironmentPlaceholders.replace(arn, { accountId: artifact.environment.account, region: artifact.environment.region, partition: 'aws' });
}
