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
 * Statuses (and status details) after which the command will never succeed.
 * GetCommandInvocation reports Undeliverable and Terminated as status details.
 */
const FAILED = new Set(['Failed', 'Cancelled', 'Cancelling', 'Canceled', 'TimedOut', 'Undeliverable', 'Terminated', 'DeliveryTimedOut', 'ExecutionTimedOut']);

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

/**
 * Sends the refresh command and polls it until it succeeds. Throws a
 * HostRefreshError when it fails, is cancelled, times out or cannot be
 * delivered, or has not succeeded within `maxWaitMs`. Right after
 * SendCommand the invocation may not exist yet (InvocationDoesNotExist): polled again.
 */
export async function refreshHost(target: RefreshTarget, timing: RefreshTiming): Promise<{ commandId: string; polls: number }> {
  const commandId = await startRefresh(target);
  const deadline = Date.now() + timing.maxWaitMs;
  let last = 'not yet visible';
  for (let polls = 1; ; polls++) {
    await sleep(Math.max(0, Math.min(timing.pollMs, deadline - Date.now())));
    let out: GetCommandInvocationCommandOutput | undefined;
    try {
      out = await ssmClient(target.region).send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: target.instanceId }));
    } catch (err) {
      if (!(err instanceof Error && err.name === 'InvocationDoesNotExist')) {
        throw new HostRefreshError(`host refresh command ${commandId} on ${where(target)} could not be read: ${message(err)}`);
      }
    }
    if (out !== undefined) {
      const status = out.Status ?? 'unknown';
      const details = out.StatusDetails ?? status;
      if (status === 'Success') return { commandId, polls };
      if (FAILED.has(status) || FAILED.has(details)) {
        throw new HostRefreshError(
          `host refresh command ${commandId} on ${where(target)} ended ${status} (${details}, exit code ${out.ResponseCode ?? 'none'}); ` +
            'see its output in Systems Manager Run Command',
        );
      }
      last = details;
    }
    if (Date.now() >= deadline) {
      throw new HostRefreshError(
        `host refresh command ${commandId} on ${where(target)} did not succeed within ${timing.maxWaitMs} ms (last status: ${last})`,
      );
    }
  }
}
