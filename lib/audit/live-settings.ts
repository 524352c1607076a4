/**
 * What the live checks of the audit concern expect, derived from the resolved
 * config at synth time (pure data: the daily check receives it as JSON).
 */
import type { ResolvedConfig } from '../config/schema';

export interface AuditLiveSettings {}

export function auditLiveSettings(config: ResolvedConfig): AuditLiveSettings {
  void config;
  return {};
}
