/**
 * The host refresh of the rotation function (lambda/rotate-secret/host-refresh.ts)
 * on its own, against a fake SSM that keeps SSM's own rules, on a fake clock:
 * when it polls, when it gives up, what it calls a failure, what it says.
 */
import {
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { HostRefreshError, refreshHost, type RefreshTarget, ssmClient, startRefresh } from '../../lambda/rotate-secret/host-refresh';

const ssm = mockClient(SSMClient);

const TARGET: RefreshTarget = {
  region: 'eu-west-1',
  instanceId: 'i-0123456789abcdef0',
  documentName: 'oc-acme-prod-refresh-secrets',
  comment: 'secret rotation: origin-verify setSecret',
};
const WHERE = 'instance i-0123456789abcdef0 (eu-west-1), document oc-acme-prod-refresh-secrets';
const COMMAND_ID = 'cmd-0001';
/** More polls than any test needs: a fake asked more often fails loudly (a loop that never ends). */
const MAX_POLLS = 50;

/** An invocation as GetCommandInvocation answers it (Status as a plain string), or not visible yet. */
type Answer = (Omit<Partial<GetCommandInvocationCommandOutput>, 'Status'> & { Status?: string }) | 'not-yet-visible';

/**
 * SSM: SendCommand refuses a Comment over 100 characters (its documented limit) and
 * returns COMMAND_ID; GetCommandInvocation answers `answers` in turn (the last one
 * repeats), each at the fake time it is asked (recorded in `polledAt`).
 */
function fakeSsm(...answers: Answer[]): number[] {
  const polledAt: number[] = [];
  ssm.on(SendCommandCommand).callsFake(async (input: { Comment?: string }) => {
    if ((input.Comment ?? '').length > 100) {
      throw new SSMServiceException({
        name: 'ValidationException',
        $fault: 'client',
        message: "1 validation error detected: Value at 'comment' failed to satisfy constraint: Member must have length less than or equal to 100",
        $metadata: {},
      });
    }
    return { Command: { CommandId: COMMAND_ID } };
  });
  ssm.on(GetCommandInvocationCommand).callsFake(async () => {
    polledAt.push(Date.now() - started);
    if (polledAt.length > MAX_POLLS) throw new Error(`fake SSM: GetCommandInvocation asked ${polledAt.length} times`);
    const next = answers[Math.min(polledAt.length - 1, answers.length - 1)]!;
    if (next === 'not-yet-visible') throw new InvocationDoesNotExist({ message: 'invocation does not exist', $metadata: {} });
    return { CommandId: COMMAND_ID, InstanceId: TARGET.instanceId, ...next } as GetCommandInvocationCommandOutput;
  });
  return polledAt;
}

let started: number;

beforeEach(() => {
  ssm.reset();
  jest.useFakeTimers({ now: 1_700_000_000_000 });
  started = Date.now();
});

afterEach(() => jest.useRealTimers());

/** Runs `promise` for `ms` of fake time; fails when it has not settled by then (a wait that never ends). */
async function settle<T>(promise: Promise<T>, ms: number): Promise<{ value?: T; error?: Error }> {
  let outcome: { value?: T; error?: Error } | undefined;
  promise.then(
    (value) => void (outcome = { value }),
    (error: Error) => void (outcome = { error }),
  );
  await jest.advanceTimersByTimeAsync(ms);
  if (outcome === undefined) throw new Error(`not settled after ${ms} ms of fake time`);
  return outcome;
}

describe('ssmClient', () => {
  it('makes one client per region and keeps it', async () => {
    const first = ssmClient('ap-south-2');
    expect(ssmClient('ap-south-2')).toBe(first);
    expect(ssmClient('eu-central-2')).not.toBe(first);
    expect(await first.config.region()).toBe('ap-south-2');
  });
});

describe('startRefresh', () => {
  it('cuts the comment to the 100 characters SendCommand accepts', async () => {
    fakeSsm();
    const comment = `secret rotation: ${'x'.repeat(120)}`;
    await expect(startRefresh({ ...TARGET, comment })).resolves.toBe(COMMAND_ID);
    expect(ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input)).toEqual([
      { DocumentName: TARGET.documentName, InstanceIds: [TARGET.instanceId], Comment: comment.slice(0, 100) },
    ]);
  });

  it('a SendCommand answer without a command id is a HostRefreshError saying so', async () => {
    ssm.on(SendCommandCommand).resolves({});
    await expect(startRefresh(TARGET)).rejects.toThrow(new HostRefreshError(`host refresh to ${WHERE}: SendCommand returned no command id`));
    await expect(startRefresh(TARGET)).rejects.toMatchObject({ name: 'HostRefreshError' });
  });
});

describe('errors of SSM itself', () => {
  const timing = { pollMs: 1000, maxWaitMs: 10_000 };
  const ssmError = (name: string, message: string) => new SSMServiceException({ name, $fault: 'client', message, $metadata: {} });

  it('a SendCommand SSM refuses is a HostRefreshError naming where and the error', async () => {
    ssm.on(SendCommandCommand).rejects(ssmError('InvalidInstanceId', 'Instances [[i-0123456789abcdef0]] not in a valid state for account 123456789012'));
    const error = await startRefresh(TARGET).catch((e: Error) => e);
    expect(error).toEqual(
      new HostRefreshError(`host refresh could not be sent to ${WHERE}: InvalidInstanceId: Instances [[i-0123456789abcdef0]] not in a valid state for account 123456789012`),
    );
    expect((error as Error).name).toBe('HostRefreshError');
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(0);
  });

  it('a thrown value that is not an Error is named as it is', async () => {
    ssm.on(SendCommandCommand).callsFake(() => Promise.reject('socket hang up'));
    await expect(startRefresh(TARGET)).rejects.toThrow(new HostRefreshError(`host refresh could not be sent to ${WHERE}: socket hang up`));
  });

  it('a GetCommandInvocation error other than InvocationDoesNotExist ends the wait at once, naming the error', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND_ID } });
    ssm.on(GetCommandInvocationCommand).rejects(ssmError('AccessDeniedException', 'not authorized to perform ssm:GetCommandInvocation'));
    const { error } = await settle(refreshHost(TARGET, timing), 1000);
    expect(error).toEqual(
      new HostRefreshError(`host refresh command ${COMMAND_ID} on ${WHERE} could not be read: AccessDeniedException: not authorized to perform ssm:GetCommandInvocation`),
    );
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(1);
  });

  it('a plain object named InvocationDoesNotExist is not the SDK error: it ends the wait', async () => {
    ssm.on(SendCommandCommand).resolves({ Command: { CommandId: COMMAND_ID } });
    ssm.on(GetCommandInvocationCommand).callsFake(() => Promise.reject({ name: 'InvocationDoesNotExist' }));
    const { error } = await settle(refreshHost(TARGET, timing), 1000);
    expect(error).toEqual(new HostRefreshError(`host refresh command ${COMMAND_ID} on ${WHERE} could not be read: [object Object]`));
  });
});

describe('refreshHost', () => {
  const timing = { pollMs: 1000, maxWaitMs: 10_000 };

  it('waits pollMs before each poll and returns the command id on Success', async () => {
    const polledAt = fakeSsm({ Status: 'Pending', StatusDetails: 'Pending' }, { Status: 'InProgress', StatusDetails: 'In Progress' }, { Status: 'Success', StatusDetails: 'Success' });
    expect(await settle(refreshHost(TARGET, timing), 3000)).toEqual({ value: COMMAND_ID });
    expect(polledAt).toEqual([1000, 2000, 3000]);
    expect(ssm.commandCalls(GetCommandInvocationCommand).map((c) => c.args[0].input)).toEqual(Array(3).fill({ CommandId: COMMAND_ID, InstanceId: TARGET.instanceId }));
  });

  it('polls last at the deadline (a shorter pause) and then gives up, naming the last status', async () => {
    const polledAt = fakeSsm({ Status: 'InProgress', StatusDetails: 'In Progress' });
    const { error } = await settle(refreshHost(TARGET, { pollMs: 1000, maxWaitMs: 2500 }), 2500);
    expect(error).toEqual(new HostRefreshError(`host refresh command ${COMMAND_ID} on ${WHERE} did not succeed within 2500 ms (last status: In Progress)`));
    expect(error!.name).toBe('HostRefreshError');
    expect(polledAt).toEqual([1000, 2000, 2500]);
  });

  it('an invocation that never becomes visible is polled until the deadline, and said so', async () => {
    const polledAt = fakeSsm('not-yet-visible');
    const { error } = await settle(refreshHost(TARGET, { pollMs: 1000, maxWaitMs: 3000 }), 3000);
    expect(error).toEqual(new HostRefreshError(`host refresh command ${COMMAND_ID} on ${WHERE} did not succeed within 3000 ms (last status: not yet visible)`));
    expect(polledAt).toEqual([1000, 2000, 3000]);
  });

  it('keeps the last status it saw when the invocation then vanishes', async () => {
    fakeSsm({ Status: 'Delayed', StatusDetails: 'Delayed' }, 'not-yet-visible');
    const { error } = await settle(refreshHost(TARGET, { pollMs: 1000, maxWaitMs: 2000 }), 2000);
    expect(error!.message).toBe(`host refresh command ${COMMAND_ID} on ${WHERE} did not succeed within 2000 ms (last status: Delayed)`);
  });

  it('an answer without a status is not a success: polled until the deadline as "unknown"', async () => {
    fakeSsm({});
    const { error } = await settle(refreshHost(TARGET, { pollMs: 1000, maxWaitMs: 2000 }), 2000);
    expect(error!.message).toBe(`host refresh command ${COMMAND_ID} on ${WHERE} did not succeed within 2000 ms (last status: unknown)`);
  });

  it('a failed command ends the wait at once, with its status, details, exit code and where to look', async () => {
    const polledAt = fakeSsm({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 1 });
    const { error } = await settle(refreshHost(TARGET, timing), 1000);
    expect(error).toEqual(
      new HostRefreshError(`host refresh command ${COMMAND_ID} on ${WHERE} ended Failed (Failed, exit code 1); see its output in Systems Manager Run Command`),
    );
    expect(error!.name).toBe('HostRefreshError');
    expect(polledAt).toEqual([1000]);
  });

  it('a command that never ran has no exit code: said so', async () => {
    fakeSsm({ Status: 'Failed', StatusDetails: 'Undeliverable' });
    const { error } = await settle(refreshHost(TARGET, timing), 1000);
    expect(error!.message).toBe(`host refresh command ${COMMAND_ID} on ${WHERE} ended Failed (Undeliverable, exit code none); see its output in Systems Manager Run Command`);
  });

  it.each(['Failed', 'Cancelled', 'Cancelling', 'TimedOut'])('Status %s (no details) ends the wait at once', async (Status) => {
    const polledAt = fakeSsm({ Status, ResponseCode: -1 });
    const { error } = await settle(refreshHost(TARGET, timing), 1000);
    expect(error!.message).toBe(`host refresh command ${COMMAND_ID} on ${WHERE} ended ${Status} (${Status}, exit code -1); see its output in Systems Manager Run Command`);
    expect(polledAt).toEqual([1000]);
  });

  it('a terminal Status ends the wait whatever its details say (Delivery Timed Out, as documented)', async () => {
    fakeSsm({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', ResponseCode: -1 });
    const { error } = await settle(refreshHost(TARGET, timing), 1000);
    expect(error!.message).toContain('ended TimedOut (Delivery Timed Out, exit code -1)');
  });

  // GetCommandInvocation: "StatusDetails can show different results than Status".
  it.each(['Undeliverable', 'Terminated', 'Canceled', 'Delivery Timed Out', 'Execution Timed Out'])(
    'terminal details %s end the wait even while Status is not terminal',
    async (StatusDetails) => {
      const polledAt = fakeSsm({ Status: 'InProgress', StatusDetails, ResponseCode: -1 });
      const { error } = await settle(refreshHost(TARGET, timing), 1000);
      expect(error!.message).toContain(`ended InProgress (${StatusDetails}, exit code -1)`);
      expect(polledAt).toEqual([1000]);
    },
  );

  it.each([
    ['Pending', 'Pending'],
    ['InProgress', 'In Progress'],
    ['Delayed', 'Delayed'],
  ])('Status %s (%s) is polled again', async (Status, StatusDetails) => {
    const polledAt = fakeSsm({ Status, StatusDetails }, { Status: 'Success', StatusDetails: 'Success' });
    expect(await settle(refreshHost(TARGET, timing), 2000)).toEqual({ value: COMMAND_ID });
    expect(polledAt).toEqual([1000, 2000]);
  });
});
