/**
 * The command-line reader shared by the host programs (host/shared/strict-args.ts), on its own:
 * each program's args test proves its own options; this pins the shared refusals and the
 * whole-number option, a required one included (only gateway-probe has those today).
 */
import { integerOption, strictArgs, type StrictOptions } from '../../host/shared/strict-args';

class UsageError extends Error {}
const fail = (message: string) => new UsageError(message);
const OPTIONS: StrictOptions = { manifest: { type: 'string' }, refresh: { type: 'boolean' } };

describe('strictArgs', () => {
  it('gives the values of known options, a flag as true and an absent option as absent', () => {
    expect(strictArgs(['--manifest', '/m.json', '--refresh'], OPTIONS, fail)).toEqual({ manifest: '/m.json', refresh: true });
    expect(strictArgs([], OPTIONS, fail)).toEqual({});
  });

  it.each([
    ['an unknown option', ['--bogus'], "Unknown option '--bogus'"],
    ['a positional argument', ['extra'], "Unexpected argument 'extra'"],
    ['a string option without its value', ['--manifest'], "Option '--manifest <value>' argument missing"],
    ['a value given to a flag', ['--refresh=yes'], "Option '--refresh' does not take an argument"],
  ])('refuses %s through the program\'s own error, with only the first line of Node\'s message', (_what, argv, start) => {
    let thrown: unknown;
    try {
      strictArgs(argv, OPTIONS, fail);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as Error).message.startsWith(start)).toBe(true);
    expect((thrown as Error).message).not.toContain('\n');
  });
});

describe('integerOption', () => {
  const int = (raw: string | undefined, fallback?: number) => integerOption('port', raw, fallback, 1, 65_535, fail);

  it('the fallback when absent; a required option (no fallback) absent is refused, naming it', () => {
    expect(int(undefined, 8080)).toBe(8080);
    expect(int(undefined, 0)).toBe(0);
    expect(() => int(undefined)).toThrow(new UsageError('--port is required'));
    expect(() => int(undefined)).toThrow(UsageError);
  });

  it('a whole number from min to max, both included', () => {
    expect(int('1')).toBe(1);
    expect(int('65535')).toBe(65_535);
    expect(int('0443')).toBe(443);
  });

  it.each(['0', '65536', '-1', '1.5', '1e3', ' 80', '80 ', '0x50', '', 'eighty'])('refuses %j, naming the option, the range and what it got', (raw) => {
    expect(() => int(raw, 8080)).toThrow(new UsageError(`--port: expected an integer from 1 to 65535 (got "${raw}")`));
  });
});
