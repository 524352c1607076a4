/** Upper and lower case letters and digits. */
export const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const ALNUM_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * mulberry32: a tiny deterministic PRNG, so "random" test tokens are the same
 * on every run and no real-looking secret has to sit in the source.
 */
export function pseudoRandom(length: number, seed: number, alphabet: string = MIXED): string {
  let a = seed >>> 0;
  let out = '';
  while (out.length < length) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out += alphabet[Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * alphabet.length)];
  }
  return out;
}
