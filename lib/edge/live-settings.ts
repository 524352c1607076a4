/**
 * What the live checks of the edge concern expect, derived from the resolved
 * config at synth time (pure data: the daily check receives it as JSON).
 */
import type { ResolvedConfig } from '../config/schema';

export interface EdgeLiveSettings {}

export function edgeLiveSettings(config: ResolvedConfig): EdgeLiveSettings {
  void config;
  return {};
}
