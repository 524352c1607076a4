import { anyString, formatGlob, intersects, literal, matches, nonEmpty, policyGlob } from '../../lib/gate/iam-reference/glob';

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

  test('many wildcards on both sides are answered without exploring each path again', () => {
    const a = policyGlob(`${'*a'.repeat(40)}x`);
    const b = policyGlob(`${'*a'.repeat(40)}y`);
    const started = Date.now();
    expect(intersects(a, b)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
