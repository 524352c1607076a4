import { mapLimited } from '../../host/fetch-secrets/fetch';

// Focused in-process checks of host/fetch-secrets/fetch.ts.

test('mapLimited runs at most `limit` tasks at a time and returns settled results in input order', async () => {
  let running = 0;
  let peak = 0;
  const task = async (n: number) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setImmediate(r));
    running--;
    if (n === 3) throw new Error('three');
    return n * 10;
  };
  const results = await mapLimited([1, 2, 3, 4, 5], 2, task);
  expect(peak).toBe(2);
  expect(results).toEqual([
    { status: 'fulfilled', value: 10 },
    { status: 'fulfilled', value: 20 },
    { status: 'rejected', reason: new Error('three') },
    { status: 'fulfilled', value: 40 },
    { status: 'fulfilled', value: 50 },
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
});

test('mapLimited with a limit above the number of items runs each item once', async () => {
  const seen: number[] = [];
  const results = await mapLimited([7, 8], 8, async (n) => {
    seen.push(n);
    return n;
  });
  expect(seen).toEqual([7, 8]);
  expect(results).toEqual([
    { status: 'fulfilled', value: 7 },
    { status: 'fulfilled', value: 8 },
  ]);
  expect(await mapLimited([], 4, async () => 1)).toEqual([]);
});
