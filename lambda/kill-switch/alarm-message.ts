/**
 * CloudWatch alarm notifications as they reach SNS: a JSON object with
 * AlarmName, NewStateValue (ALARM | OK | INSUFFICIENT_DATA), NewStateReason,
 * StateChangeTime and more. Metric and composite alarms alike.
 */
import { truncate } from './log';

export interface AlarmNotification {
  readonly alarmName: string;
  readonly newState: string;
  /** NewStateReason, at most 300 characters. */
  readonly reason: string | undefined;
}

export type AlarmParse =
  | { readonly kind: 'alarm'; readonly notification: AlarmNotification }
  | { readonly kind: 'not-alarm'; readonly json: boolean };

export function parseAlarmMessage(text: string): AlarmParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'not-alarm', json: false };
  }
  // null has no fields to read; any other JSON value that is not an object (a number, a string) reads as none of these.
  if (value === null) return { kind: 'not-alarm', json: true };
  const { AlarmName, NewStateValue, NewStateReason } = value as Record<string, unknown>;
  if (typeof AlarmName !== 'string' || AlarmName === '' || typeof NewStateValue !== 'string') return { kind: 'not-alarm', json: true };
  return {
    kind: 'alarm',
    notification: { alarmName: AlarmName, newState: NewStateValue, reason: typeof NewStateReason === 'string' ? truncate(NewStateReason, 300) : undefined },
  };
}
