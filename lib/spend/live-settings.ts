/**
 * What the live checks and drills of the spend concern expect, derived from
 * the resolved config at synth time (pure data: the daily check receives it
 * as JSON). Budgets, alarms and subscriptions come from the deployed
 * templates; this holds what only the config says.
 */
import type { ResolvedConfig } from '../config/schema';
import { deploymentName } from '../shared/naming';

export interface SpendLiveSettings {
  /** The kill switch function (`<name>-kill-switch`, lib/spend/kill-switch-request.ts). */
  readonly killSwitchFunction: string;
  /** Its state parameter (`/openclaw/<name>/kill-switch`, lib/spend/kill-switch.ts): `armed` or `restored` when armed, `killed` after a kill. */
  readonly killSwitchStateParameter: string;
  /** The topic the kill switch listens on (`<name>-shutdown`). */
  readonly shutdownTopicName: string;
  /** config spend.onShutdown.disableDistribution: a kill's plan names the distribution. */
  readonly disableDistribution: boolean;
  /** config spend.onShutdown.denySecrets: a kill's plan attaches the deny policy to the host role. */
  readonly denySecrets: boolean;
  /** The kill drill (--drill=kill): the goal from the breach signal to the instance stopped, and how often it polls. */
  readonly killDrill: {
    /** The goal: stopped within 3 minutes of the signal. */
    readonly stopWithinSeconds: number;
    /** Restored: running, status checks ok and gateway-unhealthy OK again (its window is 10 minutes of data). */
    readonly restoreWithinSeconds: number;
    /** Seconds between two polls of the instance state. */
    readonly pollSeconds: number;
  };
}

export function spendLiveSettings(config: ResolvedConfig): SpendLiveSettings {
  const name = deploymentName(config);
  return {
    killSwitchFunction: `${name}-kill-switch`,
    killSwitchStateParameter: `/openclaw/${name}/kill-switch`,
    shutdownTopicName: `${name}-shutdown`,
    disableDistribution: config.spend.onShutdown.disableDistribution,
    denySecrets: config.spend.onShutdown.denySecrets,
    killDrill: { stopWithinSeconds: 180, restoreWithinSeconds: 1200, pollSeconds: 10 },
  };
}
