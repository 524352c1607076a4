/**
 * JSON log lines, one per step (plus warnings), that can never carry a secret.
 *
 * Values are only ever logged by accident: an SDK error message quoting a
 * request field, a future edit printing a response. So every value the
 * function reads or generates is registered with `secret()` first, and every
 * line (and every error leaving the handler) is scrubbed of registered values
 * before it is written. The distribution config counts: it holds the origin
 * header's current value.
 */

export const REDACTED = '[REDACTED]';

export interface LogContext {
  readonly step: string;
  readonly kind: string;
  readonly secretArn: string;
  readonly token: string;
}

export type LogFields = Record<string, string | number | boolean | undefined>;

export class StepLog {
  private readonly secrets = new Set<string>();

  constructor(private readonly context: LogContext) {}

  /** Registers a secret value: from now on it never appears in a line or a thrown error. */
  secret(value: string | undefined): void {
    if (value !== undefined && value !== '') this.secrets.add(value);
  }

  /** `text` with every registered value replaced (longest first, so no fragment of one survives). */
  scrub(text: string): string {
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
    return out;
  }

  /** The step's outcome line. */
  info(outcome: string, fields: LogFields = {}): void {
    console.log(this.line('info', outcome, fields));
  }

  warn(outcome: string, fields: LogFields = {}): void {
    console.warn(this.line('warn', outcome, fields));
  }

  error(outcome: string, fields: LogFields = {}): void {
    console.error(this.line('error', outcome, fields));
  }

  /**
   * The error to hand to the Lambda runtime (which logs it): same name and a
   * scrubbed message, no cause chain and no SDK response metadata.
   */
  sanitize(err: unknown): Error {
    const source = err instanceof Error ? err : new Error(String(err));
    const clean = new Error(this.scrub(source.message));
    clean.name = source.name;
    // The frames of the original stack, under a first line naming the clean error (an error without a stack gets that line alone).
    const frames = source.stack === undefined ? [] : this.scrub(source.stack).split('\n').slice(1);
    clean.stack = [`${clean.name}: ${clean.message}`, ...frames].join('\n');
    return clean;
  }

  private line(level: string, outcome: string, fields: LogFields): string {
    const { step, kind, secretArn, token } = this.context;
    const entries = Object.entries({ level, step, kind, secretArn, token, outcome, ...fields });
    // Scrub each field before JSON escaping (a value with a quote would no longer match), then the line.
    const clean = Object.fromEntries(entries.map(([k, v]) => [k, typeof v === 'string' ? this.scrub(v) : v]));
    return this.scrub(JSON.stringify(clean));
  }
}
