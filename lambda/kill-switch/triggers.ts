/**
 * What an invocation asks for. Two shapes of event:
 *
 *   SNS (Records[].Sns), from the deployment's shutdown topic:
 *     - an AWS Budgets notification (budget-message.ts): kill at a threshold of 100 % or more
 *       of ACTUAL cost; below 100 %, or FORECASTED, ignored;
 *     - a CloudWatch alarm notification (alarm-message.ts): kill when it went to ALARM and its
 *       name is in TRIGGER_ALARMS; other states and other alarms ignored;
 *     - anything else: ignored, and the alert topic told (a changed Budgets format must not
 *       silently disarm the kill switch).
 *   Direct invoke by operators (npm run kill | restore | status):
 *     { "action": "kill" | "restore" | "status", "reason": "...", "requestedBy": "...", "dryRun"?: true }
 *     Unknown keys are refused (a misspelt "dryrun" must not kill for real).
 */
import { parseAlarmMessage } from './alarm-message';
import { parseBudgetMessage } from './budget-message';
import { truncate } from './log';

export type Action = 'kill' | 'restore' | 'status';
const ACTIONS: readonly Action[] = ['kill', 'restore', 'status'];

export type Trigger =
  | { readonly source: 'budget'; readonly budgetName: string; readonly thresholdPercent: number; readonly alertType: string }
  | { readonly source: 'alarm'; readonly alarmName: string }
  | { readonly source: 'operator'; readonly requestedBy: string };

export interface ActionRequest {
  readonly action: Action;
  readonly trigger: Trigger;
  readonly reason: string;
  /** The event's dryRun flag (DRY_RUN in the environment applies as well). */
  readonly dryRun: boolean;
}

export type IgnoredOutcome = 'ignored-below-threshold' | 'ignored-forecast' | 'ignored-not-alarm-state' | 'ignored-unknown-alarm' | 'ignored-unreadable';

export interface Ignored {
  readonly outcome: IgnoredOutcome;
  /** A few fields for the log line and the return value; never the message body. */
  readonly detail: Readonly<Record<string, string | number>>;
  /** Tell the alert topic (only for messages the kill switch could not read). */
  readonly notify: boolean;
}

export type Decision = { readonly kind: 'act'; readonly request: ActionRequest } | { readonly kind: 'ignore'; readonly ignored: Ignored };

export class EventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventError';
  }
}

export const MAX_REASON = 500;
export const MAX_REQUESTED_BY = 128;

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** One line of printable text: control characters become spaces, runs of spaces one. */
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();

/** What one SNS message asks for. */
export function decideMessage(message: string, triggerAlarms: readonly string[], ids: Record<string, string>): Decision {
  const budget = parseBudgetMessage(message);
  if (budget.kind === 'budget') {
    const { budgetName, thresholdPercent, alertType, budgetedAmount } = budget.notification;
    const detail = { ...ids, budgetName, thresholdPercent, alertType: alertType ?? 'unknown' };
    if (alertType === 'FORECASTED') return { kind: 'ignore', ignored: { outcome: 'ignored-forecast', detail, notify: false } };
    if (thresholdPercent < 100) return { kind: 'ignore', ignored: { outcome: 'ignored-below-threshold', detail, notify: false } };
    const of = budgetedAmount === undefined ? 'its amount' : `the budgeted ${budgetedAmount}`;
    return {
      kind: 'act',
      request: {
        action: 'kill',
        trigger: { source: 'budget', budgetName, thresholdPercent, alertType: alertType ?? 'ACTUAL' },
        reason: truncate(`AWS Budgets: ${alertType ?? 'ACTUAL'} cost of budget ${budgetName} crossed ${thresholdPercent}% of ${of}`, MAX_REASON),
        dryRun: false,
      },
    };
  }
  if (budget.kind === 'unreadable') {
    return {
      kind: 'ignore',
      ignored: { outcome: 'ignored-unreadable', detail: { ...ids, shape: 'budget', budgetName: budget.budgetName ?? 'unknown', problem: budget.problem }, notify: true },
    };
  }
  const alarm = parseAlarmMessage(message);
  if (alarm.kind === 'not-alarm') {
    return {
      kind: 'ignore',
      ignored: { outcome: 'ignored-unreadable', detail: { ...ids, shape: alarm.json ? 'json' : 'text', problem: 'neither an AWS Budgets nor a CloudWatch alarm notification' }, notify: true },
    };
  }
  const { alarmName, newState, reason } = alarm.notification;
  const detail = { ...ids, alarmName: truncate(alarmName, 255), newState: truncate(newState, 40) };
  if (newState !== 'ALARM') return { kind: 'ignore', ignored: { outcome: 'ignored-not-alarm-state', detail, notify: false } };
  if (!triggerAlarms.includes(alarmName)) return { kind: 'ignore', ignored: { outcome: 'ignored-unknown-alarm', detail, notify: false } };
  return {
    kind: 'act',
    request: {
      action: 'kill',
      trigger: { source: 'alarm', alarmName },
      reason: truncate(oneLine(`CloudWatch alarm ${alarmName} in ALARM${reason === undefined ? '' : `: ${reason}`}`), MAX_REASON),
      dryRun: false,
    },
  };
}

function text(body: Record<string, unknown>, key: string, max: number, required: boolean): string | undefined {
  const value = body[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || oneLine(value) === '') throw new EventError(`operator request: "${key}" must be a non-empty string`);
  if (value.length > max) throw new EventError(`operator request: "${key}" is longer than ${max} characters`);
  return oneLine(value);
}

/** An operator's direct invocation. */
export function decideOperator(body: Record<string, unknown>): ActionRequest {
  const unknown = Object.keys(body).filter((k) => !['action', 'reason', 'requestedBy', 'dryRun'].includes(k));
  if (unknown.length > 0) throw new EventError(`operator request: unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')} (expected action, reason, requestedBy, dryRun)`);
  const action = body.action;
  // includes() compares with ===: a number, an array or a missing action is none of the three strings.
  if (!(ACTIONS as readonly unknown[]).includes(action)) throw new EventError(`operator request: "action" must be ${ACTIONS.join(', ')}`);
  if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') throw new EventError('operator request: "dryRun" must be true or false');
  const changes = action !== 'status';
  const reason = text(body, 'reason', MAX_REASON, changes) ?? 'status request';
  const requestedBy = text(body, 'requestedBy', MAX_REQUESTED_BY, changes) ?? 'operator';
  return { action: action as Action, trigger: { source: 'operator', requestedBy }, reason, dryRun: body.dryRun === true };
}

/** One decision per SNS record, or the operator's request. Throws EventError for any other event. */
export function decide(event: unknown, triggerAlarms: readonly string[]): Decision[] {
  const body = record(event);
  if (body === undefined) throw new EventError('event is not an object');
  if (!('Records' in body)) return [{ kind: 'act', request: decideOperator(body) }];
  if (!Array.isArray(body.Records) || body.Records.length === 0) throw new EventError('event has no Records');
  return body.Records.map((r, i) => {
    const sns = record(record(r)?.Sns);
    if (sns === undefined || typeof sns.Message !== 'string') throw new EventError(`event record ${i} is not an SNS notification`);
    const ids = { messageId: typeof sns.MessageId === 'string' ? sns.MessageId : 'unknown' };
    return decideMessage(sns.Message, triggerAlarms, ids);
  });
}
