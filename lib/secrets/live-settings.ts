/**
 * What the live checks of the secrets concern expect, derived from the resolved
 * config at synth time (pure data: the daily check receives it as JSON).
 */
import type { ResolvedConfig } from '../config/schema';

export interface SecretsLiveSettings {
  /** Days between scheduled rotations of the generated secrets (config secrets.rotationDays). */
  readonly rotationDays: number;
}

export function secretsLiveSettings(config: ResolvedConfig): SecretsLiveSettings {
  return { rotationDays: config.secrets.rotationDays };
}
