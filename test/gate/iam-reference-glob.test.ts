import { anyString, formatGlob, intersects, literal, matches, nonEmpty, policyGlob, type Glob, type GlobElement } from '../../lib/gate/iam-reference/glob';

/**
 * `target` behind a proxy that counts every property read and throws past
 * `limit`: code that would loop forever over it (or explore a state more than
 * once) fails fast with that error instead of hanging.
 */
function readsAtMost<T extends object>(target: T, limit: number): T {
  let reads = 0;
  return new Proxy(target, {
    get(t, property) {
      if (++reads > limit) throw new Error(`more than ${limit} reads`);
      const v: unknown = Reflect.get(t, property, t);
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(t) : v;
    },
  });
}
/** A pattern whose elements can be read at most `limit` times in all. */
const boundedGlob = (g: Glob, limit: number): Glob => readsAtMost([...g], limit);

const L = (char: string): GlobElement => ({ kind: 'literal', char });
const ONE: GlobElement = { kind: 'one', excluded: '' };
const ANY: GlobElement = { kind: 'any', excluded: '' };

// The patterns of policy resources and ARN formats, and when two intersect.

describe('elements', () => {
  test('literal, any string (empty included) and non-empty, each with the characters they exclude', () => {
    expect(literal('a:')).toEqual([
      { kind: 'literal', char: 'a' },
      { kind: 'literal', char: ':' },
    ]);
    expect(anyString()).toEqual([{ kind: 'any', excluded: '' }]);
    expect(anyString('/')).toEqual([{ kind: 'any', excluded: '/' }]);
    expect(nonEmpty()).toEqual([
      { kind: 'one', excluded: '' },
      { kind: 'any', excluded: '' },
    ]);
    expect(nonEmpty(':')).toEqual([
      { kind: 'one', excluded: ':' },
      { kind: 'any', excluded: ':' },
    ]);
  });
});

describe('policyGlob', () => {
  test.each([
    ['*', 'anything/at:all', true],
    ['*', '', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'abbc', false],
    ['arn:aws:s3:::b/${aws:username}/*', 'arn:aws:s3:::b/alice/x', true],
    ['arn:aws:s3:::b/${aws:username}', 'arn:aws:s3:::b/', true],
    ['a${b', 'a${b', true],
    ['a${b', 'axb', false],
    ['a$b}', 'a$b}', true],
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['abc', 'xabc', false],
  ])('%s matches %s: %s', (pattern, s, expected) => {
    expect(matches(policyGlob(pattern), s)).toBe(expected);
  });

  test.each([
    ['a?*', [L('a'), ONE, ANY]],
    ['${x}-${y}', [ANY, L('-'), ANY]],
    ['a${b', [L('a'), L('$'), L('{'), L('b')]],
    ['${b', [L('$'), L('{'), L('b')]],
    ['a$b}', [L('a'), L('$'), L('b'), L('}')]],
    ['a{b}', [L('a'), L('{'), L('b'), L('}')]],
    ['a$', [L('a'), L('$')]],
    ['$}', [L('$'), L('}')]],
    ['', []],
    ['${}', [ANY]],
    ['${ab}c', [ANY, L('c')]],
    ['${a}b}', [ANY, L('b'), L('}')]],
    ['a b\nc', [L('a'), L(' '), L('b'), L('\n'), L('c')]],
  ])('%j is exactly its elements: * a run, ? one character, ${...} a run; $ without { and ${ without } are literal', (pattern, expected) => {
    expect(policyGlob(pattern)).toEqual(expected);
  });

  test('a policy variable is one run of any characters', () => {
    expect(policyGlob('${x}')).toEqual([{ kind: 'any', excluded: '' }]);
    expect(policyGlob('a${x}b')).toEqual([{ kind: 'literal', char: 'a' }, { kind: 'any', excluded: '' }, { kind: 'literal', char: 'b' }]);
  });
});

describe('formatGlob: ${Variable}s are non-empty; partition, region, account, bucket names and key IDs hold neither : nor /', () => {
  test.each(['Partition', 'Region', 'Account', 'BucketName', 'KeyId'])('%s', (variable) => {
    const glob = formatGlob(`<\${${variable}}>`);
    expect(matches(glob, '<abc-1>')).toBe(true);
    expect(matches(glob, '<>')).toBe(false);
    expect(matches(glob, '<a:b>')).toBe(false);
    expect(matches(glob, '<a/b>')).toBe(false);
  });

  test('any other variable is any non-empty text', () => {
    const glob = formatGlob('arn:${Partition}:s3:::${BucketName}/${ObjectName}');
    expect(matches(glob, 'arn:aws:s3:::b/k/e:y')).toBe(true);
    expect(matches(glob, 'arn:aws:s3:::b/')).toBe(false);
    expect(matches(glob, 'arn:aws:s3:::b')).toBe(false);
    expect(matches(formatGlob('x'), 'x')).toBe(true);
    expect(matches(formatGlob('${A}${B}'), 'a')).toBe(false);
    expect(matches(formatGlob('${A}${B}'), 'ab')).toBe(true);
  });
});

describe('intersects', () => {
  test.each([
    ['both literal and equal', literal('ab'), literal('ab'), true],
    ['literal and different', literal('ab'), literal('ac'), false],
    ['literal, different length', literal('ab'), literal('abc'), false],
    ['a run against a literal', anyString(), literal('x/y'), true],
    ['a literal against a run (either side)', literal('x/y'), anyString(), true],
    ['a run that excludes a character the literal has', anyString('/'), literal('x/y'), false],
    ['the same, the other way round', literal('x/y'), anyString('/'), false],
    ['one character against an excluded one', nonEmpty('/'), literal('/'), false],
    ['an excluded literal against one character', literal(':'), nonEmpty(':'), false],
    ['two runs', anyString('/'), anyString(':'), true],
    ['one against one', [{ kind: 'one', excluded: 'a' }] as const, [{ kind: 'one', excluded: 'b' }] as const, true],
    ['empty against a run', [], anyString(), true],
    ['a run against empty', anyString(), [], true],
    ['non-empty against empty', nonEmpty(), [], false],
    ['empty against non-empty', [], nonEmpty(), false],
    ['a*b and a*c never', policyGlob('a*b'), policyGlob('a*c'), false],
    ['*b and a* meet in ab', policyGlob('*b'), policyGlob('a*'), true],
  ])('%s: %s', (_, a, b, expected) => {
    expect(intersects(a, b)).toBe(expected);
  });

  test.each([
    ['a literal against one character', literal('x'), policyGlob('?'), true],
    ['one character against a literal', policyGlob('?'), literal('x'), true],
    ['literals around one character against literals', literal('axb'), policyGlob('a?b'), true],
    ['a literal against one character that excludes it', literal('/'), nonEmpty('/').slice(0, 1), false],
    ['a run takes in one character', policyGlob('*'), policyGlob('?'), true],
    ['one character takes in a run', policyGlob('?'), policyGlob('*'), true],
    ['a run that excludes characters still takes in one character', anyString(':/'), policyGlob('?'), true],
    ['one character, then a literal, against a run', policyGlob('?x'), policyGlob('*'), true],
    ['one character is not nothing', policyGlob('?'), literal(''), false],
    ['two characters are not one, even against a run after one', policyGlob('??'), policyGlob('?'), false],
    ['a run then a literal the other side lacks', policyGlob('*x'), policyGlob('?y'), false],
    ['a run that excludes : takes in ? but not the : after it', nonEmpty(':'), policyGlob('?:'), false],
    ['runs on both sides that meet in the middle', policyGlob('ab*'), policyGlob('*bc'), true],
    ['runs on both sides, each side\'s literals inside the other\'s run', policyGlob('ab*'), policyGlob('*c?d'), true],
    ['a run excluding / against a / after one character', [...anyString('/'), ...literal('x')], [...policyGlob('?'), ...literal('/x')], false],
  ])('%s: %s', (_, a, b, expected) => {
    expect(intersects(a, b)).toBe(expected);
  });

  // A wildcard has no character of its own: comparing it with another wildcard
  // must not look up a character in the other's excluded set (the letters of
  // "undefined" are excluded here, which that lookup would find).
  test.each([
    ['a run against one character', anyString('undefined'), [ONE]],
    ['one character against a run', [ONE], anyString('undefined')],
    ['one character against one character', [ONE], nonEmpty('undefined').slice(0, 1)],
    ['a run against a run, then one character', [...anyString('undefined'), ONE], [ONE]],
    ['one character, then a run against a run', [ONE], [...anyString(), ...nonEmpty('undefined').slice(0, 1)]],
  ])('whatever characters a wildcard excludes, it meets another wildcard: %s', (_, a, b) => {
    expect(intersects(a, b)).toBe(true);
  });

  // Each state (a position in each pattern) is settled once, reading one
  // element of each pattern (and its length): a search that explores a state
  // again (exponentially many paths here) reads more and throws.
  test.each([
    ['many runs, never meeting', `${'*a'.repeat(40)}x`, `${'*a'.repeat(40)}y`, false],
    ['many runs, meeting', `${'*a'.repeat(40)}x`, `${'*a'.repeat(40)}*`, true],
    ['runs and single characters, never meeting', `${'*?'.repeat(20)}x`, `${'?*'.repeat(20)}y`, false],
    ['a run against a literal', '*', 'abc', true],
    ['a literal against a run', 'abc', '*', true],
    ['a run against nothing', '*', '', true],
    ['a run against another, each then a different literal', '*x', '*y', false],
  ])('each pair of positions is settled once: %s', (_, pa, pb, expected) => {
    const a = policyGlob(pa);
    const b = policyGlob(pb);
    const states = (a.length + 1) * (b.length + 1);
    expect(intersects(boundedGlob(a, 3 * states), boundedGlob(b, 3 * states))).toBe(expected);
  });
});
