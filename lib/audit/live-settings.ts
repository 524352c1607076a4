/**
 * What the live checks of the audit concern expect, derived from the resolved
 * config at synth time (pure data: the daily check receives it as JSON).
 */
import type { ResolvedConfig } from '../config/schema';
import { CLOUDWATCH_AGENT_FLUSH_SECONDS } from '../host/cloudwatch-agent';
import { BUCKET_ROLE_TAG, BUCKET_ROLES } from './access-log-bucket';
import { LOG_ARCHIVE_PREFIX } from './log-archive';

/** How often openclaw-log-export copies the host's logs for the CloudWatch agent (host/systemd/openclaw-log-export.timer, OnUnitActiveSec=1min). */
const HOST_LOG_EXPORT_SECONDS = 60;

export interface AuditLiveSettings {
  /** Object Lock mode of every audit bucket (config audit.lockMode: COMPLIANCE in prod, GOVERNANCE in dev and staging). */
  readonly lockMode: 'COMPLIANCE' | 'GOVERNANCE';
  /** Days of the default retention (config audit.lockRetentionDays). */
  readonly lockRetentionDays: number;
  /** The tag that marks an audit bucket in the templates (key and value). */
  readonly auditBucketTag: { readonly key: string; readonly value: string };
  /** Key prefix of the host log archive in the audit bucket (the Firehose delivery stream's, before its date). */
  readonly logArchivePrefix: string;
  /**
   * Seconds a host log line takes at most to reach the archive when the path
   * works: the host's export interval plus the CloudWatch agent's flush (the
   * Firehose buffer, read from the template, comes on top).
   */
  readonly hostLogShippingSeconds: number;
}

export function auditLiveSettings(config: ResolvedConfig): AuditLiveSettings {
  return {
    lockMode: config.audit.lockMode,
    lockRetentionDays: config.audit.lockRetentionDays,
    auditBucketTag: { key: BUCKET_ROLE_TAG, value: BUCKET_ROLES.audit },
    logArchivePrefix: LOG_ARCHIVE_PREFIX,
    hostLogShippingSeconds: HOST_LOG_EXPORT_SECONDS + CLOUDWATCH_AGENT_FLUSH_SECONDS,
  };
}
