/**
 * Secrets Manager rotation function for the two generated secrets of one
 * deployment, chosen by env KIND (see env.ts, steps.ts):
 *
 *   origin-verify   the value CloudFront sends in the custom origin header and nginx checks
 *   gateway-token   the token operators and the Control UI authenticate to the gateway with
 *
 * Every step: read and check the environment, check the event against the
 * secret's versions (as the AWS templates do), run the step, write one JSON
 * line. Values never reach a log line or an error (log.ts).
 */
import type { Context, SecretsManagerRotationEvent } from 'aws-lambda';
import { readEnv } from './env';
import { type LogContext, StepLog } from './log';
import { checkVersion, RotationEventError } from './secret-versions';
import { runStep, STEP_NAMES, type StepName } from './steps';

/** Time kept back from the host refresh wait for the rest of the step (CloudFront calls, the log line). */
export const RESERVED_MS = 20_000;

type RemainingTime = Pick<Context, 'getRemainingTimeInMillis'>;

function logContext(event: unknown): LogContext {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v : 'invalid');
  return { step: text(e.Step), kind: text(process.env.KIND), secretArn: text(e.SecretId), token: text(e.ClientRequestToken) };
}

function parseEvent(event: unknown): { secretId: string; token: string; step: StepName } {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  for (const key of ['SecretId', 'ClientRequestToken', 'Step']) {
    if (typeof e[key] !== 'string' || e[key] === '') throw new RotationEventError(`rotation event has no ${key}`);
  }
  const step = e.Step as string;
  if (!(STEP_NAMES as readonly string[]).includes(step)) throw new RotationEventError(`rotation event has an unknown Step "${step}"`);
  return { secretId: e.SecretId as string, token: e.ClientRequestToken as string, step: step as StepName };
}

export async function handler(event: SecretsManagerRotationEvent, context?: RemainingTime): Promise<void> {
  const log = new StepLog(logContext(event));
  try {
    const { secretId, token, step } = parseEvent(event);
    const env = readEnv(process.env);
    const check = await checkVersion(secretId, token);
    if (check.alreadyCurrent) {
      log.info('already-current');
      return;
    }
    const left = context ? Math.max(0, context.getRemainingTimeInMillis() - RESERVED_MS) : Number.POSITIVE_INFINITY;
    const result = await runStep({
      env,
      step,
      secretId,
      token,
      versions: check.versions,
      log,
      refreshMaxWaitMs: Math.min(env.refreshMaxWaitMs, left),
    });
    log.info(result.outcome, result.fields);
  } catch (err) {
    const clean = log.sanitize(err);
    log.error('failed', { error: `${clean.name}: ${clean.message}` });
    throw clean;
  }
}
