import { DEFAULT_OPTIONS, parseOptions } from '../../scripts/bench-load';

// The command line of `npm run bench:load` (scripts/bench-load.ts): options and their defaults
// only; the benchmark itself runs no load here (benchmarks are not tests).

test('no option: 30 s runs, 50 connections, 10,000 viewers, a good user at 4/s, the config\'s connection limit, every part, nginx as production runs it', () => {
  expect(parseOptions([])).toEqual({
    quick: false,
    duration: 30,
    connections: 50,
    viewers: 10_000,
    goodRate: 4,
    hostConnections: null,
    sections: [1, 2, 3, 4, 5],
    workers: 'auto',
    startTimeout: 300,
    help: false,
  });
  expect(parseOptions([])).toEqual(DEFAULT_OPTIONS);
});

test('--quick: 5 s runs, 20 connections, 2,000 viewers, part 4 against a 100-connection limit; the rest as without it', () => {
  expect(parseOptions(['--quick'])).toEqual({ ...DEFAULT_OPTIONS, quick: true, duration: 5, connections: 20, viewers: 2_000, hostConnections: 100 });
});

test('every option, with and without --quick: a flag given wins over the defaults of both', () => {
  const argv = ['--duration', '60', '--connections', '100', '--viewers', '20000', '--good-rate', '2.5', '--host-connections', '2000', '--sections', '4,2,2', '--workers', '2', '--start-timeout', '600'];
  const want = { duration: 60, connections: 100, viewers: 20_000, goodRate: 2.5, hostConnections: 2000, sections: [2, 4], workers: 2, startTimeout: 600, help: false };
  expect(parseOptions(argv)).toEqual({ ...want, quick: false });
  expect(parseOptions(['--quick', ...argv])).toEqual({ ...want, quick: true });
  expect(parseOptions(['--duration=10', '--sections=5'])).toMatchObject({ duration: 10, sections: [5] });
});

test('--host-connections config: the config\'s limit, also under --quick; --workers auto; --help', () => {
  expect(parseOptions(['--quick', '--host-connections', 'config']).hostConnections).toBeNull();
  expect(parseOptions(['--workers', '3', '--workers', 'auto']).workers).toBe('auto');
  expect(parseOptions(['-h']).help).toBe(true);
});

test.each([
  [['--duration', '0'], '--duration must be a positive whole number (got "0")'],
  [['--duration', 'ten'], '--duration must be a positive whole number (got "ten")'],
  [['--connections', '1.5'], '--connections must be a positive whole number (got "1.5")'],
  [['--viewers=-5'], '--viewers must be a positive whole number (got "-5")'],
  [['--good-rate', '0'], '--good-rate must be a positive number (got "0")'],
  [['--host-connections', 'all'], '--host-connections must be a positive whole number (got "all")'],
  [['--workers', '0'], '--workers must be a positive whole number (got "0")'],
  [['--sections', '1,6'], '--sections takes parts 1 to 5, comma-separated (got "1,6")'],
  [['--sections', ''], '--sections takes parts 1 to 5, comma-separated (got "")'],
  [['--fast'], "Unknown option '--fast'"],
  [['--duration'], "Option '--duration <value>' argument missing"],
  [['extra'], "Unexpected argument 'extra'"],
])('%j is refused: %s', (argv, message) => {
  expect(() => parseOptions(argv)).toThrow(`npm run bench:load: `);
  expect(() => parseOptions(argv)).toThrow(message);
});
