import type { SynthesizedTemplate } from '../compliance/evaluate';
import { isOperatorPolicy } from './compliance-controls';
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
];

/** The gaps that apply to a deployment: the break-glass ones when it ships the operator policy. */
export function organizationGaps(templates: readonly SynthesizedTemplate[]): readonly OrganizationGap[] {
  const shipsOperatorPolicy = templates.some((t) => Object.values(t.template.Resources ?? {}).some((r) => r.Type === 'AWS::IAM::ManagedPolicy' && isOperatorPolicy(r)));
  return shipsOperatorPolicy ? BREAK_GLASS_GAPS : [];
}

/**
 * The SCP statement that closes both gaps for the deployments of one prefix
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
