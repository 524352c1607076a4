import type { ComplianceControl } from './control';
import { ebsStateVolumeProtected, ec2Imdsv2, ec2NoPublicIp, ec2VolumesEncrypted, noWorldIngress, vpcDefaultSecurityGroupClosed, vpcFlowLogs } from '../host/compliance-controls';
import { cloudFrontHttpsOnly, cloudFrontWaf, wafHasRules, wafLogging } from '../edge/compliance-controls';
import { kmsGrantsForAwsServicesOnly, kmsKeyRetained, kmsKeyRotation } from '../keys/compliance-controls';
import { s3AccessLogBucket, s3AuditBucketCmk, s3AuditTamperDenied, s3BucketRetained, s3ObjectLocked, s3PrivateTlsOnly } from '../audit/compliance-controls';
import { breakGlassRecordedOnly } from '../access/compliance-controls';
import { secretEncryptedWithCmk, secretRetained, secretRotation, secretValueAccessRestricted } from '../secrets/compliance-controls';

/**
 * Every control the compliance report knows. A control is "present" when the
 * deployment has a resource of its type; it must then hold on every such
 * resource, or the gate fails. Controls a config exception weakens are
 * exempted by ID (see lib/gate/evaluate.ts).
 */
export const CONTROL_CATALOGUE: readonly ComplianceControl[] = [
  kmsKeyRotation,
  kmsKeyRetained,
  kmsGrantsForAwsServicesOnly,
  ec2Imdsv2,
  ec2NoPublicIp,
  ec2VolumesEncrypted,
  ebsStateVolumeProtected,
  vpcFlowLogs,
  vpcDefaultSecurityGroupClosed,
  noWorldIngress,
  cloudFrontHttpsOnly,
  cloudFrontWaf,
  wafHasRules,
  wafLogging,
  secretEncryptedWithCmk,
  secretRetained,
  secretValueAccessRestricted,
  secretRotation,
  s3ObjectLocked,
  s3AuditBucketCmk,
  s3AuditTamperDenied,
  s3AccessLogBucket,
  s3PrivateTlsOnly,
  s3BucketRetained,
  breakGlassRecordedOnly,
];
