import * as path from 'path';
import { runEntryInProcess } from './support/entry-in-process';

// host/fetch-secrets/main.ts, the entry of fetch-secrets.js, in this process: it runs the
// program on argv, prints its lines and exits with its code. (The bundled program as a
// child process: fetch-secrets.test.ts.)

// Loading the entry runs it (once per load: jest.isolateModules).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const entry = () => require('../../host/fetch-secrets/main');
const RUN = path.resolve(__dirname, '../../host/fetch-secrets/run.ts');
const saved = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
afterEach(() => {
  if (saved === undefined) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  else process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = saved;
});

const ran = (result: { out: string[]; err: string[]; code: number }) => (doMock: typeof jest.doMock) =>
  doMock(RUN, () => ({ runFetchSecrets: jest.fn(async () => result) }));

test('a usage error of the real program: nothing on stdout, its FAILED line on stderr, its exit code', async () => {
  const r = await runEntryInProcess(entry, ['--bogus']);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^openclaw-secrets: FAILED [^\n]*--bogus[^\n]*\n$/);
  expect(r.code).toBe(2);
});

test('the lines of a run are printed whole, one per line, each stream ending with a newline; the code is the exit code', async () => {
  expect(await runEntryInProcess(entry, [], ran({ out: ['o1', 'o2'], err: ['e1', 'e2'], code: 7 }))).toEqual({ code: 7, stdout: 'o1\no2\n', stderr: 'e1\ne2\n' });
});

test('a stream with no lines gets nothing (not an empty line)', async () => {
  expect(await runEntryInProcess(entry, [], ran({ out: [], err: [], code: 0 }))).toEqual({ code: 0, stdout: '', stderr: '' });
});

test("the AWS SDK's notice about the Node version is switched off before the program runs", async () => {
  delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  let seen: string | undefined;
  await runEntryInProcess(entry, [], (doMock) =>
    doMock(RUN, () => ({
      runFetchSecrets: jest.fn(async () => {
        seen = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
        return { out: [], err: [], code: 0 };
      }),
    })),
  );
  expect(seen).toBe('true');
});

test('argv without node and the script is what the program gets', async () => {
  const run = jest.fn(async () => ({ out: [], err: [], code: 0 }));
  await runEntryInProcess(entry, ['--manifest', '/m.json', '--refresh'], (doMock) => doMock(RUN, () => ({ runFetchSecrets: run })));
  expect(run.mock.calls).toEqual([[['--manifest', '/m.json', '--refresh']]]);
});
