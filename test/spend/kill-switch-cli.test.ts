import * as path from 'path';
import { runAsync } from '../host-runtime/support/runtime-tools';
import { REPO_ROOT } from '../support/config-fixture';
import { startFakeServer, type FakeAnswer, type ReceivedRequest } from '../support/fake-aws/server';

// npm run kill / restore, run for real (tsx) against a stand-in Lambda endpoint on loopback:
// they invoke <name>-kill-switch synchronously with exactly what the handler accepts.

const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const SCRIPT = path.join(REPO_ROOT, 'scripts', 'kill-switch.ts');
const FUNCTION_PATH = '/2015-03-31/functions/openclaw-example-dev-kill-switch/invocations';

let answer: (req: ReceivedRequest) => FakeAnswer;
let requests: ReceivedRequest[];
let server: Awaited<ReturnType<typeof startFakeServer>>;

beforeAll(async () => {
  server = await startFakeServer((req) => {
    requests.push(req);
    return answer(req);
  });
});
afterAll(() => server.close());
beforeEach(() => {
  requests = [];
  answer = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'kill', instances: [{ id: 'i-0abc', result: 'stopped' }] }) });
});

const run = (args: string[]) =>
  runAsync(TSX, [SCRIPT, ...args], {
    cwd: REPO_ROOT,
    timeoutMs: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL_LAMBDA: server.endpoint,
      AWS_ACCESS_KEY_ID: 'test-access-key-id',
      AWS_SECRET_ACCESS_KEY: 'test-secret-not-real',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });

test('kill invokes the kill switch of the client x environment synchronously, with action, reason and who asked', async () => {
  const r = await run(['--action', 'kill', '--client', 'example', '--env', 'dev', '--reason', 'runaway agent', '--requested-by', 'oncall@example.com']);
  expect(r.code).toBe(0);
  expect(requests).toHaveLength(1);
  expect(requests[0]!.method).toBe('POST');
  expect(requests[0]!.url).toBe(FUNCTION_PATH);
  expect(requests[0]!.headers['x-amz-invocation-type']).toBe('RequestResponse');
  expect(String(requests[0]!.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=test-access-key-id\/\d{8}\/eu-west-1\/lambda\/aws4_request/);
  expect(JSON.parse(requests[0]!.body.toString('utf8'))).toEqual({ action: 'kill', reason: 'runaway agent', requestedBy: 'oncall@example.com' });
  expect(JSON.parse(r.stdout)).toEqual({ action: 'kill', instances: [{ id: 'i-0abc', result: 'stopped' }] });
  expect(r.stderr).toContain('kill-switch: kill of openclaw-example-dev-kill-switch in eu-west-1 (account 123456789012)');
});

test('restore and a dry run send their action and flag; status needs no reason', async () => {
  expect((await run(['--action', 'restore', '--client', 'example', '--env', 'dev', '--reason', 'reviewed', '--requested-by', 'me'])).code).toBe(0);
  expect((await run(['--action', 'kill', '--client', 'example', '--env', 'dev', '--reason', 'rehearsal', '--requested-by', 'me', '--dry-run'])).code).toBe(0);
  expect((await run(['--action', 'kill', '--client', 'example', '--env', 'dev', '--status', '--requested-by', 'me'])).code).toBe(0);
  expect(requests.map((q) => JSON.parse(q.body.toString('utf8')))).toEqual([
    { action: 'restore', reason: 'reviewed', requestedBy: 'me' },
    { action: 'kill', reason: 'rehearsal', requestedBy: 'me', dryRun: true },
    { action: 'status', reason: 'status request', requestedBy: 'me' },
  ]);
});

test('an incomplete kill reported by the function exits 1 with its message', async () => {
  answer = () => ({
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' },
    body: JSON.stringify({ errorType: 'KillSwitchError', errorMessage: 'kill switch kill incomplete: stop i-0abc' }),
  });
  const r = await run(['--action', 'kill', '--client', 'example', '--env', 'dev', '--reason', 'x', '--requested-by', 'me']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('kill-switch: the kill switch reports an incomplete kill: kill switch kill incomplete: stop i-0abc');
});

test('no reason, an unknown option or an unknown client: refused before any call', async () => {
  const noReason = await run(['--action', 'kill', '--client', 'example', '--env', 'dev']);
  expect(noReason.code).toBe(2);
  expect(noReason.stderr).toMatch(/--reason is required/);
  expect((await run(['--action', 'kill', '--client', 'example', '--env', 'dev', '--reason', 'x', '--force'])).code).toBe(2);
  const unknown = await run(['--action', 'kill', '--client', 'nope', '--env', 'dev', '--reason', 'x']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/nope/);
  expect(requests).toEqual([]);
});
