/**
 * Alerts: a COMPLIANCE-mode (production) deployment whose alarms reach nobody
 * is refused: an alarm without a reader is configured, not a control.
 */
import { alertSubscriptionCount } from '../../audit/audit-config';
import type { ConfigProblem } from '../errors';
import { originOf, type MergedConfig } from '../merge';
import type { ResolvedConfig } from '../schema';

/** At least one alert subscription (alerts.email, alerts.sms or alerts.https) where the audit buckets use COMPLIANCE mode. */
export function checkAlerts(config: ResolvedConfig, merged: MergedConfig): ConfigProblem[] {
  if (config.audit.lockMode !== 'COMPLIANCE' || alertSubscriptionCount(config) > 0) return [];
  const origin = originOf(merged, ['alerts', 'email']);
  return [
    {
      file: origin?.file,
      line: origin?.line,
      path: 'alerts',
      message:
        `${config.env} needs at least one alert subscription (alerts.email, alerts.sms or alerts.https): ` +
        `its alarms (boot, secrets, integrity, WAF, auth failures, policy changes) would reach nobody. ` +
        `Add one in config/clients/${config.client}/client.yaml or ${config.env}.yaml`,
    },
  ];
}
