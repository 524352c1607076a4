import type { ComplianceControl, TemplateResource } from '../compliance/control';
import { ASSOCIATION_CREATE_ACTIONS, OPERATOR_SIDS, SCHEDULED_COMMAND_ACTIONS } from './operator-access';

interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const statements = (r: TemplateResource): PolicyStatementJson[] =>
  ((r.Properties?.PolicyDocument as { Statement?: PolicyStatementJson[] } | undefined)?.Statement ?? []);
const actions = (s: PolicyStatementJson) => [s.Action].flat();

/** The operator policy of a deployment (lib/access/operator-access.ts): named `<name>-operator`. */
export const isOperatorPolicy = (r: TemplateResource) => typeof r.Properties?.ManagedPolicyName === 'string' && r.Properties.ManagedPolicyName.endsWith('-operator');

export const breakGlassRecordedOnly: ComplianceControl = {
  id: 'break-glass-recorded-only',
  title: 'Break-glass operators reach the host only through the recorded session document and the deployment\'s own command documents',
  resourceType: 'AWS::IAM::ManagedPolicy',
  appliesTo: isOperatorPolicy,
  fsbp: [],
  cis: [],
  controlTower: [],
  evidence:
    'The <name>-operator policy allows ssm:StartSession only with ssm:SessionDocumentAccessCheck, and denies ssm:StartSession, ssm:SendCommand, ssm:CreateAssociation and ssm:CreateAssociationBatch on every document but the deployment\'s (NotResource), and denies outright the State Manager and maintenance window writes whose authorization names no document (UpdateAssociation, Register/UpdateMaintenanceWindowTask, Register/UpdateMaintenanceWindowTarget), whatever else the principal holds. Principals without it are an organization gap (see "Gaps only an organization can close").',
  holds: (r) => {
    const all = statements(r);
    const sid = (id: string) => all.find((s) => s.Sid === id);
    const start = sid(OPERATOR_SIDS.startRecordedSession);
    const denySessions = sid(OPERATOR_SIDS.denyOtherSessionDocuments);
    const denyCommands = sid(OPERATOR_SIDS.denyOtherCommandDocuments);
    const denyAssociations = sid(OPERATOR_SIDS.denyAssociationsWithOtherDocuments);
    const denyScheduling = sid(OPERATOR_SIDS.denySchedulingCommands);
    const allowsStart = all.filter((s) => s.Effect === 'Allow' && actions(s).some((a) => a === 'ssm:StartSession' || a === 'ssm:*' || a === '*'));
    return (
      start !== undefined &&
      allowsStart.length === 1 &&
      start.Condition?.BoolIfExists?.['ssm:SessionDocumentAccessCheck'] === 'true' &&
      denySessions?.Effect === 'Deny' && actions(denySessions).includes('ssm:StartSession') && denySessions.NotResource !== undefined &&
      denyCommands?.Effect === 'Deny' && actions(denyCommands).includes('ssm:SendCommand') && denyCommands.NotResource !== undefined &&
      denyAssociations?.Effect === 'Deny' && ASSOCIATION_CREATE_ACTIONS.every((a) => actions(denyAssociations).includes(a)) && denyAssociations.NotResource !== undefined &&
      denyScheduling?.Effect === 'Deny' && SCHEDULED_COMMAND_ACTIONS.every((a) => actions(denyScheduling).includes(a)) && [denyScheduling.Resource].flat().includes('*')
    );
  },
};
