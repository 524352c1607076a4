/**
 * Patterns of literals and wildcards, and whether two of them can match the
 * same string. A policy's Resource (`*`, `?`, policy variables, intrinsics
 * standing for strings only known at deploy time) and an ARN format of AWS's
 * reference (`arn:${Partition}:s3:::${BucketName}`) are both turned into such
 * patterns; an action applies to a resource only if they intersect.
 */

/** One element: a literal character, any single character, or any run of characters (none excluded unless listed). */
export type GlobElement =
  | { readonly kind: 'literal'; readonly char: string }
  | { readonly kind: 'one'; readonly excluded: string }
  | { readonly kind: 'any'; readonly excluded: string };

export type Glob = readonly GlobElement[];

export const literal = (s: string): Glob => [...s].map((char) => ({ kind: 'literal', char }));
/** Any string, empty included (an intrinsic whose value is unknown at synth). */
export const anyString = (excluded = ''): Glob => [{ kind: 'any', excluded }];
/** Any non-empty string (a variable of an ARN format). */
export const nonEmpty = (excluded = ''): Glob => [
  { kind: 'one', excluded },
  { kind: 'any', excluded },
];

/** A policy's resource string: `*` is any run, `?` any one character, a policy variable `${...}` any run. */
export function policyGlob(s: string): Glob {
  const out: GlobElement[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '$' && s[i + 1] === '{') {
      const end = s.indexOf('}', i);
      if (end > i) {
        out.push({ kind: 'any', excluded: '' });
        i = end;
        continue;
      }
    }
    if (c === '*') out.push({ kind: 'any', excluded: '' });
    else if (c === '?') out.push({ kind: 'one', excluded: '' });
    else out.push({ kind: 'literal', char: c });
  }
  return out;
}

/**
 * Characters a variable of an ARN format can never contain, where that is
 * certain: partition, region and account are single ARN fields, and S3 bucket
 * names and KMS key IDs contain neither `/` nor `:`
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 * Every other variable may be any non-empty string.
 */
const VARIABLE_EXCLUDES: Readonly<Record<string, string>> = {
  Partition: ':/',
  Region: ':/',
  Account: ':/',
  BucketName: ':/',
  KeyId: ':/',
};

/** An ARN format of AWS's reference, its `${Variable}`s each a non-empty string. */
export function formatGlob(format: string): Glob {
  const out: GlobElement[] = [];
  const re = /\$\{([^}]+)\}/g;
  let last = 0;
  for (const m of format.matchAll(re)) {
    out.push(...literal(format.slice(last, m.index)));
    out.push(...nonEmpty(VARIABLE_EXCLUDES[m[1]!] ?? ''));
    last = m.index + m[0].length;
  }
  out.push(...literal(format.slice(last)));
  return out;
}

/** Whether a run (`star`, always of kind any) can take in the element `other`. */
const consumes = (star: Exclude<GlobElement, { kind: 'literal' }>, other: GlobElement): boolean => other.kind !== 'literal' || !star.excluded.includes(other.char);

function sameChar(a: GlobElement, b: GlobElement): boolean {
  if (a.kind === 'literal') return b.kind === 'literal' ? a.char === b.char : !b.excluded.includes(a.char);
  if (b.kind === 'literal') return !a.excluded.includes(b.char);
  return true;
}

/** Whether some string matches both patterns. */
export function intersects(a: Glob, b: Glob): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length) {
    const [i, j] = stack.pop()!;
    const key = i * width + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    const x = a[i];
    const y = b[j];
    if (x?.kind === 'any') {
      stack.push([i + 1, j]);
      if (y && y.kind !== 'any' && consumes(x, y)) stack.push([i, j + 1]);
    }
    if (y?.kind === 'any') {
      stack.push([i, j + 1]);
      if (x && x.kind !== 'any' && consumes(y, x)) stack.push([i + 1, j]);
    }
    if (x && y && x.kind !== 'any' && y.kind !== 'any' && sameChar(x, y)) stack.push([i + 1, j + 1]);
  }
  return false;
}

/** Whether the pattern matches the string exactly. */
export const matches = (pattern: Glob, s: string): boolean => intersects(pattern, literal(s));
