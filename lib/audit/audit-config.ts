/**
 * What the audit and alerts config means for one client x environment: the
 * Object Lock mode of its audit buckets (derived from the environment's name
 * once, when the config is loaded: ResolvedConfig.audit.lockMode), and how many
 * subscriptions its alert topic has (lib/config/validators/alerts.ts refuses
 * none in production).
 */
import type { ResolvedConfig } from '../config/schema';

/** Environments whose audit buckets use GOVERNANCE mode (the break-glass role can clean up); every other one is COMPLIANCE. */
export const GOVERNANCE_ENVIRONMENTS = ['dev', 'staging'] as const;

export type ObjectLockMode = 'COMPLIANCE' | 'GOVERNANCE';

/** Where audit.lockMode comes from, as the loader explains it to whoever tries to set it. */
export const LOCK_MODE_DERIVATION = `derived from the environment: GOVERNANCE in ${GOVERNANCE_ENVIRONMENTS.join(' and ')}, COMPLIANCE in every other one`;

/**
 * The Object Lock mode of an environment's audit buckets: COMPLIANCE in prod (and
 * any environment not listed as non-production), GOVERNANCE in dev and staging.
 * Not settable in YAML, so the hardened mode cannot be weakened by an overlay.
 */
export function objectLockMode(env: string): ObjectLockMode {
  return (GOVERNANCE_ENVIRONMENTS as readonly string[]).includes(env) ? 'GOVERNANCE' : 'COMPLIANCE';
}

/** Subscriptions of the alert topic, in config order. */
export function alertSubscriptionCount(config: ResolvedConfig): number {
  return config.alerts.email.length + config.alerts.sms.length + config.alerts.https.length;
}
