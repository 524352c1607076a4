/**
 * The gateway instances: read their state, stop them (kill), start them
 * (restore). One instance per call, so a missing instance (which makes EC2
 * fail a whole multi-instance request) is only that instance's outcome.
 * Stop is a plain stop: never terminate, never hibernate. Every EC2 call is
 * retried on throttling, server and network errors (retry.ts).
 */
import { ec2 } from './clients';
import { describeError } from './log';
import { withRetry } from './retry';

export type InstanceResult =
  // kill
  | 'stop-requested'
  | 'already-stopped'
  | 'would-stop'
  // restore
  | 'start-requested'
  | 'already-running'
  | 'would-start'
  | 'still-stopping'
  // any
  | 'missing'
  | 'terminated'
  | 'observed'
  | 'failed';

export interface InstanceOutcome {
  readonly id: string;
  /** The state read before acting (`missing` when EC2 does not know the id, `unknown` when it could not be read). */
  readonly before: string;
  readonly result: InstanceResult;
  readonly error?: string;
}

/** Results that make a kill or a restore incomplete (and the invocation throw). */
export const FAILED_RESULTS: ReadonlySet<InstanceResult> = new Set(['failed', 'still-stopping']);

const STOPPED = new Set(['stopped', 'stopping']);
const GONE = new Set(['terminated', 'shutting-down']);
const UP = new Set(['running', 'pending']);

/** The instance's state name, or `missing`. */
export async function readState(region: string, id: string): Promise<string> {
  try {
    const { sdk, client } = await ec2(region);
    const { value } = await withRetry(() => client.send(new sdk.DescribeInstancesCommand({ InstanceIds: [id] })));
    // Asked for one id, EC2 answers with that instance alone, or none (the not-found error is caught below).
    const [instance] = (value.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    return instance === undefined ? 'missing' : (instance.State?.Name ?? 'unknown');
  } catch (err) {
    // withRetry wraps the last error, keeping its name.
    if (err instanceof Error && err.name === 'InvalidInstanceID.NotFound') return 'missing';
    throw err;
  }
}

/** Reads the state; `decide` returns the outcome or the call to make. Any error is this instance's `failed` outcome. */
async function act(
  region: string,
  id: string,
  decide: (before: string) => Exclude<InstanceResult, 'failed'> | { call: () => Promise<unknown>; result: InstanceResult },
): Promise<InstanceOutcome> {
  let before = 'unknown';
  try {
    before = await readState(region, id);
    const next = decide(before);
    if (next === 'still-stopping') return { id, before, result: next, error: 'the instance is still stopping: run restore again in a minute' };
    if (typeof next === 'string') return { id, before, result: next };
    await withRetry(next.call);
    return { id, before, result: next.result };
  } catch (err) {
    return { id, before, result: 'failed', error: describeError(err) };
  }
}

/** Kill: stops the instance unless it is stopped, stopping, gone or missing. */
export function stopInstance(region: string, id: string, dryRun: boolean): Promise<InstanceOutcome> {
  return act(region, id, (before) => {
    if (before === 'missing') return 'missing';
    if (STOPPED.has(before)) return 'already-stopped';
    if (GONE.has(before)) return 'terminated';
    if (dryRun) return 'would-stop';
    // A pending instance may refuse (IncorrectInstanceState): the step fails, the invocation
    // throws, and Lambda's retry finds it running.
    return {
      call: async () => {
        const { sdk, client } = await ec2(region);
        return client.send(new sdk.StopInstancesCommand({ InstanceIds: [id], Hibernate: false }));
      },
      result: 'stop-requested',
    };
  });
}

/**
 * Restore: starts the instance when it is stopped; a still stopping one fails (run restore again shortly).
 * Those are all of EC2's instance states; a state it could not read is started too, and EC2 refuses
 * (IncorrectInstanceState) what cannot be started: the step fails with EC2's own error.
 */
export function startInstance(region: string, id: string, dryRun: boolean): Promise<InstanceOutcome> {
  return act(region, id, (before) => {
    if (before === 'missing') return 'missing';
    if (UP.has(before)) return 'already-running';
    if (GONE.has(before)) return 'terminated';
    if (before === 'stopping') return 'still-stopping';
    if (dryRun) return 'would-start';
    return {
      call: async () => {
        const { sdk, client } = await ec2(region);
        return client.send(new sdk.StartInstancesCommand({ InstanceIds: [id] }));
      },
      result: 'start-requested',
    };
  });
}

/** Status: the state only. */
export async function observeInstance(region: string, id: string): Promise<InstanceOutcome> {
  return act(region, id, () => 'observed');
}
