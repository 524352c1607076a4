/** What an invocation did: its return value, its last log line, and what the notification is written from. */
import { type DenyOutcome } from './deny-secrets';
import { type DistributionOutcome } from './distribution';
import { type InstanceOutcome } from './instances';
import { type Action, type IgnoredOutcome, type Trigger } from './triggers';

export interface Summary {
  readonly action: Action;
  readonly dryRun: boolean;
  readonly trigger: Trigger;
  readonly reason: string;
  readonly at: string;
  readonly instances: readonly InstanceOutcome[];
  /** Kill and restore, when DISABLE_DISTRIBUTION=true. */
  readonly distribution?: DistributionOutcome;
  /** Kill and restore, when DENY_SECRETS=true. */
  readonly denySecrets?: DenyOutcome;
  /** The state parameter was written (never in a dry run, nor for status). */
  readonly recorded: boolean;
  /** Kill only (not in a dry run): KillSwitchExecuted was published. */
  readonly metricPublished?: boolean;
  readonly notified: boolean;
  /** One line per failed step; any makes a kill or restore throw. */
  readonly failures: readonly string[];
  /** Status only: the recorded state (null: never recorded). */
  readonly recordedState?: unknown;
}

export interface IgnoredSummary {
  readonly action: 'ignored';
  readonly dryRun: boolean;
  readonly ignored: readonly ({ readonly outcome: IgnoredOutcome } & Readonly<Record<string, string | number>>)[];
  readonly notified: boolean;
}
