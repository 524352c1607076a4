/**
 * What the live checks of the alarms concern expect, derived from the resolved
 * config at synth time (pure data: the daily check receives it as JSON).
 */
import type { ResolvedConfig } from '../config/schema';

export interface AlarmsLiveSettings {}

export function alarmsLiveSettings(config: ResolvedConfig): AlarmsLiveSettings {
  void config;
  return {};
}
