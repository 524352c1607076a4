/**
 * A drill exercises a recovery path on the live deployment (opt-in, --drill):
 * it may change things (stop the instance, deny a secret) and must put them
 * back. Its outcome is reported like a check.
 */
import type { CheckResult } from './live-check';
import type { VerifyContext } from './verify-context';

export interface Drill {
  /** The --drill value, e.g. `dry-run`. */
  readonly id: string;
  readonly title: string;
  /** Refused on an environment named prod (the drill changes the deployment). */
  readonly nonProdOnly: boolean;
  /** Runs the drill; `log` prints a progress line. */
  readonly run: (ctx: VerifyContext, log: (line: string) => void) => Promise<readonly CheckResult[]>;
}
