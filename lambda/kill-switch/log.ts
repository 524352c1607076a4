/**
 * One JSON line per outcome. Lines carry the trigger's summary and the
 * result of each step, never a whole event or message body: an alarm's or a
 * budget's text is not secret, but nothing here logs what it has not chosen to.
 */

export type LogFields = Record<string, unknown>;

export class KillSwitchLog {
  private context: LogFields = {};

  /** Client and environment, once the environment has been read. */
  setContext(context: LogFields): void {
    this.context = context;
  }

  info(outcome: string, fields: LogFields = {}): void {
    console.log(this.line('info', outcome, fields));
  }

  error(outcome: string, fields: LogFields = {}): void {
    console.error(this.line('error', outcome, fields));
  }

  private line(level: string, outcome: string, fields: LogFields): string {
    return JSON.stringify({ level, function: 'kill-switch', ...this.context, outcome, ...fields });
  }
}

/** `name: message` of anything thrown, at most `max` characters (errors end up in notifications and the state parameter). */
export function describeError(err: unknown, max = 300): string {
  return truncate(err instanceof Error ? `${err.name}: ${err.message}` : String(err), max);
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
