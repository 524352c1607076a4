import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, type ConfigProblem } from '../../lib/config/errors';
import { Document } from 'yaml';
import { MAX_ALIAS_COUNT, readLayer } from '../../lib/config/yaml-source';

// readLayer on one temporary file: the guards the loader tests reach only
// through whole config folders, pinned at their limits.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-yaml-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function read(text: string | Buffer) {
  const file = path.join(dir, `f${n++}.yaml`);
  fs.writeFileSync(file, text);
  return readLayer(file, 'config/x.yaml');
}
function problems(text: string | Buffer): ConfigProblem[] {
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

// No input is known to make the parser fail here once the checks before it passed; the branch keeps an unforeseen
// parser error (a new version's) a ConfigError instead of a stack trace.
test('any other failure while building the value is a ConfigError naming the file, with the first line of the parser\'s message', () => {
  const spy = jest.spyOn(Document.prototype, 'toJS').mockImplementation(() => {
    throw new RangeError('Maximum call stack size exceeded\n    at toJS (yaml/dist/nodes/toJS.js:1:1)');
  });
  try {
    expect(problems('a: 1\n')).toEqual([{ file: 'config/x.yaml', message: 'could not be read as YAML: Maximum call stack size exceeded' }]);
  } finally {
    spy.mockRestore();
  }
});

test('line numbers of every key path, lists included: a key at its own line, a list item at its line', () => {
  const layer = read('aws:\n  region: eu-west-1\nlist:\n  - a\n  -\n    b: 1\nempty:\n');
  expect(layer.lines).toEqual(
    new Map([
      ['aws', 1],
      ['aws.region', 2],
      ['list', 3],
      ['list[0]', 4],
      ['list[1]', 6],
      ['list[1].b', 6],
      ['empty', 7],
    ]),
  );
});

describe('a file that is not UTF-8: the first byte of the first invalid sequence, as the platform decoder judges it', () => {
  // Before the bad bytes: a BOM, characters of 2, 3 and 4 bytes and a real U+FFFD (which the locator must not take
  // for the decoder's replacement of an invalid sequence): 23 bytes, the bad one on line 2.
  const before = Buffer.from('\ufeffa: \u00e9\u20ac\u{1f600}\ufffd\nb: "');
  const utf8Error = (bytes: number[]) => problems(Buffer.concat([before, Buffer.from(bytes), Buffer.from('"\n')]));
  const message = (hex: string) => `found a byte that is not UTF-8 text (0x${hex} at byte 23); expected a UTF-8 file (save it as UTF-8)`;

  test('the valid sequences at every boundary of the lead-byte classes are text', () => {
    const valid = [0x7f, 0xc2, 0x80, 0xdf, 0xbf, 0xe0, 0xa0, 0x80, 0xed, 0x9f, 0xbf, 0xef, 0xbf, 0xbf, 0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf];
    expect(read(Buffer.concat([before, Buffer.from(valid), Buffer.from('"\n')])).value).toEqual({
      a: '\u00e9\u20ac\u{1f600}\ufffd',
      b: '\u007f\u0080\u07ff\u0800\ud7ff\uffff\u{10000}\u{10ffff}',
    });
  });

  test.each([
    ['a continuation byte with no lead (0x80)', [0x80], '80'],
    ['a continuation byte with no lead (0xbf)', [0xbf], 'bf'],
    ['an overlong 2-byte lead (0xc0)', [0xc0, 0x80], 'c0'],
    ['an overlong 2-byte lead (0xc1)', [0xc1, 0xbf], 'c1'],
    ['a 2-byte lead (0xc2) followed by ASCII', [0xc2, 0x41], 'c2'],
    ['a 2-byte lead (0xdf) followed by another lead', [0xdf, 0xc2, 0x80], 'df'],
    ['an overlong 3-byte sequence (0xe0 0x80)', [0xe0, 0x80, 0x80], 'e0'],
    ['a UTF-16 surrogate (0xed 0xa0 0x80)', [0xed, 0xa0, 0x80], 'ed'],
    ['a 3-byte sequence cut short (0xef 0xbf, then ASCII)', [0xef, 0xbf, 0x41], 'ef'],
    ['an overlong 4-byte sequence (0xf0 0x80)', [0xf0, 0x80, 0x80, 0x80], 'f0'],
    ['a 4-byte sequence beyond U+10FFFF (0xf4 0x90)', [0xf4, 0x90, 0x80, 0x80], 'f4'],
    ['a 4-byte sequence cut short (0xf0 0x9f 0x98, then ASCII)', [0xf0, 0x9f, 0x98, 0x41], 'f0'],
    ['a lead byte beyond UTF-8 (0xf5)', [0xf5, 0x80, 0x80, 0x80], 'f5'],
    ['a lead byte beyond UTF-8 (0xff)', [0xff], 'ff'],
  ])('%s', (_, bytes, hex) => {
    expect(utf8Error(bytes)).toEqual([{ file: 'config/x.yaml', line: 2, message: message(hex) }]);
  });

  test('a sequence cut short by the end of the file', () => {
    expect(problems(Buffer.concat([before, Buffer.from([0xe2, 0x82])]))).toEqual([{ file: 'config/x.yaml', line: 2, message: message('e2') }]);
  });

  test('the first of several invalid bytes is the one reported', () => {
    expect(utf8Error([0x41, 0xe9, 0x0a, 0xff])).toEqual([
      { file: 'config/x.yaml', line: 2, message: 'found a byte that is not UTF-8 text (0xe9 at byte 24); expected a UTF-8 file (save it as UTF-8)' },
    ]);
  });
});

describe('a file that cannot be read: the reason, never an exception', () => {
  function problemsReading(file: string): ConfigProblem[] {
    try {
      readLayer(file, 'config/x.yaml');
    } catch (e) {
      if (e instanceof ConfigError) return [...e.problems];
      throw e;
    }
    throw new Error('expected a ConfigError');
  }

  test('a symbolic link loop: Node\'s own message (code, reason, path), the code not repeated', () => {
    const link = path.join(dir, 'loop.yaml');
    fs.symlinkSync(link, link);
    expect(problemsReading(link)).toEqual([
      { file: 'config/x.yaml', message: `cannot read the file (ELOOP: too many symbolic links encountered, open '${link}'); expected a readable YAML file` },
    ]);
  });

  // The tests run as root, whom no file mode stops: the error is the one Node raises when the user may not read the file.
  test.each([
    ['EACCES', 'permission denied', -13],
    ['EPERM', 'operation not permitted', -1],
  ])('%s is "permission denied"', (code, reason, errno) => {
    const file = path.join(dir, 'locked.yaml');
    const denied = Object.assign(new Error(`${code}: ${reason}, open '${file}'`), { code, errno, syscall: 'open', path: file });
    // The module object itself (the `import * as` namespace only forwards to it).
    const spy = jest.spyOn(jest.requireActual<typeof fs>('fs'), 'readFileSync').mockImplementation(() => {
      throw denied;
    });
    try {
      expect(problemsReading(file)).toEqual([{ file: 'config/x.yaml', message: 'cannot read the file (permission denied); expected a readable YAML file' }]);
      expect(spy).toHaveBeenCalledWith(file);
    } finally {
      spy.mockRestore();
    }
  });
});

test.each([
  ['a list', '- a\n- b\n'],
  ['a number', '3\n'],
  ['a boolean', 'true\n'],
])('a top level that is not a mapping: %s', (found, text) => {
  expect(problems(text)).toEqual([{ file: 'config/x.yaml', line: 1, message: `found ${found}; expected a YAML mapping of keys to values` }]);
});

describe('a key that is not a plain scalar is refused (the parser would turn it into a string such as "[ a, b ]")', () => {
  test.each([
    ['a list', 'tags:\n  ? [a, b]\n  : x\n'],
    ['a mapping', 'tags:\n  ? {a: 1}\n  : x\n'],
    ['the YAML alias *k', 'tags:\n  &k a: x\n  *k : y\n'],
  ])('%s', (found, text) => {
    expect(problems(text)).toEqual([{ file: 'config/x.yaml', line: found.includes('alias') ? 3 : 2, message: `found ${found} used as a key; expected a plain key (a name)` }]);
  });

  test.each([
    ['nothing before the colon', 'tags:\n  a: 1\n  : x\n', 3],
    ['an explicit empty key', '? \n: y\n', 1],
    ['~', 'tags:\n  ~: x\n', 2],
    ['null', 'null: x\n', 1],
  ])("an empty key (%s: YAML's null, which JavaScript reads as \"\") is refused at its line", (_, text, line) => {
    expect(problems(text)).toEqual([{ file: 'config/x.yaml', line, message: 'found an empty key (nothing, ~ or null before the colon); expected a plain key (a name)' }]);
  });

  test('the quoted empty key "" is a key like any other (the schema then names it as unknown, at its line)', () => {
    const layer = read('"": x\n');
    expect([layer.value, [...layer.lines]]).toEqual([{ '': 'x' }, [['', 1]]]);
  });

  test('plain keys of every scalar style are fine', () => {
    expect(read('tags:\n  "quoted": a\n  \'single\': b\n  plain: c\n  1: d\n').value).toEqual({ tags: { quoted: 'a', single: 'b', plain: 'c', 1: 'd' } });
  });
});

describe('aliases', () => {
  test('an alias of a node it is not part of expands to a copy', () => {
    expect(read('a: &x {k: [1]}\nb: [*x]\n').value).toEqual({ a: { k: [1] }, b: [{ k: [1] }] });
  });

  test('an alias deep inside the node it refers to is a cycle, at the alias\'s line', () => {
    expect(problems('a: &a\n  b:\n    - c\n    - *a\n')).toEqual([
      { file: 'config/x.yaml', line: 4, message: 'YAML alias *a is inside the node &a it refers to (a cycle); expected an alias of a node it is not part of' },
    ]);
  });

  test('an alias after the node it refers to, in the same list, is no cycle', () => {
    expect(read('a: [&x [1], *x]\n').value).toEqual({ a: [[1], [1]] });
  });
});
