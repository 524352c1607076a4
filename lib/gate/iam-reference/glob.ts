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
  // A `$` not followed by `{`, or a `${` without a closing `}`, is a literal.
  return (s.match(/\$\{.*?\}|./gs) ?? []).map((token): GlobElement => {
    if (token === '*' || token.length > 1) return { kind: 'any', excluded: '' };
    if (token === '?') return { kind: 'one', excluded: '' };
    return { kind: 'literal', char: token };
  });
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

/**
 * Whether the two elements can stand for the same character. For a run, that is
 * whether it can take in the other element (a run may be empty, so a run takes
 * in another run).
 */
function sameChar(a: GlobElement, b: GlobElement): boolean {
  if (a.kind === 'literal') return b.kind === 'literal' ? a.char === b.char : !b.excluded.includes(a.char);
  if (b.kind === 'literal') return !a.excluded.includes(b.char);
  return true;
}

/** Whether some string matches both patterns. */
export function intersects(a: Glob, b: Glob): boolean {
  // reach[i][j]: some string matches both the first i elements of a and the
  // first j of b. Every move advances in a, in b or in both, so one pass in
  // order settles each pair of positions.
  const reach = [...a, undefined].map(() => [...b, undefined].map(() => false));
  reach[0]![0] = true;
  const to = (i: number, j: number) => (reach[i]![j] = true);
  reach.forEach((row, i) =>
    row.forEach((reached, j) => {
      if (!reached) return;
      const x = a[i];
      const y = b[j];
      if (x?.kind === 'any') {
        to(i + 1, j);
        if (y && sameChar(x, y)) to(i, j + 1);
      }
      if (y?.kind === 'any') {
        to(i, j + 1);
        if (x && sameChar(y, x)) to(i + 1, j);
      }
      if (x && y && sameChar(x, y)) to(i + 1, j + 1);
    }),
  );
  return reach[a.length]![b.length]!;
}

/** Whether the pattern matches the string exactly. */
export const matches = (pattern: Glob, s: string): boolean => intersects(pattern, literal(s));
