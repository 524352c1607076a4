/**
 * What the audit and alerts config means for one client x environment: the
 * Object Lock mode of its audit buckets, and whether its alarms reach anyone.
 */
import type { ConfigProblem } from '../config/errors';
import { originOf, type MergedConfig } from '../config/merge';
import type { ResolvedConfig } from '../config/schema';

/** Environments whose audit buckets use GOVERNANCE mode (the break-glass role can clean up); every other one is COMPLIANCE. */
export const GOVERNANCE_ENVIRONMENTS = ['dev', 'staging'] as const;

export type ObjectLockMode = 'COMPLIANCE' | 'GOVERNANCE';

/** COMPLIANCE in prod (and any environment not listed as non-production), GOVERNANCE in dev and staging. */
export function objectLockMode(config: ResolvedConfig): ObjectLockMode {
  return (GOVERNANCE_ENVIRONMENTS as readonly string[]).includes(config.env) ? 'GOVERNANCE' : 'COMPLIANCE';
}

/** Subscriptions of the alert topic, in config order. */
export function alertSubscriptionCount(config: ResolvedConfig): number {
  return config.alerts.email.length + config.alerts.sms.length + config.alerts.https.length;
}

/**
 * A COMPLIANCE-mode (production) deployment whose alarms reach nobody is
 * refused: an alarm without a reader is configured, not a control.
 */
export function checkAlerts(config: ResolvedConfig, merged: MergedConfig): ConfigProblem[] {
  if (objectLockMode(config) !== 'COMPLIANCE' || alertSubscriptionCount(config) > 0) return [];
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
