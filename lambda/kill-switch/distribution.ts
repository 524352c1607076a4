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

/** A failed outcome carries its error; no other does. */
export type DistributionOutcome = { readonly id: string; readonly attempts: number } & (
  | { readonly result: Exclude<DistributionResult, 'failed'>; readonly error?: undefined }
  | { readonly result: 'failed'; readonly error: string }
);

const REDACTED = '[REDACTED]';

/** Every custom origin header value of the configs read (the origin-verify secret among them, before and after a rotation). */
function headerValues(configs: readonly DistributionConfig[]): string[] {
  return configs
    .flatMap((c) => c.Origins?.Items ?? [])
    .flatMap((o) => o.CustomHeaders?.Items ?? [])
    .flatMap((h) => h.HeaderValue || []);
}

/** `text` with every secret replaced; the longest first, so that a secret containing another is redacted whole. */
function scrub(text: string, secrets: readonly string[]): string {
  return [...secrets].sort((a, b) => b.length - a.length).reduce((out, s) => out.split(s).join(REDACTED), text);
}

/** Sets Enabled to `enabled` (or, in a dry run, says what it would do). Never throws: a failure is the outcome. */
export async function setDistributionEnabled(id: string, enabled: boolean, dryRun: boolean): Promise<DistributionOutcome> {
  const read: DistributionConfig[] = [];
  let attempt = 0;
  /** One read-modify-write; another one when the ETag changed underneath and attempts are left. */
  const update = async (): Promise<DistributionOutcome> => {
    attempt += 1;
    const { sdk, client } = await cloudfront();
    const out = await client.send(new sdk.GetDistributionConfigCommand({ Id: id }));
    if (out.DistributionConfig === undefined || out.ETag === undefined) throw new Error(`GetDistributionConfig of ${id} returned no config or no ETag`);
    read.push(out.DistributionConfig);
    if (out.DistributionConfig.Enabled === enabled) return { id, result: enabled ? 'already-enabled' : 'already-disabled', attempts: attempt };
    if (dryRun) return { id, result: enabled ? 'would-enable' : 'would-disable', attempts: attempt };
    try {
      await client.send(new sdk.UpdateDistributionCommand({ Id: id, IfMatch: out.ETag, DistributionConfig: { ...out.DistributionConfig, Enabled: enabled } }));
      return { id, result: enabled ? 'enabled' : 'disabled', attempts: attempt };
    } catch (err) {
      if (err instanceof Error && err.name === 'PreconditionFailed' && attempt < UPDATE_ATTEMPTS) return update();
      throw err;
    }
  };
  try {
    return await update();
  } catch (err) {
    return { id, result: 'failed', attempts: attempt, error: truncate(scrub(describeError(err, Number.POSITIVE_INFINITY), headerValues(read)), 300) };
  }
}
