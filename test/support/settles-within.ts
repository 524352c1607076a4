/**
 * `p`, or a rejection when it has not settled within `ms`: a test of code that could loop or
 * wait forever (a mutant, a regression) then fails fast with a clear message instead of
 * hanging until jest's or Stryker's timeout. The timer is cleared either way.
 */
export function settlesWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
