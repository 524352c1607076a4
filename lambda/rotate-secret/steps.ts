/**
 * The four rotation steps for each kind of secret. Each returns the outcome
 * (and a few value-free fields) for the step's log line.
 *
 * origin-verify, zero downtime: nginx accepts AWSCURRENT, AWSPENDING and
 * AWSPREVIOUS. setSecret first has the host accept the pending value, then
 * has CloudFront send it; finishSecret makes it current, and the old value
 * stays accepted as AWSPREVIOUS until the next rotation.
 *
 * gateway-token: nothing to set anywhere before it is current; finishSecret
 * makes it current and asks the host to pick it up (the host restarts the
 * gateway; clients reconnect with the new token).
 *
 * testSecret also runs alone: when a rotation schedule is created or changed
 * without rotating (RotateImmediately false, as the stacks do), Secrets
 * Manager "tests the rotation configuration by running the testSecret step":
 * it creates an AWSPENDING version of its own, whose value AWS does not
 * document (a copy, a new value, or none), and removes it afterwards;
 * createSecret and setSecret never ran. A version createSecret made carries
 * ROTATION_LABEL: for it the test is the real one (strict); for any other it
 * is the configuration test, which checks what it can without a rotation:
 * the function reads the secret (and, origin-verify, the distribution
 * config), some origin sends the header, and each sends the current value or
 * the test's own pending one. It changes nothing.
 */
import { type GatewayTokenEnv, type OriginVerifyEnv, type RotationEnv } from './env';
import { type RefreshTarget, refreshHost, startRefresh } from './host-refresh';
import { type LogFields, type StepLog } from './log';
import { checkOriginHeader, checkOriginHeaderIsOneOf, setOriginHeader } from './origin-header';
import { createPending, currentValue, isRotationVersion, pendingValue, promotePending, readPending, type VersionStages } from './secret-versions';

export type StepName = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
export const STEP_NAMES: readonly StepName[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

export interface StepInput<E extends RotationEnv = RotationEnv> {
  readonly env: E;
  readonly step: StepName;
  readonly secretId: string;
  readonly token: string;
  readonly versions: VersionStages;
  readonly log: StepLog;
  /** How long a host refresh may take in this invocation (REFRESH_MAX_WAIT_MS, capped by the time left). */
  readonly refreshMaxWaitMs: number;
}

export interface StepResult {
  readonly outcome: string;
  readonly fields?: LogFields;
}

/** Characters GetRandomPassword draws from with ExcludePunctuation and no spaces. */
const GENERATED = /^[A-Za-z0-9]+$/;
/** What nginx's origin-verify map accepts (lib/host/nginx-config.ts): the host refuses anything else. */
const ORIGIN_VERIFY_VALUE = /^[A-Za-z0-9_\-+/=.~]{32,1024}$/;

export class PendingValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PendingValueError';
  }
}

/** A generated value's shape (length and letters and digits only), described without the value. */
function checkGenerated(value: string, length: number, what: string): void {
  if (value.length !== length) throw new PendingValueError(`pending ${what} has ${value.length} characters, expected ${length}`);
  if (!GENERATED.test(value)) throw new PendingValueError(`pending ${what} has characters other than letters and digits`);
}

const target = (input: StepInput): RefreshTarget => ({
  region: input.env.hostRegion,
  instanceId: input.env.hostInstanceId,
  documentName: input.env.refreshDocument,
  comment: `secret rotation: ${input.env.kind} ${input.step}`,
});

const timing = (input: StepInput) => ({ pollMs: input.env.refreshPollMs, maxWaitMs: input.refreshMaxWaitMs });

async function createSecret(input: StepInput): Promise<StepResult> {
  return { outcome: await createPending(input.secretId, input.token, input.env.valueLength, input.log) };
}

/** Secrets Manager's configuration test (see above): the current value and the test's pending value, if it has one. */
async function configurationTestValues(input: StepInput): Promise<{ current: string; pending: string | undefined }> {
  const current = await currentValue(input.secretId, input.versions, input.log);
  const pending = await readPending(input.secretId, input.token, input.log);
  return { current, pending };
}

const pendingShape = (pending: string | undefined) => (pending === undefined ? 'no-value' : 'value');

async function finishStages(input: StepInput): Promise<LogFields> {
  const { previousVersion } = await promotePending(input.secretId, input.token, input.versions);
  return { previousVersion };
}

const originVerify = {
  createSecret,

  async setSecret(input: StepInput<OriginVerifyEnv>): Promise<StepResult> {
    const value = await pendingValue(input.secretId, input.token, input.log);
    if (!ORIGIN_VERIFY_VALUE.test(value)) {
      throw new PendingValueError('pending origin-verify value is not 32-1024 characters of [A-Za-z0-9_-+/=.~]: the host would refuse it');
    }
    // 1. The host accepts the pending value before CloudFront sends it. A failure stops here: nothing changed.
    const refreshCommandId = await refreshHost(target(input), timing(input));
    // 2. CloudFront sends it.
    const cf = await setOriginHeader(input.env.distributionId, input.env.originHeader, value, input.log);
    return {
      outcome: cf.updated ? 'host-refreshed-distribution-updated' : 'host-refreshed-distribution-already-set',
      fields: { refreshCommandId, origins: cf.origins, updateAttempts: cf.attempts },
    };
  },

  async testSecret(input: StepInput<OriginVerifyEnv>): Promise<StepResult> {
    if (!isRotationVersion(input.versions, input.token)) {
      const { current, pending } = await configurationTestValues(input);
      const accepted: [string, ...string[]] = pending === undefined ? [current] : [current, pending];
      const { origins } = await checkOriginHeaderIsOneOf(input.env.distributionId, input.env.originHeader, accepted, input.log);
      return { outcome: 'configuration-test-passed', fields: { origins, pendingVersion: pendingShape(pending) } };
    }
    const value = await pendingValue(input.secretId, input.token, input.log);
    const { origins } = await checkOriginHeader(input.env.distributionId, input.env.originHeader, value, input.log);
    return { outcome: 'distribution-sends-pending', fields: { origins } };
  },

  async finishSecret(input: StepInput<OriginVerifyEnv>): Promise<StepResult> {
    const fields = await finishStages(input);
    // Best effort: the host accepts the new value already (as AWSPENDING) and keeps the
    // previous one, so a refresh only tidies its map. Sent, not awaited.
    try {
      const commandId = await startRefresh(target(input));
      return { outcome: 'promoted', fields: { ...fields, refreshCommandId: commandId } };
    } catch (err) {
      input.log.warn('host-refresh-not-sent', {
        error: err instanceof Error ? err.message : String(err),
        note: 'the host keeps accepting the new and the previous value; its map is tidied at its next refresh timer or boot',
      });
      return { outcome: 'promoted', fields: { ...fields, hostRefresh: 'not-sent' } };
    }
  },
};

const gatewayToken = {
  createSecret,

  async setSecret(_input: StepInput<GatewayTokenEnv>): Promise<StepResult> {
    return { outcome: 'nothing-to-set', fields: { note: 'the host reads the token once it is AWSCURRENT (finishSecret)' } };
  },

  async testSecret(input: StepInput<GatewayTokenEnv>): Promise<StepResult> {
    if (!isRotationVersion(input.versions, input.token)) {
      const { pending } = await configurationTestValues(input);
      return { outcome: 'configuration-test-passed', fields: { pendingVersion: pendingShape(pending) } };
    }
    checkGenerated(await pendingValue(input.secretId, input.token, input.log), input.env.valueLength, 'gateway token');
    return { outcome: 'pending-token-well-formed' };
  },

  async finishSecret(input: StepInput<GatewayTokenEnv>): Promise<StepResult> {
    const fields = await finishStages(input);
    try {
      const refreshCommandId = await refreshHost(target(input), timing(input));
      return { outcome: 'promoted', fields: { ...fields, refreshCommandId, hostRefresh: 'succeeded' } };
    } catch (err) {
      // Never fails the step: the rotation is done, and the host converges on its own.
      input.log.warn('host-refresh-failed', {
        error: err instanceof Error ? err.message : String(err),
        note: 'the token is rotated; the host picks the new token up at its next refresh timer or boot',
      });
      return { outcome: 'promoted', fields: { ...fields, hostRefresh: 'failed' } };
    }
  },
};

export async function runStep(input: StepInput): Promise<StepResult> {
  const { env } = input;
  if (env.kind === 'origin-verify') return originVerify[input.step]({ ...input, env });
  return gatewayToken[input.step]({ ...input, env });
}
