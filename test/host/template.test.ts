import * as fs from 'fs';
import * as path from 'path';
import { braceGroups, checkTemplateParts, directoryUnder, fillTemplate, HOST_SOURCE_DIR, readHostSource, shellWordLines } from '../../lib/host/template';
import { REPO_ROOT } from '../support/config-fixture';

// lib/host/template.ts: the placeholder engine every host template shares, the checks of the
// values it substitutes, and the shapes of its list values. The values of a config: template-values
// (test/host/systemd-units.test.ts, hostTemplateValues).

describe('checkTemplateParts', () => {
  const ok = () => checkTemplateParts({ A: 'a/b.c_d:e+f=g@h-1' }, ['x/y-z.json'], { JS: 'console.log("x")' }, ['a_b.c@d-1.service', 'x.timer', 'y.socket', 'z.target']);
  test('accepts path, name and unit characters', () => {
    expect(ok).not.toThrow();
  });

  test.each([
    ['a value with a space', 'a b'],
    ['a value with a quote', 'a"b'],
    ['a value with $', 'a$b'],
    ['a bad first character', ' ab'],
    ['a bad last character', 'ab;'],
    ['an empty value', ''],
  ])('refuses %s', (_what, value) => {
    expect(() => checkTemplateParts({ NAME: value }, [], {}, [])).toThrow(`host template: unsafe value for @@NAME@@: ${JSON.stringify(value)}`);
  });

  test('refuses an unsafe bundle path', () => {
    expect(() => checkTemplateParts({}, ['ok/path', 'a b'], {}, [])).toThrow('host template: unsafe bundle path for @@BUNDLE_REQUIRED_FILES@@: "a b"');
    expect(() => checkTemplateParts({}, ['a,b'], {}, [])).toThrow('host template: unsafe bundle path for @@BUNDLE_REQUIRED_FILES@@: "a,b"');
  });

  test('refuses a node -e script with a single quote or a newline', () => {
    expect(() => checkTemplateParts({}, [], { S: "a'b" }, [])).toThrow('host template: S must be one line without single quotes');
    expect(() => checkTemplateParts({}, [], { T: 'a\nb' }, [])).toThrow('host template: T must be one line without single quotes');
  });

  test.each(['x.service ', ' x.service', 'x*.service', 'x.services', 'x.mount', '.service', 'x.service.d'])('refuses the unit name %j', (unit) => {
    expect(() => checkTemplateParts({}, [], {}, [unit])).toThrow(`host template: unsafe unit name for @@JOURNAL_UNITS@@: ${JSON.stringify(unit)}`);
  });
});

describe('directoryUnder (LogsDirectory=, StateDirectory=)', () => {
  test('the one folder name directly under the parent', () => {
    expect(directoryUnder('/var/log', '/var/log/openclaw-audit')).toBe('openclaw-audit');
    expect(directoryUnder('/var/lib', '/var/lib/a_b.c-1')).toBe('a_b.c-1');
  });

  test.each([
    ['/var/log/a/b', 'two levels down'],
    ['/var/lib/x', 'another parent'],
    ['/var/log', 'the parent itself'],
    ['/var/log/.hidden', 'a dot folder'],
    ['/var/log/a b', 'a space'],
  ])('refuses %s (%s)', (dir) => {
    expect(() => directoryUnder('/var/log', dir)).toThrow(`host template: ${dir} must be one folder directly under /var/log`);
  });
});

describe('braceGroups and shellWordLines (the installer\'s required-file list)', () => {
  test('one word per folder and extension, the common start before the brace, in first-seen order', () => {
    expect(braceGroups(['d/ab.x', 'e/only.y', 'd/ac.x', 'top', 'd/ad.z', 'top2.md', 'top3.md'])).toEqual([
      'd/a{b,c}.x',
      'e/only.y',
      'top',
      'd/ad.z',
      'top{2,3}.md',
    ]);
  });

  test('never an empty alternative: a stem that is the common start keeps one character inside the brace', () => {
    expect(braceGroups(['s/package.json', 's/package-lock.json'])).toEqual(['s/packag{e,e-lock}.json']);
    expect(braceGroups(['a.sh', 'b.sh'])).toEqual(['{a,b}.sh']);
  });

  test('paths of different folders with one extension stay apart (the folder is up to the last /)', () => {
    expect(braceGroups(['d/a.x', 'e/b.x'])).toEqual(['d/a.x', 'e/b.x']);
    expect(braceGroups(['dd/a.x', 'dd/b.x', 'ee/c.x'])).toEqual(['dd/{a,b}.x', 'ee/c.x']);
  });

  test('a name without a dot has no extension: the brace ends the word', () => {
    expect(braceGroups(['s/top', 's/tap'])).toEqual(['s/t{op,ap}']);
  });

  test('the common start ends at the first differing character, over every stem of the group', () => {
    expect(braceGroups(['d/abc.x', 'd/axc.x'])).toEqual(['d/a{bc,xc}.x']);
    expect(braceGroups(['d/abx.x', 'd/aby.x', 'd/abzz.x'])).toEqual(['d/ab{x,y,zz}.x']);
    expect(braceGroups(['d/ab.x', 'd/ac.x', 'd/a.x'])).toEqual(['d/{ab,ac,a}.x']);
  });

  test('wraps the words at 110 columns with ` \\` continuations', () => {
    const w = (n: number, c: string) => c.repeat(n);
    expect(shellWordLines([w(50, 'a'), w(59, 'b'), w(1, 'c')])).toBe(`${w(50, 'a')} ${w(59, 'b')} \\\n  c`);
    expect(shellWordLines([w(50, 'a'), w(60, 'b')])).toBe(`${w(50, 'a')} \\\n  ${w(60, 'b')}`);
    expect(shellWordLines(['x', 'y'], 3)).toBe('x y');
    expect(shellWordLines(['x', 'y'], 2)).toBe('x \\\n  y');
    expect(shellWordLines([])).toBe('');
    expect(shellWordLines(['xyz', 'w'], 2)).toBe('xyz \\\n  w');
  });
});

describe('fillTemplate', () => {
  test('replaces every @@NAME@@ (upper case, digits, underscore), leaves other text alone', () => {
    expect(fillTemplate('a=@@A_1@@ b=@@B@@ @@A_1@@ @@lower@@ @A@', { A_1: 'x', B: 'y' }, 'src')).toBe('a=x b=y x @@lower@@ @A@');
  });

  test('a value is inserted as is (no $ replacement patterns)', () => {
    expect(fillTemplate('@@A@@', { A: "$& $' $1" }, 'src')).toBe("$& $' $1");
  });

  test('refuses a placeholder without a value, naming each once, in order', () => {
    expect(() => fillTemplate('@@B@@ @@A@@ @@B@@ @@C@@', { C: 'c' }, 'host/x.service')).toThrow(new Error('host template host/x.service: no value for @@B@@, @@A@@'));
  });

  test('keeps the placeholders listed in `keep` for a later step', () => {
    expect(fillTemplate('@@K@@ @@A@@', { A: 'a' }, 'src', ['K'])).toBe('@@K@@ a');
    expect(fillTemplate('@@K@@', { K: 'v' }, 'src', ['K'])).toBe('@@K@@');
  });
});

test('the templates are read from the repo\'s host/ folder, as they are', () => {
  expect(HOST_SOURCE_DIR).toBe(path.join(REPO_ROOT, 'host'));
  expect(readHostSource('systemd/openclaw-gateway.service')).toBe(fs.readFileSync(path.join(REPO_ROOT, 'host', 'systemd', 'openclaw-gateway.service'), 'utf8'));
});
