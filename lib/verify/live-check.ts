/**
 * A live check: one control (or one piece of wiring between controls) checked
 * on a deployed client x environment through AWS APIs, or on its host through
 * the verification document. Checks are read-only unless they say otherwise
 * (`needs: 'write-probes'`).
 */
import type { VerifyContext } from './verify-context';

/** The concern a check belongs to; the table groups by it. */
export type LiveConcern = 'deployment' | 'edge' | 'host' | 'secrets' | 'audit' | 'alarms' | 'spend';

/** pass: the control holds live; fail: it does not; skip: not applicable here (the reason is the evidence). */
export type CheckStatus = 'pass' | 'fail' | 'skip';

/** What one check found on one resource. */
export interface CheckResult {
  /** The check's ID (`LiveCheck.id`). */
  readonly check: string;
  /** The control it proves: a compliance catalogue ID or a wiring name. */
  readonly control: string;
  readonly status: CheckStatus;
  /** The live resource it looked at: an ARN, an ID or a name. */
  readonly resource: string;
  /** What it saw, in one line: the value for a pass, the value and what was expected for a fail. */
  readonly evidence: string;
}

export interface LiveCheck {
  /** Stable ID, `<concern>.<what>`, e.g. `host.imdsv2-required`. */
  readonly id: string;
  /** The control it proves: a compliance catalogue ID (lib/compliance/catalogue.ts) or a wiring name. */
  readonly control: string;
  /** One line for the table. */
  readonly title: string;
  readonly concern: LiveConcern;
  /**
   * Runs in the deployment's daily drift check (lambda/verify-controls): read-only
   * AWS API calls only, no SSM command, no network request to the edge.
   */
  readonly daily: boolean;
  /**
   * Every IAM action the check calls (`service:Action`), so that the daily
   * check's role is granted exactly what its checks call
   * (test/verify/declared-actions.test.ts compares it with the calls made).
   */
  readonly iam: readonly string[];
  /** What the check needs beyond read-only API calls. @default nothing */
  readonly needs?: 'host' | 'write-probes' | 'edge-request';
  /** Checks the live deployment; one result per resource looked at. */
  readonly run: (ctx: VerifyContext) => Promise<readonly CheckResult[]>;
}

/** A result of `check` on `resource`. */
export function result(check: LiveCheck, status: CheckStatus, resource: string, evidence: string): CheckResult {
  return { check: check.id, control: check.control, status, resource, evidence };
}

/** pass when `ok`, else fail; the evidence says what was seen (and, on a fail, what was expected). */
export function expect(check: LiveCheck, ok: boolean, resource: string, seen: string, expected: string): CheckResult {
  return result(check, ok ? 'pass' : 'fail', resource, ok ? seen : `${seen}; expected ${expected}`);
}
