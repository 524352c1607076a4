/**
 * Runs a host program's entry (host/<program>/main.ts) inside the jest process, as its
 * bundle runs it: argv, and process.exit, stdout and stderr watched instead of a child
 * process, so mutation testing can see its mutants (a child process runs unmutated code).
 * `mock` replaces modules first (by absolute path), to reach paths the real program cannot
 * take, such as a bug that escapes the run.
 */
import { settlesWithin } from '../../support/settles-within';

export interface EntryRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `load` requires the entry (`() => require('../../host/<program>/main')`): written in the test
 * file, so that jest (and mutation testing's related-test search) sees the test depends on it.
 */
export async function runEntryInProcess(
  load: () => unknown,
  argv: readonly string[],
  mock: (doMock: typeof jest.doMock) => void = () => undefined,
): Promise<EntryRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const savedArgv = process.argv;
  let exited!: (code: number) => void;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const spies = [
    jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      exited(code ?? 0);
      return undefined as never;
    }) as typeof process.exit),
    jest.spyOn(process.stdout, 'write').mockImplementation(((s: string) => stdout.push(s) > 0) as typeof process.stdout.write),
    jest.spyOn(process.stderr, 'write').mockImplementation(((s: string) => stderr.push(s) > 0) as typeof process.stderr.write),
  ];
  try {
    process.argv = [process.execPath, 'main.js', ...argv];
    jest.isolateModules(() => {
      mock(jest.doMock.bind(jest));
      load();
    });
    const code = await settlesWithin(exit, 10_000);
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    process.argv = savedArgv;
    for (const s of spies) s.mockRestore();
  }
}
