/**
 * Runs live checks against a deployment: a few at a time, each check's
 * failure (an error, a missing resource, a refused call) turned into a failed
 * result that names the check, so that one broken check never hides the others.
 */
import type { CheckResult, LiveCheck } from './live-check';
import type { VerifyContext } from './verify-context';

/** Callbacks for a progress display. */
export interface RunProgress {
  readonly started?: (check: LiveCheck) => void;
  readonly finished?: (check: LiveCheck, results: readonly CheckResult[]) => void;
}

/** The name and message of an error, for evidence (AccessDenied names the missing permission). */
export function describeError(e: unknown): string {
  const err = e as { name?: string; message?: string; Code?: string };
  return `${err.name ?? err.Code ?? 'Error'}: ${err.message ?? String(e)}`;
}

/** Runs one check; an error becomes one failed result. A check that returns nothing fails too: it proved nothing. */
export async function runCheck(check: LiveCheck, ctx: VerifyContext): Promise<readonly CheckResult[]> {
  try {
    const results = await check.run(ctx);
    if (results.length === 0) {
      return [{ check: check.id, control: check.control, status: 'fail', resource: '(none)', evidence: 'the check found no resource to look at' }];
    }
    return results;
  } catch (e) {
    return [{ check: check.id, control: check.control, status: 'fail', resource: '(check)', evidence: describeError(e) }];
  }
}

/** Runs `checks` with at most `concurrency` at once; results in the order of `checks`. */
export async function runChecks(checks: readonly LiveCheck[], ctx: VerifyContext, progress: RunProgress = {}, concurrency = 4): Promise<CheckResult[]> {
  const out: (readonly CheckResult[])[] = new Array(checks.length);
  let next = 0;
  const worker = async () => {
    while (next < checks.length) {
      const i = next++;
      const check = checks[i] as LiveCheck;
      progress.started?.(check);
      const results = await runCheck(check, ctx);
      out[i] = results;
      progress.finished?.(check, results);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, checks.length) }, worker));
  return out.flat();
}
