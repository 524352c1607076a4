import type { SynthesizedTemplate } from '../compliance/evaluate';
import { isOperatorPolicy } from './compliance-controls';
import { ASSOCIATION_CREATE_ACTIONS, SCHEDULED_COMMAND_ACTIONS } from './operator-access';
import { DEPLOYMENT_TAG_KEYS } from '../deployment-stage';

/** A gap the deployment cannot close in its own account: only an organization SCP (or the account's own setup) can. */
export interface OrganizationGap {
  /** Short stable ID, for the report. */
  readonly id: string;
  /** What stays open, in one sentence. */
  readonly gap: string;
  /** What closes it (the SCP statement is in docs/break-glass.md). */
  readonly closedBy: string;
}

/**
 * The break-glass gaps of a deployment that ships the operator policy
 * (lib/access/operator-access.ts): its denies bind only principals that hold it.
 */
export const BREAK_GLASS_GAPS: readonly OrganizationGap[] = [
  {
    id: 'break-glass-other-principals',
    gap:
      'A principal WITHOUT the <name>-operator policy that is allowed ssm:StartSession or ssm:SendCommand (AdministratorAccess, PowerUserAccess, AmazonSSMFullAccess) can still start AWS-StartPortForwardingSession to the host or send it AWS-RunShellScript: an identity policy binds only the principal it is attached to.',
    closedBy: 'the SCP "DenyUnrecordedAccessToOpenClawHosts" of docs/break-glass.md, attached to the account (or its OU) by the organization',
  },
  {
    id: 'break-glass-default-shell',
    gap:
      'A principal holding <name>-operator AND another policy that allows ssm:StartSession without ssm:SessionDocumentAccessCheck can start the account\'s default shell (no --document-name): AWS then checks no document, so no deny on documents can refuse it.',
    closedBy: 'giving operators no other ssm:StartSession allow (docs/break-glass.md), and the same SCP, which denies StartSession on the deployment\'s hosts to every principal but the operator roles it names',
  },
  {
    id: 'break-glass-state-manager',
    gap:
      'A principal WITHOUT the <name>-operator policy that is allowed State Manager or maintenance window writes (ssm:CreateAssociation, ssm:UpdateAssociation, ssm:RegisterTaskWithMaintenanceWindow...) can have SSM run AWS-RunShellScript as root on the host without ssm:SendCommand, by targeting it by tag: such a request names no instance, so no statement on the instance can refuse it.',
    closedBy: 'the second statement of the same SCP, "DenyScheduledCommandsOutsideTheOperatorRoles", which denies these writes in the account to every principal but the operator roles it names',
  },
  {
    id: 'break-glass-serial-console',
    gap:
      'A principal allowed ec2:EnableSerialConsoleAccess (account-wide, off by default) and ec2-instance-connect:SendSerialConsoleSSHPublicKey on the instance reaches its serial console: a login there needs an OS user with a password (the image has none), but a reboot from the console can reach the boot loader, where a single-user boot is a root shell (the EC2 serial console documentation describes GRUB for troubleshooting; a real instance shows whether this image\'s boot loader waits for console input).',
    closedBy: 'an SCP denying ec2:EnableSerialConsoleAccess and ec2-instance-connect:SendSerialConsoleSSHPublicKey (the example SCP of the EC2 serial console documentation); the SCP of docs/break-glass.md does not',
  },
  {
    id: 'break-glass-user-data',
    gap:
      'A principal allowed ec2:StopInstances, ec2:ModifyInstanceAttribute (userData) and ec2:StartInstances on the instance can replace its user data with a cloud-init part that runs at every boot, as root, unrecorded.',
    closedBy: 'an SCP denying ec2:ModifyInstanceAttribute on instances tagged openclaw:prefix to every principal but the deploying roles; the SCP of docs/break-glass.md does not',
  },
  {
    id: 'break-glass-ssh-path',
    gap:
      'ec2-instance-connect:SendSSHPublicKey alone reaches nothing: the host has no public IP and its security group admits no SSH; a principal that may also create an EC2 Instance Connect Endpoint in the VPC (ec2:CreateInstanceConnectEndpoint) and add a port 22 rule to the host\'s security group (ec2:AuthorizeSecurityGroupIngress) opens an SSH path to the image\'s SSH daemon.',
    closedBy: 'an SCP denying ec2:CreateInstanceConnectEndpoint and ec2-instance-connect:OpenTunnel in the account (or ingress changes to the deployment\'s security groups) to every principal but the deploying roles; the SCP of docs/break-glass.md does not',
  },
];

/** The gaps that apply to a deployment: the break-glass ones when it ships the operator policy. */
export function organizationGaps(templates: readonly SynthesizedTemplate[]): readonly OrganizationGap[] {
  const shipsOperatorPolicy = templates.some((t) => Object.values(t.template.Resources ?? {}).some((r) => r.Type === 'AWS::IAM::ManagedPolicy' && isOperatorPolicy(r)));
  return shipsOperatorPolicy ? BREAK_GLASS_GAPS : [];
}

/**
 * The SCP statement that closes the first two gaps for the deployments of one prefix
 * (docs/break-glass.md prints it): Session Manager and Run Command on an
 * instance tagged openclaw:prefix = <prefix> only for the operator roles (which
 * hold the operator policy) and the deployments' own roles (CloudFormation names
 * them <prefix>-<client>-<env>-<stack>-...; the rotation functions send the
 * refresh document).
 */
export function breakGlassScpStatement(prefix: string, operatorRoleArns: readonly string[]) {
  return {
    Sid: 'DenyUnrecordedAccessToOpenClawHosts',
    Effect: 'Deny',
    Action: ['ssm:StartSession', 'ssm:SendCommand'],
    Resource: 'arn:aws:ec2:*:*:instance/*',
    Condition: {
      StringEquals: { [`ssm:resourceTag/${DEPLOYMENT_TAG_KEYS.prefix}`]: prefix },
      ArnNotLike: { 'aws:PrincipalArn': [...operatorRoleArns, `arn:aws:iam::*:role/${prefix}-*`] },
    },
  } as const;
}

/**
 * The second SCP statement: State Manager and maintenance window writes that make SSM run a
 * document later (ASSOCIATION_CREATE_ACTIONS, SCHEDULED_COMMAND_ACTIONS), denied in the
 * account to every principal but the operator roles (whose <name>-operator policy denies
 * them every document but the deployment's). Their authorization names the instance only
 * when the request targets it by ID, and never for a maintenance window task, so no
 * condition on the instance's tag can limit the statement to the deployment's hosts: it
 * covers the account. An account that uses State Manager or maintenance windows adds the
 * roles that manage them to ArnNotLike, and those roles can then run any document on the host.
 */
export function breakGlassScheduledCommandScpStatement(operatorRoleArns: readonly string[]) {
  return {
    Sid: 'DenyScheduledCommandsOutsideTheOperatorRoles',
    Effect: 'Deny',
    Action: [...ASSOCIATION_CREATE_ACTIONS, ...SCHEDULED_COMMAND_ACTIONS],
    Resource: '*',
    Condition: { ArnNotLike: { 'aws:PrincipalArn': [...operatorRoleArns] } },
  } as const;
}

/** The SCP policy docs/break-glass.md and README print: both statements. */
export function breakGlassScp(prefix: string, operatorRoleArns: readonly string[]) {
  return {
    Version: '2012-10-17',
    Statement: [breakGlassScpStatement(prefix, operatorRoleArns), breakGlassScheduledCommandScpStatement(operatorRoleArns)],
  } as const;
}
