/**
 * What the live checks of the alarms concern expect, derived from the resolved
 * config at synth time (pure data: the daily check receives it as JSON). The
 * alarms themselves come from the deployed templates, not from here, so that
 * every alarm a stack defines is checked, including ones added later.
 */
import type { ResolvedConfig } from '../config/schema';
import { deploymentName } from '../shared/naming';

/** One subscription config.alerts asks for, on every alert topic. */
export interface AlertEndpoint {
  /** SNS protocol: `email`, `sms` or `https`. */
  readonly protocol: 'email' | 'sms' | 'https';
  /** The address, phone number or URL, as SNS lists it. */
  readonly endpoint: string;
}

export interface AlarmsLiveSettings {
  /**
   * Names of the topics people are told on (`<name>-alerts` in the main
   * region, `<name>-edge-alerts` in us-east-1): each must carry every
   * subscription of `alertEndpoints`, confirmed.
   */
  readonly alertTopicNames: readonly string[];
  /** config.alerts.email, sms and https. */
  readonly alertEndpoints: readonly AlertEndpoint[];
  /**
   * How long an alarm may stay in INSUFFICIENT_DATA after it entered that
   * state: the larger of `minimumMinutes` and `windows` evaluation windows
   * (Period x EvaluationPeriods). CloudWatch leaves INSUFFICIENT_DATA after one
   * full window of data; three windows absorb late or batched metrics (the
   * host publishes every minute, CloudTrail metric filters lag by minutes),
   * and an hour covers a fresh deploy: boot, the preflight, the first
   * health and spend figures.
   */
  readonly warmUp: { readonly minimumMinutes: number; readonly windows: number };
}

export function alarmsLiveSettings(config: ResolvedConfig): AlarmsLiveSettings {
  const name = deploymentName(config);
  return {
    alertTopicNames: [`${name}-alerts`, `${name}-edge-alerts`],
    alertEndpoints: [
      ...config.alerts.email.map((endpoint) => ({ protocol: 'email' as const, endpoint })),
      ...config.alerts.sms.map((endpoint) => ({ protocol: 'sms' as const, endpoint })),
      ...config.alerts.https.map((endpoint) => ({ protocol: 'https' as const, endpoint })),
    ],
    warmUp: { minimumMinutes: 60, windows: 3 },
  };
}
