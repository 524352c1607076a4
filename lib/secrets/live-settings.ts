/**
 * What the live checks of the secrets concern expect, derived from the resolved
 * config at synth time (pure data: the daily check receives it as JSON).
 */
import type { ResolvedConfig } from '../config/schema';

export interface SecretsLiveSettings {}

export function secretsLiveSettings(config: ResolvedConfig): SecretsLiveSettings {
  void config;
  return {};
}
