/**
 * What the audit and alerts config means for one client x environment: the
 * Object Lock mode of its audit buckets, and how many subscriptions its alert
 * topic has (lib/config/validators/alerts.ts refuses none in production).
 */
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
