/**
 * The kill switch's explicit retry (lambda/kill-switch/retry.ts): which errors
 * are worth another attempt, how many attempts, the backoff between them, and
 * the error that is thrown in the end.
 *
 * The calls are bounded fakes: a call that is made more often than any retry
 * policy allows fails with its own error. Timers are Jest's fake timers: the
 * delays are recorded exactly, time is advanced by hand, and a retry that never
 * stops is still pending when the test looks (it fails the test, never hangs it).
 */
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { AttemptsError, isTransient, retryPolicy, withRetry } from '../../lambda/kill-switch/retry';

const DEFAULT_POLICY = { ...retryPolicy };
/** More calls than any policy in these tests allows. */
const IMPOSSIBLE_CALLS = 10;

const ec2Error = (name: string, httpStatusCode: number, message = name) =>
  new EC2ServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode }, message });
/** EC2 throttling a request (HTTP 503, RequestLimitExceeded). */
const throttled = () => ec2Error('RequestLimitExceeded', 503, 'Request limit exceeded.');

/** A call failing with `failures` in turn, then returning `value`; one made an impossible number of times fails loudly. */
function fakeCall<T>(failures: readonly unknown[], value: T): jest.Mock<Promise<T>, []> {
  let calls = 0;
  return jest.fn(async () => {
    calls += 1;
    if (calls > IMPOSSIBLE_CALLS) throw new Error(`bounded fake: called ${calls} times, more than any retry policy allows`);
    if (calls <= failures.length) throw failures[calls - 1];
    return value;
  });
}

/** A call failing with `error` every time (up to the impossible number of calls). */
const alwaysFailing = (error: () => unknown) => fakeCall(Array.from({ length: IMPOSSIBLE_CALLS }, error), 'never');

/** More time than every delay of any policy in these tests together (6 attempts: 3.875 s at most). */
const LONGER_THAN_ANY_RETRY_MS = 60_000;

/** The promise's outcome once the fake clock has run past every retry's delays, or 'pending' (a retry that never stops). */
async function settle<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown } | 'pending'> {
  let outcome: { value: T } | { error: unknown } | 'pending' = 'pending';
  promise.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  await jest.advanceTimersByTimeAsync(LONGER_THAN_ANY_RETRY_MS);
  return outcome;
}

/** The delays the retry asked setTimeout for, in order. */
let delays: () => number[];

beforeEach(() => {
  Object.assign(retryPolicy, DEFAULT_POLICY);
  jest.useFakeTimers();
  const timers = jest.spyOn(global, 'setTimeout');
  delays = () => timers.mock.calls.map((c) => c[1] ?? 0);
  jest.spyOn(Math, 'random').mockReturnValue(0.5);
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('withRetry', () => {
  it('the policy: 3 attempts, 250 ms base delay, 2 s cap', () => {
    expect(DEFAULT_POLICY).toEqual({ attempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 });
  });

  it('a call that succeeds is made once, and its value returned with the attempt count', async () => {
    const call = fakeCall([], { StoppingInstances: [] });
    expect(await settle(withRetry(call))).toEqual({ value: { value: { StoppingInstances: [] }, attempts: 1 } });
    expect(call).toHaveBeenCalledTimes(1);
    expect(delays()).toEqual([]);
  });

  it('a transient failure is retried after a jittered exponential delay: throttled twice, then it succeeds', async () => {
    const call = fakeCall([throttled(), throttled()], 'ok');
    expect(await settle(withRetry(call))).toEqual({ value: { value: 'ok', attempts: 3 } });
    expect(call).toHaveBeenCalledTimes(3);
    // Full jitter: a random fraction (0.5 here) of 250 ms, then of 500 ms.
    expect(delays()).toEqual([125, 250]);
  });

  it('the delay doubles per attempt up to maxDelayMs', async () => {
    retryPolicy.attempts = 6;
    const call = fakeCall([throttled(), throttled(), throttled(), throttled(), throttled()], 'ok');
    expect(await settle(withRetry(call))).toEqual({ value: { value: 'ok', attempts: 6 } });
    // Caps 250, 500, 1000, 2000 (2000 reached), 2000 (4000 capped); half of each.
    expect(delays()).toEqual([125, 250, 500, 1000, 1000]);
  });

  it('the jitter is a fraction of the cap, never more', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    await settle(withRetry(fakeCall([throttled()], 'ok')));
    expect(delays()).toEqual([249.75]);
  });

  it(`a persistent transient failure: ${DEFAULT_POLICY.attempts} attempts, then the last error, same name, with the count`, async () => {
    const call = alwaysFailing(throttled);
    const out = await settle(withRetry(call));
    expect(call).toHaveBeenCalledTimes(3);
    expect(out).toEqual({ error: expect.any(AttemptsError) });
    const error = (out as { error: AttemptsError }).error;
    expect(error.name).toBe('RequestLimitExceeded');
    expect(error.message).toBe('Request limit exceeded. (after 3 attempts)');
    expect(error.attempts).toBe(3);
    expect(error.original).toBe(await call.mock.results[2]!.value.catch((e: unknown) => e));
    expect(delays()).toEqual([125, 250]);
  });

  it('a non-transient failure is thrown at once, its message unchanged', async () => {
    const call = alwaysFailing(() => ec2Error('IncorrectInstanceState', 400, 'This instance is not in a state from which it can be stopped.'));
    const out = await settle(withRetry(call));
    expect(call).toHaveBeenCalledTimes(1);
    const error = (out as { error: AttemptsError }).error;
    expect(error).toBeInstanceOf(AttemptsError);
    expect(error.name).toBe('IncorrectInstanceState');
    expect(error.message).toBe('This instance is not in a state from which it can be stopped.');
    expect(error.attempts).toBe(1);
    expect(delays()).toEqual([]);
  });

  it('a transient failure then a non-transient one: stops at the second, naming 2 attempts', async () => {
    const call = alwaysFailing(() => ec2Error('UnauthorizedOperation', 403, 'You are not authorized to perform this operation.'));
    call.mockRejectedValueOnce(throttled());
    const error = ((await settle(withRetry(call))) as { error: AttemptsError }).error;
    expect(call).toHaveBeenCalledTimes(2);
    expect(error.message).toBe('You are not authorized to perform this operation. (after 2 attempts)');
  });

  it('something thrown that is not an Error keeps its text', () => {
    const error = new AttemptsError('socket closed', 1);
    expect(error.name).toBe('Error');
    expect(error.message).toBe('socket closed');
  });
});

describe('isTransient', () => {
  // The names the SDK classes as throttling, as the services send them: with a client (4xx) status.
  it.each(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled', 'RequestThrottledException', 'TooManyRequestsException', 'SlowDown'])(
    'throttling %s (HTTP 400): transient',
    (name) => {
      expect(isTransient(ec2Error(name, 400))).toBe(true);
    },
  );

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN'])('network error %s (no HTTP status): transient', (code) => {
    expect(isTransient(Object.assign(new Error(`connect ${code}`), { code }))).toBe(true);
  });

  it("the SDK's own TimeoutError (no HTTP status): transient", () => {
    expect(isTransient(Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }))).toBe(true);
  });

  it.each([
    [429, true],
    [499, false],
    [500, true],
    [504, true],
  ])('an unknown error name with HTTP %d: transient %s', (status, transient) => {
    expect(isTransient({ name: 'SomethingNew', $metadata: { httpStatusCode: status } })).toBe(transient);
  });

  it('a server fault without a status, and an error the SDK marks retryable: transient', () => {
    expect(isTransient({ name: 'SomethingNew', $fault: 'server', $metadata: {} })).toBe(true);
    expect(isTransient({ name: 'SomethingNew', $fault: 'client', $metadata: { httpStatusCode: 400 }, $retryable: {} })).toBe(true);
    expect(isTransient({ name: 'SomethingNew', $fault: 'client', $metadata: { httpStatusCode: 400 } })).toBe(false);
  });

  it('an unknown name, code or nothing at all: not transient', () => {
    expect(isTransient(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))).toBe(false);
    expect(isTransient(new Error('x'))).toBe(false);
    expect(isTransient({})).toBe(false);
    expect(isTransient(undefined)).toBe(false);
    expect(isTransient(null)).toBe(false);
    expect(isTransient('RequestLimitExceeded')).toBe(false);
  });
});
