import { settlesWithin } from './settles-within';

test('a promise that settles in time passes through: its value, or its own rejection', async () => {
  await expect(settlesWithin(Promise.resolve(7), 50)).resolves.toBe(7);
  await expect(settlesWithin(Promise.reject(new Error('own')), 50)).rejects.toThrow(/^own$/);
});

test('a promise that never settles is rejected after the bound, with the bound named', async () => {
  const started = Date.now();
  await expect(settlesWithin(new Promise(() => undefined), 40)).rejects.toThrow(/^did not settle within 40 ms$/);
  expect(Date.now() - started).toBeGreaterThanOrEqual(35);
});

test('the timer is cleared once the promise settles (no pending timer keeps the process alive)', async () => {
  const clear = jest.spyOn(global, 'clearTimeout');
  await settlesWithin(Promise.resolve(1), 10_000);
  expect(clear).toHaveBeenCalledTimes(1);
  clear.mockRestore();
});
