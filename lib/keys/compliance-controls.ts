import { isRetained } from '../shared/retention';
import type { ComplianceControl, TemplateResource } from '../compliance/control';

type Statement = { Effect?: string; Action?: string | string[]; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> };

const statements = (r: TemplateResource): Statement[] =>
  (((r.Properties?.KeyPolicy as { Statement?: Statement[] } | undefined)?.Statement) ?? []) as Statement[];

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

export const kmsKeyRotation: ComplianceControl = {
  id: 'kms-key-rotation',
  title: 'Customer-managed KMS keys rotate automatically',
  resourceType: 'AWS::KMS::Key',
  fsbp: ['KMS.4'],
  cis: ['3.6'],
  controlTower: ['CT.KMS.PR.1'],
  evidence: 'EnableKeyRotation is true and RotationPeriodInDays is at most 365.',
  holds: (r) => {
    const p = r.Properties ?? {};
    return p.EnableKeyRotation === true && (p.RotationPeriodInDays === undefined || Number(p.RotationPeriodInDays) <= 365);
  },
};

export const kmsKeyRetained: ComplianceControl = {
  id: 'kms-key-retained',
  title: 'KMS keys are not deleted with the stack',
  resourceType: 'AWS::KMS::Key',
  fsbp: ['KMS.3'],
  cis: [],
  controlTower: [],
  weakenedBy: 'data-retention',
  evidence: 'DeletionPolicy RetainExceptOnCreate (or Retain) and UpdateReplacePolicy Retain (deleted only when the operation that created it rolls back), and a deletion needs a 30-day pending window.',
  holds: (r) =>
    isRetained(r) &&
    (r.Properties?.PendingWindowInDays === undefined || r.Properties.PendingWindowInDays === 30),
};

export const kmsGrantsForAwsServicesOnly: ComplianceControl = {
  id: 'kms-grants-aws-services-only',
  title: 'KMS grants can be created only for AWS services acting on AWS resources',
  resourceType: 'AWS::KMS::Key',
  fsbp: [],
  cis: [],
  controlTower: ['CT.KMS.PR.3'],
  evidence: 'The key policy denies kms:CreateGrant unless kms:GrantIsForAWSResource or aws:PrincipalIsAWSService is true.',
  holds: (r) =>
    statements(r).some((s) => {
      const bool = s.Condition?.BoolIfExists;
      return s.Effect === 'Deny' && actions(s).includes('kms:CreateGrant') && bool?.['kms:GrantIsForAWSResource'] === 'false' && bool['aws:PrincipalIsAWSService'] === 'false';
    }),
};
