import { BUCKET_ROLE_TAG, BUCKET_ROLES, S3_SERVER_ACCESS_LOGGING_PRINCIPAL } from './access-log-bucket';
import { AUDIT_BUCKET_CONFIG_ACTIONS, AUDIT_OBJECT_TAMPER_ACTIONS } from './audit-bucket-policy';
import { isRetained } from '../shared/retention';
import type { ComplianceControl, ResourceContext, TemplateResource } from '../compliance/control';
import { refersTo } from '../compliance/refs';

type Statement = {
  Effect?: string;
  Action?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const props = (r: TemplateResource) => r.Properties ?? {};

/** Whether the bucket's `openclaw:bucket-role` tag says it is the access-log bucket. */
const isAccessLogBucket = (r: TemplateResource) =>
  (props(r).Tags as { Key?: string; Value?: unknown }[] | undefined)?.find((t) => t.Key === BUCKET_ROLE_TAG)?.Value === BUCKET_ROLES.accessLogs;

/** The statements of the bucket policy attached to a bucket (by Ref) in the same template, or []. */
function bucketPolicy(context: ResourceContext): Statement[] {
  const policy = Object.values(context.resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && refersTo(r.Properties?.Bucket, context.logicalId));
  return list((policy?.Properties?.PolicyDocument as { Statement?: Statement | Statement[] } | undefined)?.Statement);
}

const toEveryone = (s: Statement) => s.Principal === '*' || (s.Principal as { AWS?: unknown } | undefined)?.AWS === '*';

const versioned = (r: TemplateResource) => (props(r).VersioningConfiguration as { Status?: string } | undefined)?.Status === 'Enabled';

function blocksPublicAccess(r: TemplateResource): boolean {
  const bpa = props(r).PublicAccessBlockConfiguration as Record<string, unknown> | undefined;
  return ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every((k) => bpa?.[k] === true);
}

/** A Deny of s3:* to everyone when aws:SecureTransport is false. */
const deniesPlainHttp = (statements: Statement[]) =>
  statements.some(
    (s) =>
      s.Effect === 'Deny' &&
      toEveryone(s) &&
      list(s.Action).some((a) => a === 's3:*' || a === '*') &&
      String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false',
  );

/**
 * A Deny of `action` to everyone but the principals named in a StringNotEquals
 * on aws:PrincipalArn, and (unless `allowPattern`) no other exemption: an
 * ArnNotLike would let a whole family of roles through.
 */
const deniesAllBut = (statements: Statement[], action: string, allowPattern: boolean) =>
  statements.some((s) => {
    if (s.Effect !== 'Deny' || !toEveryone(s) || !list(s.Action).includes(action)) return false;
    const operators = Object.entries(s.Condition ?? {});
    const allowed = allowPattern ? ['StringNotEquals', 'ArnNotLike'] : ['StringNotEquals'];
    return (
      s.Condition?.StringNotEquals?.['aws:PrincipalArn'] !== undefined &&
      operators.every(([op, block]) => allowed.includes(op) && Object.keys(block).every((k) => k === 'aws:PrincipalArn'))
    );
  });

export const s3ObjectLocked: ComplianceControl = {
  id: 's3-object-locked',
  title: 'Every bucket but the access-log bucket is object-locked, with a default retention, and versioned',
  resourceType: 'AWS::S3::Bucket',
  fsbp: ['S3.14', 'S3.15'],
  cis: [],
  controlTower: ['CT.S3.PR.9', 'CT.S3.PR.11'],
  evidence:
    'ObjectLockEnabled is true, ObjectLockConfiguration has a DefaultRetention with Mode COMPLIANCE or GOVERNANCE and Days (or Years) > 0, ' +
    `and versioning is Enabled; applies to every AWS::S3::Bucket not tagged ${BUCKET_ROLE_TAG}=${BUCKET_ROLES.accessLogs}.`,
  appliesTo: (r) => !isAccessLogBucket(r),
  holds: (r) => {
    const p = props(r);
    const lock = p.ObjectLockConfiguration as { ObjectLockEnabled?: string; Rule?: { DefaultRetention?: { Mode?: string; Days?: unknown; Years?: unknown } } } | undefined;
    const retention = lock?.Rule?.DefaultRetention;
    const positive = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
    return (
      p.ObjectLockEnabled === true &&
      lock?.ObjectLockEnabled === 'Enabled' &&
      (retention?.Mode === 'COMPLIANCE' || retention?.Mode === 'GOVERNANCE') &&
      (positive(retention.Days) || positive(retention.Years)) &&
      versioned(r)
    );
  },
};

export const s3AuditBucketCmk: ComplianceControl = {
  id: 's3-audit-cmk',
  title: 'Audit buckets are encrypted with the deployment\'s customer-managed KMS key',
  resourceType: 'AWS::S3::Bucket',
  fsbp: ['S3.17'],
  cis: [],
  controlTower: ['CT.S3.PR.10'],
  evidence: 'Default encryption is aws:kms with a KMSMasterKeyID (not the AWS-managed aws/s3 key) on every rule.',
  appliesTo: (r) => !isAccessLogBucket(r),
  holds: (r) => {
    const rules = list((props(r).BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined)?.ServerSideEncryptionConfiguration) as {
      ServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: unknown };
    }[];
    return rules.length > 0 && rules.every((x) => x.ServerSideEncryptionByDefault?.SSEAlgorithm === 'aws:kms' && x.ServerSideEncryptionByDefault.KMSMasterKeyID !== undefined);
  },
};

export const s3AuditTamperDenied: ComplianceControl = {
  id: 's3-audit-tamper-denied',
  title: 'Only break-glass may delete or unlock audit objects; only break-glass and CloudFormation may reconfigure an audit bucket',
  resourceType: 'AWS::S3::Bucket',
  fsbp: [],
  cis: [],
  controlTower: [],
  evidence:
    `The bucket policy denies ${AUDIT_OBJECT_TAMPER_ACTIONS.join(', ')} to every principal not named in a StringNotEquals on aws:PrincipalArn ` +
    `(no pattern), and ${AUDIT_BUCKET_CONFIG_ACTIONS.join(', ')} to every principal not so named or matching an ArnNotLike on aws:PrincipalArn.`,
  appliesTo: (r) => !isAccessLogBucket(r),
  holds: (_r, context) => {
    const statements = bucketPolicy(context);
    return AUDIT_OBJECT_TAMPER_ACTIONS.every((a) => deniesAllBut(statements, a, false)) && AUDIT_BUCKET_CONFIG_ACTIONS.every((a) => deniesAllBut(statements, a, true));
  },
};

export const s3AccessLogBucket: ComplianceControl = {
  id: 's3-access-log-bucket',
  title: 'The access-log bucket (the one bucket without Object Lock) is private, TLS-only, versioned and written only by S3 server access logging',
  resourceType: 'AWS::S3::Bucket',
  fsbp: ['S3.5', 'S3.8', 'S3.14'],
  cis: ['2.1.1', '2.1.4'],
  controlTower: ['CT.S3.PR.1', 'CT.S3.PR.8', 'CT.S3.PR.11'],
  evidence:
    `For buckets tagged ${BUCKET_ROLE_TAG}=${BUCKET_ROLES.accessLogs}: all four Block Public Access settings, versioning Enabled, a bucket policy ` +
    `denying s3:* without aws:SecureTransport, and no Allow in it to any principal but ${S3_SERVER_ACCESS_LOGGING_PRINCIPAL}.`,
  appliesTo: isAccessLogBucket,
  holds: (r, context) => {
    const statements = bucketPolicy(context);
    const allowsOnlyLogging = statements
      .filter((s) => s.Effect === 'Allow')
      .every((s) => {
        const principal = s.Principal as { Service?: string | string[] } | undefined;
        if (typeof principal !== 'object' || Object.keys(principal).length !== 1) return false;
        const services = list(principal.Service);
        return services.length > 0 && services.every((p) => p === S3_SERVER_ACCESS_LOGGING_PRINCIPAL);
      });
    return blocksPublicAccess(r) && versioned(r) && deniesPlainHttp(statements) && allowsOnlyLogging;
  },
};

export const s3PrivateTlsOnly: ComplianceControl = {
  id: 's3-private-tls-only',
  title: 'Buckets block all public access and refuse requests without TLS',
  resourceType: 'AWS::S3::Bucket',
  fsbp: ['S3.5', 'S3.8'],
  cis: ['2.1.1', '2.1.4'],
  controlTower: ['CT.S3.PR.1', 'CT.S3.PR.8'],
  evidence: 'All four bucket-level Block Public Access settings are true and the bucket policy denies s3:* to everyone when aws:SecureTransport is false.',
  holds: (r, context) => blocksPublicAccess(r) && deniesPlainHttp(bucketPolicy(context)),
};

export const s3BucketRetained: ComplianceControl = {
  id: 's3-bucket-retained',
  title: 'Log buckets are not deleted with the stack',
  resourceType: 'AWS::S3::Bucket',
  fsbp: [],
  cis: [],
  controlTower: [],
  weakenedBy: 'data-retention',
  evidence: 'DeletionPolicy RetainExceptOnCreate (or Retain) and UpdateReplacePolicy Retain (Object Lock still keeps locked versions when an exception lifts this).',
  holds: (r) => isRetained(r),
};
