import type { ComplianceControl, TemplateResource } from '../../lib/compliance/control';
import { s3AccessLogBucket, s3AuditBucketCmk, s3AuditTamperDenied, s3BucketRetained, s3ObjectLocked, s3PrivateTlsOnly } from '../../lib/audit/compliance-controls';
import { CONTROL_CATALOGUE } from '../../lib/compliance/catalogue';
import { AUDIT_BUCKET_CONFIG_ACTIONS, AUDIT_OBJECT_TAMPER_ACTIONS } from '../../lib/audit/audit-bucket-policy';

// Each S3 control holds on a compliant bucket and fails when one setting is removed or weakened.
type Resources = Record<string, TemplateResource>;
const check = (control: ComplianceControl, resources: Resources, logicalId = 'B') => control.holds(resources[logicalId]!, { logicalId, resources });

const BPA = { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true };
const BREAK_GLASS = 'arn:aws:iam::111122223333:role/openclaw-break-glass';
const CFN_EXEC = 'arn:aws:iam::111122223333:role/cdk-*-cfn-exec-role-111122223333-eu-west-1';
const tlsOnly = { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: ['arn:b', 'arn:b/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
const objectDeny = (actions: readonly string[] = AUDIT_OBJECT_TAMPER_ACTIONS, condition: Record<string, unknown> = { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] } }) => ({
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: [...actions],
  Resource: ['arn:b', 'arn:b/*'],
  Condition: condition,
});
const configDeny = (actions: readonly string[] = AUDIT_BUCKET_CONFIG_ACTIONS) => ({
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: [...actions],
  Resource: 'arn:b',
  Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] }, ArnNotLike: { 'aws:PrincipalArn': [CFN_EXEC] } },
});
const loggingAllow = { Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: 'arn:b/src/*' };

const policy = (statements: unknown[]): Resources => ({
  P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { Version: '2012-10-17', Statement: statements } } },
});

const auditProps = {
  ObjectLockEnabled: true,
  ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } },
  VersioningConfiguration: { Status: 'Enabled' },
  BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['K', 'Arn'] } } }] },
  PublicAccessBlockConfiguration: BPA,
  Tags: [{ Key: 'openclaw:bucket-role', Value: 'audit' }],
};
const audit = (overrides: Record<string, unknown> = {}, statements: unknown[] = [tlsOnly, objectDeny(), configDeny()]): Resources => ({
  B: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { ...auditProps, ...overrides } },
  ...policy(statements),
});

const accessLogProps = {
  VersioningConfiguration: { Status: 'Enabled' },
  BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
  PublicAccessBlockConfiguration: BPA,
  Tags: [{ Key: 'client-owner', Value: 'x' }, { Key: 'openclaw:bucket-role', Value: 'access-logs' }],
};
const accessLogs = (overrides: Record<string, unknown> = {}, statements: unknown[] = [tlsOnly, loggingAllow]): Resources => ({
  B: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { ...accessLogProps, ...overrides } },
  ...policy(statements),
});

test.each<[string, ComplianceControl, Resources, Resources]>([
  ['object lock on', s3ObjectLocked, audit(), audit({ ObjectLockEnabled: undefined })],
  ['object lock: a default retention', s3ObjectLocked, audit(), audit({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } })],
  [
    'object lock: retention of more than 0 days',
    s3ObjectLocked,
    audit({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } } } }),
    audit({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 0 } } } }),
  ],
  [
    'object lock: a real mode',
    s3ObjectLocked,
    audit({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 1 } } } }),
    audit({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Days: 30 } } } }),
  ],
  ['object lock: versioning', s3ObjectLocked, audit(), audit({ VersioningConfiguration: { Status: 'Suspended' } })],
  ['audit CMK', s3AuditBucketCmk, audit(), audit({ BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } })],
  ['audit CMK, not aws/s3', s3AuditBucketCmk, audit(), audit({ BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } })],
  ['tamper: the policy exists', s3AuditTamperDenied, audit(), { B: audit().B! }],
  ['tamper: governance bypass denied', s3AuditTamperDenied, audit(), audit({}, [tlsOnly, objectDeny(AUDIT_OBJECT_TAMPER_ACTIONS.filter((a) => a !== 's3:BypassGovernanceRetention')), configDeny()])],
  [
    'tamper: object actions exempt no role pattern (CloudFormation included)',
    s3AuditTamperDenied,
    audit(),
    audit({}, [tlsOnly, objectDeny(AUDIT_OBJECT_TAMPER_ACTIONS, { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] }, ArnNotLike: { 'aws:PrincipalArn': [CFN_EXEC] } }), configDeny()]),
  ],
  [
    'tamper: the deny is not narrowed by another condition',
    s3AuditTamperDenied,
    audit(),
    audit({}, [tlsOnly, objectDeny(AUDIT_OBJECT_TAMPER_ACTIONS, { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] }, Bool: { 'aws:MultiFactorAuthPresent': 'false' } }), configDeny()]),
  ],
  ['tamper: policy changes denied', s3AuditTamperDenied, audit(), audit({}, [tlsOnly, objectDeny(), configDeny(AUDIT_BUCKET_CONFIG_ACTIONS.filter((a) => a !== 's3:PutBucketPolicy'))])],
  ['tamper: a deny, not an allow', s3AuditTamperDenied, audit(), audit({}, [tlsOnly, { ...objectDeny(), Effect: 'Allow' }, configDeny()])],
  ['access-log bucket: public access blocked', s3AccessLogBucket, accessLogs(), accessLogs({ PublicAccessBlockConfiguration: { ...BPA, RestrictPublicBuckets: false } })],
  ['access-log bucket: versioned', s3AccessLogBucket, accessLogs(), accessLogs({ VersioningConfiguration: undefined })],
  ['access-log bucket: TLS only', s3AccessLogBucket, accessLogs(), accessLogs({}, [loggingAllow])],
  [
    'access-log bucket: only S3 logging may be allowed',
    s3AccessLogBucket,
    accessLogs(),
    accessLogs({}, [tlsOnly, loggingAllow, { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:PutObject', Resource: 'arn:b/*' }]),
  ],
  ['private and TLS only: TLS', s3PrivateTlsOnly, audit(), audit({}, [objectDeny(), configDeny()])],
  [
    'private and TLS only: the TLS deny covers s3:*',
    s3PrivateTlsOnly,
    audit(),
    audit({}, [{ ...tlsOnly, Action: 's3:GetObject' }, objectDeny(), configDeny()]),
  ],
  ['private and TLS only: public access', s3PrivateTlsOnly, accessLogs(), accessLogs({ PublicAccessBlockConfiguration: { ...BPA, BlockPublicPolicy: false } })],
  ['retained', s3BucketRetained, audit(), { ...audit(), B: { ...audit().B!, DeletionPolicy: 'Delete' } }],
  ['retained on replacement', s3BucketRetained, accessLogs(), { ...accessLogs(), B: { ...accessLogs().B!, UpdateReplacePolicy: 'Delete' } }],
])('%s: holds when configured, fails when weakened', (_name, control, good, bad) => {
  expect(check(control, good)).toBe(true);
  expect(check(control, bad)).toBe(false);
});

test('only the bucket tagged as the access-log bucket escapes Object Lock, and it gets its own control', () => {
  const accessLogBucket = accessLogs().B!;
  const untagged: TemplateResource = { Type: 'AWS::S3::Bucket', Properties: { VersioningConfiguration: { Status: 'Enabled' } } };
  const otherRole: TemplateResource = { Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Key: 'openclaw:bucket-role', Value: 'access-log' }] } };
  for (const c of [s3ObjectLocked, s3AuditBucketCmk, s3AuditTamperDenied]) {
    expect(c.appliesTo?.(accessLogBucket)).toBe(false);
    expect(c.appliesTo?.(untagged)).toBe(true);
    expect(c.appliesTo?.(otherRole)).toBe(true);
  }
  expect(s3AccessLogBucket.appliesTo?.(accessLogBucket)).toBe(true);
  expect(s3AccessLogBucket.appliesTo?.(untagged)).toBe(false);
  // An untagged bucket without a lock fails: nothing but the access-log bucket is exempt.
  expect(check(s3ObjectLocked, { B: untagged })).toBe(false);
});

test('the S3 controls are in the catalogue, retention weakened only by the data-retention exception', () => {
  const ids = CONTROL_CATALOGUE.map((c) => c.id);
  for (const id of ['s3-object-locked', 's3-audit-cmk', 's3-audit-tamper-denied', 's3-access-log-bucket', 's3-private-tls-only', 's3-bucket-retained']) expect(ids).toContain(id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(CONTROL_CATALOGUE.filter((c) => c.id.startsWith('s3-') && c.weakenedBy !== undefined).map((c) => [c.id, c.weakenedBy])).toEqual([['s3-bucket-retained', 'data-retention']]);
});

// Near misses, one per condition of each S3 control: the exact outcome on a bucket that differs from a compliant one in one detail.
const audited = (statements: unknown[], overrides: Record<string, unknown> = {}) => audit(overrides, statements);
const tlsWith = (patch: Record<string, unknown>) => ({ ...tlsOnly, ...patch });
const logAllowWith = (principal: unknown) => ({ ...loggingAllow, Principal: principal });
test.each<[string, ComplianceControl, Resources, boolean]>([
  ['TLS deny to Principal "*" counts', s3PrivateTlsOnly, audited([tlsWith({ Principal: '*' })]), true],
  ['TLS deny to one account does not count', s3PrivateTlsOnly, audited([tlsWith({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } })]), false],
  ['TLS deny without a principal does not count', s3PrivateTlsOnly, audited([tlsWith({ Principal: undefined })]), false],
  ['TLS statement that allows does not count', s3PrivateTlsOnly, audited([tlsWith({ Effect: 'Allow' })]), false],
  ['TLS deny of "*" counts', s3PrivateTlsOnly, audited([tlsWith({ Action: '*' })]), true],
  ['TLS deny listing s3:* among other actions counts', s3PrivateTlsOnly, audited([tlsWith({ Action: ['s3:GetObject', 's3:*'] })]), true],
  ['TLS deny of s3:Get* does not count', s3PrivateTlsOnly, audited([tlsWith({ Action: 's3:Get*' })]), false],
  ['TLS deny without an action does not count', s3PrivateTlsOnly, audited([tlsWith({ Action: undefined })]), false],
  ['TLS condition as boolean false counts', s3PrivateTlsOnly, audited([tlsWith({ Condition: { Bool: { 'aws:SecureTransport': false } } })]), true],
  ['TLS condition "true" does not count', s3PrivateTlsOnly, audited([tlsWith({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } })]), false],
  ['TLS deny without a condition (denies everything) is not the TLS deny', s3PrivateTlsOnly, audited([tlsWith({ Condition: undefined })]), false],
  ['TLS condition on another key does not count', s3PrivateTlsOnly, audited([tlsWith({ Condition: { StringEquals: { 'aws:SecureTransport': 'false' } } })]), false],
  ['a policy whose Statement is one object, not a list', s3PrivateTlsOnly, { ...audit(), P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { Statement: tlsOnly } } } }, true],
  ['the TLS deny in another bucket\'s policy does not count', s3PrivateTlsOnly, { ...audit(), P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Other' }, PolicyDocument: { Statement: [tlsOnly] } } } }, false],
  [
    'the TLS deny in a resource that is not a bucket policy does not count',
    s3PrivateTlsOnly,
    { B: audit().B!, Ap: { Type: 'AWS::S3::AccessPoint', Properties: { Bucket: { Ref: 'B' }, PolicyDocument: { Statement: [tlsOnly] } } } },
    false,
  ],
  ['a bucket policy by GetAtt on the bucket counts', s3PrivateTlsOnly, { ...audit(), P: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { 'Fn::GetAtt': ['B', 'Arn'] }, PolicyDocument: { Statement: [tlsOnly] } } } }, true],
  ['a propertyless resource in the template is skipped', s3PrivateTlsOnly, { X: { Type: 'AWS::S3::BucketPolicy' }, ...audit() }, true],
  ['no Block Public Access at all', s3PrivateTlsOnly, audit({ PublicAccessBlockConfiguration: undefined }), false],
  ...(['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'] as const).map<[string, ComplianceControl, Resources, boolean]>((k) => [
    `Block Public Access ${k} missing`,
    s3PrivateTlsOnly,
    audit({ PublicAccessBlockConfiguration: { ...BPA, [k]: undefined } }),
    false,
  ]),
  ['Block Public Access "true" as a string does not count', s3PrivateTlsOnly, audit({ PublicAccessBlockConfiguration: { ...BPA, BlockPublicAcls: 'true' } }), false],
  ['object lock configuration missing', s3ObjectLocked, audit({ ObjectLockConfiguration: undefined }), false],
  ['object lock configuration disabled', s3ObjectLocked, audit({ ObjectLockConfiguration: { ...auditProps.ObjectLockConfiguration, ObjectLockEnabled: 'Disabled' } }), false],
  ['ObjectLockEnabled "true" as a string', s3ObjectLocked, audit({ ObjectLockEnabled: 'true' }), false],
  ['retention mode unknown', s3ObjectLocked, audit({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'LEGAL_HOLD', Days: 30 } } } }), false],
  ['retention of one day holds', s3ObjectLocked, audit({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } } }), true],
  ['retention in Years only holds', s3ObjectLocked, audit({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 0, Years: 1 } } } }), true],
  ['retention of a fractional day', s3ObjectLocked, audit({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1.5 } } } }), false],
  ['retention days as a string', s3ObjectLocked, audit({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: '30' } } } }), false],
  ['retention of negative years', s3ObjectLocked, audit({ ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: -1 } } } }), false],
  ['no versioning configuration', s3ObjectLocked, audit({ VersioningConfiguration: undefined }), false],
  ['no bucket encryption', s3AuditBucketCmk, audit({ BucketEncryption: undefined }), false],
  ['an empty encryption rule list', s3AuditBucketCmk, audit({ BucketEncryption: { ServerSideEncryptionConfiguration: [] } }), false],
  ['an encryption rule without a default', s3AuditBucketCmk, audit({ BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true }] } }), false],
  [
    'one CMK rule and one AES256 rule',
    s3AuditBucketCmk,
    audit({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          ...auditProps.BucketEncryption.ServerSideEncryptionConfiguration,
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
    }),
    false,
  ],
  ['a KMS key without aws:kms', s3AuditBucketCmk, audit({ BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: 'k' } }] } }), false],
  ['tamper: object deny exempting by a pattern only', s3AuditTamperDenied, audited([tlsOnly, objectDeny(AUDIT_OBJECT_TAMPER_ACTIONS, { ArnNotLike: { 'aws:PrincipalArn': [BREAK_GLASS] } }), configDeny()]), false],
  ['tamper: object deny with no condition at all', s3AuditTamperDenied, audited([tlsOnly, { ...objectDeny(), Condition: undefined }, configDeny()]), false],
  ['tamper: StringNotEquals on another key', s3AuditTamperDenied, audited([tlsOnly, objectDeny(AUDIT_OBJECT_TAMPER_ACTIONS, { StringNotEquals: { 'aws:SourceVpc': 'vpc-1' } }), configDeny()]), false],
  [
    'tamper: StringNotEquals naming the principal and another key',
    s3AuditTamperDenied,
    audited([tlsOnly, objectDeny(AUDIT_OBJECT_TAMPER_ACTIONS, { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS], 'aws:SourceVpc': 'vpc-1' } }), configDeny()]),
    false,
  ],
  [
    'tamper: config deny whose pattern exemption has another key',
    s3AuditTamperDenied,
    audited([tlsOnly, objectDeny(), { ...configDeny(), Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] }, ArnNotLike: { 'aws:PrincipalArn': [CFN_EXEC], 'aws:SourceArn': 'x' } } }]),
    false,
  ],
  ['tamper: config deny without the pattern still holds', s3AuditTamperDenied, audited([tlsOnly, objectDeny(), { ...configDeny(), Condition: { StringNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS] } } }]), true],
  ['tamper: deny to one account only', s3AuditTamperDenied, audited([tlsOnly, { ...objectDeny(), Principal: { AWS: 'arn:aws:iam::111122223333:root' } }, configDeny()]), false],
  ['access-log bucket: an Allow without a principal', s3AccessLogBucket, accessLogs({}, [tlsOnly, logAllowWith(undefined)]), false],
  ['access-log bucket: an Allow to "*"', s3AccessLogBucket, accessLogs({}, [tlsOnly, logAllowWith('*')]), false],
  ['access-log bucket: the logging service with an account beside it', s3AccessLogBucket, accessLogs({}, [tlsOnly, logAllowWith({ Service: 'logging.s3.amazonaws.com', AWS: 'arn:aws:iam::111122223333:root' })]), false],
  ['access-log bucket: the logging service as a list', s3AccessLogBucket, accessLogs({}, [tlsOnly, logAllowWith({ Service: ['logging.s3.amazonaws.com'] })]), true],
  ['access-log bucket: the logging service and another service', s3AccessLogBucket, accessLogs({}, [tlsOnly, logAllowWith({ Service: ['logging.s3.amazonaws.com', 'cloudtrail.amazonaws.com'] })]), false],
  ['access-log bucket: an empty service list', s3AccessLogBucket, accessLogs({}, [tlsOnly, logAllowWith({ Service: [] })]), false],
  ['access-log bucket: no Allow at all holds', s3AccessLogBucket, accessLogs({}, [tlsOnly]), true],
  ['access-log bucket: a Deny to an account is no Allow', s3AccessLogBucket, accessLogs({}, [tlsOnly, loggingAllow, { Effect: 'Deny', Principal: { AWS: 'arn:a' }, Action: 's3:*' }]), true],
])('S3 near miss: %s', (_name, control, resources, expected) => {
  expect(check(control, resources)).toBe(expected);
});

test('a bucket with tags but no role tag is not the access-log bucket', () => {
  const tagged: TemplateResource = { Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Key: 'client-owner', Value: 'x' }] } };
  expect(s3ObjectLocked.appliesTo?.(tagged)).toBe(true);
  expect(s3AccessLogBucket.appliesTo?.(tagged)).toBe(false);
  const byRef: TemplateResource = { Type: 'AWS::S3::Bucket', Properties: { Tags: [{ Key: 'openclaw:bucket-role', Value: { Ref: 'Role' } }] } };
  expect(s3AccessLogBucket.appliesTo?.(byRef)).toBe(false);
});

test('a bucket without properties: not the access-log bucket, and no S3 control holds on it', () => {
  const bare: Resources = { B: { Type: 'AWS::S3::Bucket' } };
  expect(s3ObjectLocked.appliesTo?.(bare.B!)).toBe(true);
  expect(s3AccessLogBucket.appliesTo?.(bare.B!)).toBe(false);
  for (const c of [s3ObjectLocked, s3AuditBucketCmk, s3AuditTamperDenied, s3AccessLogBucket, s3PrivateTlsOnly, s3BucketRetained]) expect([c.id, check(c, bare)]).toEqual([c.id, false]);
});
