/**
 * Everything the live checks expect that is not in the templates: values of
 * the resolved config (lock mode and days, the cost allocation tag, the
 * digests of the rendered host files ...). Pure JSON, so that the daily drift
 * check (lambda/verify-controls) receives the same settings as npm run verify.
 */
import type { ResolvedConfig } from '../config/schema';
import { alarmsLiveSettings, type AlarmsLiveSettings } from '../alarms/live-settings';
import { auditLiveSettings, type AuditLiveSettings } from '../audit/live-settings';
import { edgeLiveSettings, type EdgeLiveSettings } from '../edge/live-settings';
import { hostLiveSettings, type HostLiveSettings } from '../host/live-settings';
import { secretsLiveSettings, type SecretsLiveSettings } from '../secrets/live-settings';
import { spendLiveSettings, type SpendLiveSettings } from '../spend/live-settings';

export interface VerifySettings {
  readonly edge: EdgeLiveSettings;
  readonly host: HostLiveSettings;
  readonly secrets: SecretsLiveSettings;
  readonly audit: AuditLiveSettings;
  readonly alarms: AlarmsLiveSettings;
  readonly spend: SpendLiveSettings;
}

export function verifySettings(config: ResolvedConfig): VerifySettings {
  return {
    edge: edgeLiveSettings(config),
    host: hostLiveSettings(config),
    secrets: secretsLiveSettings(config),
    audit: auditLiveSettings(config),
    alarms: alarmsLiveSettings(config),
    spend: spendLiveSettings(config),
  };
}
