/**
 * The CloudFront distribution, disabled on kill (viewers get an error at the
 * edge instead of a timeout) and enabled again on restore. Read-modify-write
 * of the whole config with its ETag; skipped when already in the wanted state;
 * retried when another writer (a concurrent kill, the origin-verify rotation)
 * changed it in between (PreconditionFailed).
 *
 * The config holds the origin-verify header's value, a secret: it is never
 * logged, and every custom header value is scrubbed from error messages.
 */
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { cloudfront } from './clients';
import { describeError, truncate } from './log';

/** Tries of the read-modify-write when the ETag changed underneath. */
export const UPDATE_ATTEMPTS = 3;

export type DistributionResult = 'disabled' | 'already-disabled' | 'would-disable' | 'enabled' | 'already-enabled' | 'would-enable' | 'failed';

export interface DistributionOutcome {
  readonly id: string;
  readonly result: DistributionResult;
  readonly attempts: number;
  readonly error?: string;
}

const REDACTED = '[REDACTED]';

/** Every custom origin header value of the config (the origin-verify secret among them). */
function headerValues(config: DistributionConfig | undefined): string[] {
  return (config?.Origins?.Items ?? []).flatMap((o) => (o.CustomHeaders?.Items ?? []).map((h) => h.HeaderValue ?? '')).filter((v) => v !== '');
}

function scrub(text: string, secrets: readonly string[]): string {
  return [...secrets].sort((a, b) => b.length - a.length).reduce((out, s) => out.split(s).join(REDACTED), text);
}

/** Sets Enabled to `enabled` (or, in a dry run, says what it would do). Never throws: a failure is the outcome. */
export async function setDistributionEnabled(id: string, enabled: boolean, dryRun: boolean): Promise<DistributionOutcome> {
  const secrets: string[] = [];
  let attempt = 1;
  try {
    const { sdk, client } = await cloudfront();
    for (; ; attempt++) {
      const out = await client.send(new sdk.GetDistributionConfigCommand({ Id: id }));
      secrets.push(...headerValues(out.DistributionConfig));
      if (out.DistributionConfig === undefined || out.ETag === undefined) throw new Error(`GetDistributionConfig of ${id} returned no config or no ETag`);
      if (out.DistributionConfig.Enabled === enabled) return { id, result: enabled ? 'already-enabled' : 'already-disabled', attempts: attempt };
      if (dryRun) return { id, result: enabled ? 'would-enable' : 'would-disable', attempts: attempt };
      try {
        await client.send(new sdk.UpdateDistributionCommand({ Id: id, IfMatch: out.ETag, DistributionConfig: { ...out.DistributionConfig, Enabled: enabled } }));
        return { id, result: enabled ? 'enabled' : 'disabled', attempts: attempt };
      } catch (err) {
        if (err instanceof Error && err.name === 'PreconditionFailed' && attempt < UPDATE_ATTEMPTS) continue;
        throw err;
      }
    }
  } catch (err) {
    return { id, result: 'failed', attempts: attempt, error: truncate(scrub(describeError(err, Number.POSITIVE_INFINITY), secrets), 300) };
  }
}
