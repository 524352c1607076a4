/**
 * What the live checks of the spend concern expect, derived from the resolved
 * config at synth time (pure data: the daily check receives it as JSON).
 */
import type { ResolvedConfig } from '../config/schema';

export interface SpendLiveSettings {}

export function spendLiveSettings(config: ResolvedConfig): SpendLiveSettings {
  void config;
  return {};
}
