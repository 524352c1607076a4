/**
 * Asking the gateway host to re-read its secrets: one SSM Run Command of the
 * refresh document on the instance, in the host's region (which may differ
 * from the function's: origin-verify rotates in us-east-1, next to CloudFront).
 * The host writes nginx's origin-verify map from AWSCURRENT, AWSPENDING and
 * AWSPREVIOUS and restarts the gateway when its token changed.
 */
import { GetCommandInvocationCommand, type GetCommandInvocationCommandOutput, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';

const clients = new Map<string, SSMClient>();

/** One client per region, made on first use and kept for the warm container's life. */
export function ssmClient(region: string): SSMClient {
  let client = clients.get(region);
  if (client === undefined) {
    client = new SSMClient({ region });
    clients.set(region, client);
  }
  return client;
}

export interface RefreshTarget {
  readonly region: string;
  readonly instanceId: string;
  readonly documentName: string;
  /** Shown in the SSM console and CloudTrail (at most 100 characters; never a value). */
  readonly comment: string;
}

export interface RefreshTiming {
  readonly pollMs: number;
  readonly maxWaitMs: number;
}

export class HostRefreshError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostRefreshError';
  }
}

/**
 * Invocation statuses, and status details (spelled as GetCommandInvocation
 * documents them, which "can show different results than Status"), after
 * which the command will never succeed.
 */
const FAILED = new Set([
  'Failed',
  'Cancelled',
  'Cancelling',
  'Canceled',
  'TimedOut',
  'Undeliverable',
  'Terminated',
  'Delivery Timed Out',
  'Execution Timed Out',
]);

const where = (t: RefreshTarget) => `instance ${t.instanceId} (${t.region}), document ${t.documentName}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** Sends the refresh command; returns its id. Does not wait for it. */
export async function startRefresh(target: RefreshTarget): Promise<string> {
  let commandId: string | undefined;
  try {
    const out = await ssmClient(target.region).send(
      new SendCommandCommand({ DocumentName: target.documentName, InstanceIds: [target.instanceId], Comment: target.comment.slice(0, 100) }),
    );
    commandId = out.Command?.CommandId;
  } catch (err) {
    throw new HostRefreshError(`host refresh could not be sent to ${where(target)}: ${message(err)}`);
  }
  if (commandId === undefined) throw new HostRefreshError(`host refresh to ${where(target)}: SendCommand returned no command id`);
  return commandId;
}

/** The invocation, or undefined while it does not exist yet (InvocationDoesNotExist right after SendCommand). */
async function readInvocation(target: RefreshTarget, commandId: string): Promise<GetCommandInvocationCommandOutput | undefined> {
  try {
    return await ssmClient(target.region).send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: target.instanceId }));
  } catch (err) {
    if (err instanceof Error && err.name === 'InvocationDoesNotExist') return undefined;
    throw new HostRefreshError(`host refresh command ${commandId} on ${where(target)} could not be read: ${message(err)}`);
  }
}

/**
 * Sends the refresh command and polls it (every `pollMs`) until it succeeds;
 * returns the command id. Throws a HostRefreshError when it fails, is
 * cancelled, times out or cannot be delivered, or has not succeeded within
 * `maxWaitMs`. An invocation not visible yet is polled again.
 */
export async function refreshHost(target: RefreshTarget, timing: RefreshTiming): Promise<string> {
  const commandId = await startRefresh(target);
  const deadline = Date.now() + timing.maxWaitMs;
  const poll = async (last: string): Promise<string> => {
    await sleep(Math.max(0, Math.min(timing.pollMs, deadline - Date.now())));
    const out = await readInvocation(target, commandId);
    let seen = last;
    if (out !== undefined) {
      const status = out.Status ?? 'unknown';
      const details = out.StatusDetails ?? status;
      if (status === 'Success') return commandId;
      if (FAILED.has(status) || FAILED.has(details)) {
        throw new HostRefreshError(
          `host refresh command ${commandId} on ${where(target)} ended ${status} (${details}, exit code ${out.ResponseCode ?? 'none'}); ` +
            'see its output in Systems Manager Run Command',
        );
      }
      seen = details;
    }
    if (Date.now() >= deadline) {
      throw new HostRefreshError(`host refresh command ${commandId} on ${where(target)} did not succeed within ${timing.maxWaitMs} ms (last status: ${seen})`);
    }
    return poll(seen);
  };
  return poll('not yet visible');
}
