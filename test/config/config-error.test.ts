import { ConfigError, formatProblem } from '../../lib/config/errors';

// How a config problem is rendered: file[:line]: [key path: ]message; "config"
// when no file is known. Every config error goes through these two.

test.each([
  [{ file: 'config/base.yaml', line: 3, path: 'aws.account', message: 'found x; expected y' }, 'config/base.yaml:3: aws.account: found x; expected y'],
  [{ file: 'config/base.yaml', path: 'aws.account', message: 'm' }, 'config/base.yaml: aws.account: m'],
  [{ file: 'config/base.yaml', line: 0, path: 'a', message: 'm' }, 'config/base.yaml: a: m'],
  [{ file: 'config/base.yaml', line: 7, message: 'm' }, 'config/base.yaml:7: m'],
  [{ path: 'aws.account', message: 'm' }, 'config: aws.account: m'],
  [{ line: 7, path: 'a', message: 'm' }, 'config: a: m'],
  [{ file: '', path: 'a', message: 'm' }, 'config: a: m'],
  [{ file: 'f', path: '', message: 'm' }, 'f: m'],
  [{ message: 'm' }, 'config: m'],
])('formatProblem(%j)', (problem, text) => {
  expect(formatProblem(problem)).toBe(text);
});

test('a ConfigError lists every problem, one per line, and counts them', () => {
  const err = new ConfigError([
    { file: 'a.yaml', line: 1, path: 'x', message: 'first' },
    { message: 'second' },
  ]);
  expect(err.message).toBe('Invalid configuration (2 problems):\n  - a.yaml:1: x: first\n  - config: second');
  expect(err.problems).toEqual([{ file: 'a.yaml', line: 1, path: 'x', message: 'first' }, { message: 'second' }]);
  expect(err.name).toBe('ConfigError');
  expect(err).toBeInstanceOf(Error);
});

test('one problem is "1 problem"', () => {
  expect(new ConfigError([{ message: 'only' }]).message).toBe('Invalid configuration (1 problem):\n  - config: only');
});
