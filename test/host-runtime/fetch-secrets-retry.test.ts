import { JitterRetryStrategy } from '../../host/fetch-secrets/retry';

// Focused in-process checks of the SDK retry strategy in host/fetch-secrets/retry.ts.

afterEach(() => jest.restoreAllMocks());

test('the strategy declares the SDK standard mode', () => {
  expect(new JitterRetryStrategy(3, 100).mode).toBe('standard');
});

test('a retry token carries its count, the jittered backoff delay and no retry cost', async () => {
  jest.spyOn(Math, 'random').mockReturnValue(1);
  const s = new JitterRetryStrategy(5, 100);
  const t0 = await s.acquireInitialRetryToken('scope');
  expect([t0.getRetryCount(), t0.getRetryDelay(), t0.getRetryCost()]).toEqual([0, 0, undefined]);
  const t1 = await s.refreshRetryTokenForRetry(t0, { errorType: 'THROTTLING' });
  expect([t1.getRetryCount(), t1.getRetryDelay()]).toEqual([1, 100]);
  const t2 = await s.refreshRetryTokenForRetry(t1, { errorType: 'SERVER_ERROR' });
  expect([t2.getRetryCount(), t2.getRetryDelay()]).toEqual([2, 200]);
});

test('no retry after the last attempt or for a client error, with a pinned message', async () => {
  const s = new JitterRetryStrategy(2, 100);
  const t0 = await s.acquireInitialRetryToken('scope');
  await expect(s.refreshRetryTokenForRetry(t0, { errorType: 'CLIENT_ERROR' })).rejects.toThrow(/^no retry$/);
  const t1 = await s.refreshRetryTokenForRetry(t0, { errorType: 'TRANSIENT' });
  await expect(s.refreshRetryTokenForRetry(t1, { errorType: 'TRANSIENT' })).rejects.toThrow(/^no retry$/);
});
