import { formatPath, isPlainObject } from '../../lib/config/key-path';

test.each<[(string | number)[], string]>([
  [[], ''],
  [['aws'], 'aws'],
  [['aws', 'account'], 'aws.account'],
  [['exceptions', 0, 'reason'], 'exceptions[0].reason'],
  [['a', 1, 2], 'a[1][2]'],
  [[0], '[0]'],
  [[0, 'a'], '[0].a'],
  [['tags', 'cost.center'], 'tags.cost.center'],
])('formatPath(%j) is %j', (path, text) => {
  expect(formatPath(path)).toBe(text);
});

test.each<[unknown, boolean]>([
  [{}, true],
  [{ a: 1 }, true],
  [Object.create(null), true],
  [[], false],
  [null, false],
  [undefined, false],
  ['a', false],
  [1, false],
])('isPlainObject(%p) is %p', (value, expected) => {
  expect(isPlainObject(value)).toBe(expected);
});
