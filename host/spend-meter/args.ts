/**
 * The command line of spend-meter.js:
 *   node spend-meter.js --manifest PATH [--now ISO-8601] [--imds-timeout-ms 1000] [--imds-attempts 3]
 * --now replaces the clock (tests: a UTC day or month boundary); --systemctl and --nft name
 * the programs the breaker runs (default /usr/bin/systemctl, /usr/sbin/nft). The host
 * passes none of the three.
 */
import { strictArgs } from '../shared/strict-args';

export interface Options {
  readonly manifest: string;
  /** "Now", ms since the epoch. */
  readonly nowMs: number;
  readonly imdsTimeoutMs: number;
  readonly imdsAttempts: number;
  /** The systemctl the breaker stops a gateway with. */
  readonly systemctl: string;
  /** The nft it reads the gateways' counters with. */
  readonly nft: string;
}

/** The programs of Amazon Linux 2023 (systemd, nftables packages). */
export const DEFAULT_SYSTEMCTL = '/usr/bin/systemctl';
export const DEFAULT_NFT = '/usr/sbin/nft';

export const USAGE = 'usage: node spend-meter.js --manifest PATH [--now 2026-11-21T09:00:00Z] [--imds-timeout-ms 1000] [--imds-attempts 3] [--systemctl PATH] [--nft PATH]';

export class UsageError extends Error {}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new UsageError(`--${name}: expected an integer from ${min} to ${max} (got "${raw}"); ${USAGE}`);
  return Number(raw);
}

function program(name: string, raw: string | undefined, fallback: string): string {
  if (raw === undefined) return fallback;
  if (!raw.startsWith('/') || raw.includes('\0')) throw new UsageError(`--${name}: expected an absolute path (got "${raw}"); ${USAGE}`);
  return raw;
}

/** Parses argv (without node and the script); throws a UsageError. */
export function parseOptions(argv: readonly string[], clock: () => number = Date.now): Options {
  const values = strictArgs(
    argv,
    {
      manifest: { type: 'string' },
      now: { type: 'string' },
      'imds-timeout-ms': { type: 'string' },
      'imds-attempts': { type: 'string' },
      systemctl: { type: 'string' },
      nft: { type: 'string' },
    },
    (m) => new UsageError(`${m}; ${USAGE}`),
  );
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
    systemctl: program('systemctl', str('systemctl'), DEFAULT_SYSTEMCTL),
    nft: program('nft', str('nft'), DEFAULT_NFT),
  };
}
