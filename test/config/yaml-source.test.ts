import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, type ConfigProblem } from '../../lib/config/errors';
import { MAX_ALIAS_COUNT, readLayer } from '../../lib/config/yaml-source';

// readLayer on one temporary file: the guards the loader tests reach only
// through whole config folders, pinned at their limits.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-yaml-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function read(text: string) {
  const file = path.join(dir, `f${n++}.yaml`);
  fs.writeFileSync(file, text);
  return readLayer(file, 'config/x.yaml');
}
function problems(text: string): ConfigProblem[] {
  try {
    read(text);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ConfigError');
}

test.each(['__proto__', 'constructor', 'prototype'])('the key %s is refused wherever it is', (key) => {
  expect(problems(`tags:\n  ${key}: a\n`)).toEqual([{ file: 'config/x.yaml', line: 2, path: `tags.${key}`, message: `key "${key}" is not allowed; expected a config key` }]);
});

test('keys that merely contain those words are fine', () => {
  expect(read('tags:\n  constructor-team: a\n  my_prototype: b\n').value).toEqual({ tags: { 'constructor-team': 'a', my_prototype: 'b' } });
});

describe('alias expansion is capped at MAX_ALIAS_COUNT', () => {
  /** One anchored list of `width` items, aliased `aliases` times. */
  const aliased = (aliases: number) => `a: &x [1]\nb: [${Array.from({ length: aliases }, () => '*x').join(', ')}]\n`;

  test('the cap is 100', () => {
    expect(MAX_ALIAS_COUNT).toBe(100);
  });

  test('a file within the cap parses, and one beyond it is refused with the cap named', () => {
    expect(read(aliased(10)).value.b).toHaveLength(10);
    const found = problems(aliased(400));
    expect(found).toEqual([
      {
        file: 'config/x.yaml',
        message: `YAML aliases expand to more than 100 nodes (the parser's guard against a "billion laughs" document); expected a file whose aliases expand to at most 100`,
      },
    ]);
  });
});

test('line numbers of every key path, lists included', () => {
  const layer = read('aws:\n  region: eu-west-1\nlist:\n  - a\n  - b: 1\n');
  expect([...layer.lines.entries()]).toEqual(expect.arrayContaining([['aws', 1], ['aws.region', 2], ['list', 3], ['list[0]', 4], ['list[1]', 5], ['list[1].b', 5]]));
});
