/**
 * What the live checks of the host concern expect, derived from the resolved
 * config at synth time (pure data: the daily check receives it as JSON).
 */
import type { ResolvedConfig } from '../config/schema';

export interface HostLiveSettings {}

export function hostLiveSettings(config: ResolvedConfig): HostLiveSettings {
  void config;
  return {};
}
