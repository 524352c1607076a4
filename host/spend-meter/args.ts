/**
 * The command line of spend-meter.js:
 *   node spend-meter.js --manifest PATH [--now ISO-8601] [--imds-timeout-ms 1000] [--imds-attempts 3]
 * --now replaces the clock (tests: a UTC day or month boundary); the host never passes it.
 */
import { parseArgs } from 'util';

export interface Options {
  readonly manifest: string;
  /** "Now", ms since the epoch. */
  readonly nowMs: number;
  readonly imdsTimeoutMs: number;
  readonly imdsAttempts: number;
}

export const USAGE = 'usage: node spend-meter.js --manifest PATH [--now 2026-11-21T09:00:00Z] [--imds-timeout-ms 1000] [--imds-attempts 3]';

export class UsageError extends Error {}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new UsageError(`--${name}: expected an integer from ${min} to ${max} (got "${raw}"); ${USAGE}`);
  return Number(raw);
}

/** Parses argv (without node and the script); throws a UsageError. */
export function parseOptions(argv: readonly string[], clock: () => number = Date.now): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        manifest: { type: 'string' },
        now: { type: 'string' },
        'imds-timeout-ms': { type: 'string' },
        'imds-attempts': { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]}; ${USAGE}`);
  }
  const str = (k: string) => values[k] as string | undefined;
  const manifest = str('manifest');
  if (!manifest) throw new UsageError(`--manifest is required; ${USAGE}`);
  const now = str('now');
  let nowMs = clock();
  if (now !== undefined) {
    nowMs = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(now) ? Date.parse(now) : NaN;
    if (!Number.isFinite(nowMs)) throw new UsageError(`--now: expected an ISO-8601 time with a zone, like 2026-11-21T09:00:00Z (got "${now}"); ${USAGE}`);
  }
  return {
    manifest,
    nowMs,
    imdsTimeoutMs: integer('imds-timeout-ms', str('imds-timeout-ms'), 1000, 50, 30_000),
    imdsAttempts: integer('imds-attempts', str('imds-attempts'), 3, 1, 10),
  };
}
