import { parseUnit, unitList, unitValue } from '../../lib/host/unit-file';

// lib/host/unit-file.ts: a unit file read the way systemd reads it.

describe('parseUnit, unitList, unitValue (as systemd reads a unit)', () => {
  const text = ['# comment', '; comment too', '', '[Unit]', 'A = 1 ', '[Service]', '  B=x y \\', '  z', 'B=w', 'C=', 'A=2', 'A=3', 'D=k=v'].join('\n');
  const e = parseUnit(text);

  test('sections, trimmed keys and values, comments and blank lines skipped, continuation joined, line numbers of the first line', () => {
    expect(e).toEqual([
      { section: 'Unit', key: 'A', value: '1', line: 5 },
      { section: 'Service', key: 'B', value: 'x y  z', line: 7 },
      { section: 'Service', key: 'B', value: 'w', line: 9 },
      { section: 'Service', key: 'C', value: '', line: 10 },
      { section: 'Service', key: 'A', value: '2', line: 11 },
      { section: 'Service', key: 'A', value: '3', line: 12 },
      { section: 'Service', key: 'D', value: 'k=v', line: 13 },
    ]);
  });

  test('a setting before any section header has the empty section', () => {
    expect(parseUnit('A=1\n[S]\nB=2')).toEqual([
      { section: '', key: 'A', value: '1', line: 1 },
      { section: 'S', key: 'B', value: '2', line: 3 },
    ]);
  });

  test('each line is trimmed first: an indented header or comment, a blank-only line, a backslash before trailing blanks', () => {
    expect(parseUnit('  [S]  \n  # c\n \t\n\t; c\nA=b \\  \n c')).toEqual([{ section: 'S', key: 'A', value: 'b  c', line: 5 }]);
  });

  test('a trailing backslash on the last line is kept', () => {
    expect(parseUnit('[S]\nA=b\\')).toEqual([{ section: 'S', key: 'A', value: 'b\\', line: 2 }]);
  });

  test('a section header is a whole line in brackets; brackets in a value are the value', () => {
    expect(parseUnit('[S]\nA=[x]\nB=1')).toEqual([
      { section: 'S', key: 'A', value: '[x]', line: 2 },
      { section: 'S', key: 'B', value: '1', line: 3 },
    ]);
    expect(() => parseUnit('[S]\nx[T]')).toThrow(new Error('unit line 2: expected Key=value, got "x[T]"'));
    expect(() => parseUnit('[S]\n[T] x')).toThrow(new Error('unit line 2: expected Key=value, got "[T] x"'));
    expect(() => parseUnit('[]')).toThrow(new Error('unit line 1: expected Key=value, got "[]"'));
  });

  test('refuses a line that is not Key=value, naming it', () => {
    expect(() => parseUnit('[Unit]\n\nnot a setting')).toThrow(new Error('unit line 3: expected Key=value, got "not a setting"'));
    expect(() => parseUnit('=value')).toThrow(new Error('unit line 1: expected Key=value, got "=value"'));
    expect(() => parseUnit('[Unit')).toThrow(new Error('unit line 1: expected Key=value, got "[Unit"'));
  });

  test('unitList: assignments of the section and key accumulate, split on white space; an empty one resets', () => {
    expect(unitList(e, 'Service', 'B')).toEqual(['x', 'y', 'z', 'w']);
    expect(unitList(parseUnit('[S]\nL=a b\nL=\nL=c\n[T]\nL=d\n[S]\nM=e'), 'S', 'L')).toEqual(['c']);
    expect(unitList(e, 'Service', 'C')).toEqual([]);
    expect(unitList(e, 'Nowhere', 'B')).toEqual([]);
  });

  test('unitValue: the last assignment of the section and key, undefined when none', () => {
    expect(unitValue(e, 'Service', 'A')).toBe('3');
    expect(unitValue(e, 'Unit', 'A')).toBe('1');
    expect(unitValue(e, 'Unit', 'B')).toBeUndefined();
  });
});
