import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { restoreAgentPattern, restoreAgentScript } from '../../lib/spend/restore-agent-document';
import { readCalls, recorder, runAsync } from '../host-runtime/support/runtime-tools';

// The restore-agent document's script (lib/spend/restore-agent-document.ts), run for
// real with bash as SSM runs it ({{ agent }} replaced by the parameter's value), with a
// breaker folder of the test's own and a stand-in systemctl that records its calls.
// What the breaker then does with .restored is tested in spend-meter-breaker.test.ts.

const IDS = ['ops', 'support'];

let dir: string;
let breaker: string;
let calls: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'restore-agent-'));
  breaker = path.join(dir, 'breaker');
  fs.mkdirSync(breaker, { mode: 0o700 });
  calls = path.join(dir, 'calls');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the script for `agent`; `systemctlBody` is what the stand-in does after recording (by its first argument). */
async function restore(agent: string, systemctlBody = 'exit 0') {
  const systemctl = recorder(path.join(dir, 'systemctl'), calls, systemctlBody);
  const script = restoreAgentScript(IDS, breaker, systemctl).join('\n').replaceAll('{{ agent }}', agent);
  return runAsync('bash', ['-c', script], { timeoutMs: 20_000 });
}

const marker = (id: string) => path.join(breaker, `${id}.tripped`);
const restoredFile = (id: string) => path.join(breaker, `${id}.restored`);
const START = (id: string) => [
  ['reset-failed', `openclaw-gateway@${id}.service`],
  ['start', `openclaw-gateway@${id}.service`],
];

test('a tripped gateway: its marker printed, reason first, then removed; <id>.restored written 0600 with the UTC time; its unit reset and started', async () => {
  const doc = { reason: 'model-daily-usd', figure: 2.1, limit: 2 };
  fs.writeFileSync(marker('support'), `${JSON.stringify(doc)}\n`, { mode: 0o600 });
  fs.writeFileSync(marker('ops'), '{"reason":"tool-calls-5min"}', { mode: 0o600 });
  const before = Math.floor(Date.now() / 1000);
  const r = await restore('support');
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(r.stdout).toBe(`restore-agent: gateway support restored (it had tripped: model-daily-usd; its marker was: ${JSON.stringify(doc)})\n`);
  expect(fs.existsSync(marker('support'))).toBe(false);
  expect(fs.existsSync(marker('ops'))).toBe(true); // another gateway's marker is left alone
  const written = fs.readFileSync(restoredFile('support'), 'utf8');
  expect(written).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\n$/);
  const at = Date.parse(written.trim()) / 1000;
  expect(at).toBeGreaterThanOrEqual(before - 1);
  expect(at).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  expect(fs.statSync(restoredFile('support')).mode & 0o777).toBe(0o600);
  expect(fs.existsSync(restoredFile('ops'))).toBe(false);
  expect(readCalls(calls)).toEqual(START('support'));
});

test('a marker without a reason says unknown; a marker over 2 KiB is printed cut at 2048 bytes, on one line', async () => {
  const long = `{"note":"${'x'.repeat(3000)}"}\n{"second":"line"}`;
  fs.writeFileSync(marker('ops'), long, { mode: 0o600 });
  const r = await restore('ops');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`restore-agent: gateway ops restored (it had tripped: unknown; its marker was: ${long.slice(0, 2048)})\n`);
  fs.writeFileSync(marker('ops'), '{"reason":"blocked"}\n{"x":1}\n', { mode: 0o600 });
  const two = await restore('ops');
  expect(two.stdout).toBe('restore-agent: gateway ops restored (it had tripped: blocked; its marker was: {"reason":"blocked"}{"x":1})\n');
});

test('a gateway that had not tripped: no .restored, its unit reset and started all the same', async () => {
  const r = await restore('ops');
  expect(r).toMatchObject({ code: 0, stdout: 'restore-agent: gateway ops had not tripped; starting it\n', stderr: '' });
  expect(fs.readdirSync(breaker)).toEqual([]);
  expect(readCalls(calls)).toEqual(START('ops'));
});

test('reset-failed failing (a unit that had not failed) does not stop the start; a start that fails fails the command', async () => {
  const failReset = await restore('ops', '[ "$1" = reset-failed ] && exit 1; exit 0');
  expect(failReset.code).toBe(0);
  expect(readCalls(calls)).toEqual(START('ops'));
  fs.rmSync(calls);
  const failStart = await restore('ops', '[ "$1" = start ] && exit 5; exit 0');
  expect(failStart.code).toBe(5);
  expect(readCalls(calls)).toEqual(START('ops'));
});

test('an id that is not a gateway of this host: exit 2, the gateways named, nothing touched', async () => {
  fs.writeFileSync(marker('ops'), '{}', { mode: 0o600 });
  for (const bad of ['ops; rm -rf /', '../ops', 'OPS', 'opsx', '']) {
    const r = await restore(bad);
    expect({ bad, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ bad, code: 2, stdout: '', stderr: `restore-agent: no gateway '${bad}' on this host (gateways: ops, support)\n` });
  }
  expect(fs.readdirSync(breaker)).toEqual(['ops.tripped']);
  expect(readCalls(calls)).toEqual([]);
});

test("the script's first lines: strict bash, the parameter quoted once, the id checked against the list", () => {
  expect(restoreAgentScript(IDS, '/b', 'sc').slice(0, 4)).toEqual([
    'set -euo pipefail',
    "id='{{ agent }}'",
    `case "$id" in ops|support) ;; *) echo "restore-agent: no gateway '$id' on this host (gateways: ops, support)" >&2; exit 2 ;; esac`,
    "dir='/b'",
  ]);
  expect(restoreAgentScript(IDS).slice(-2)).toEqual(['systemctl reset-failed "openclaw-gateway@$id.service" || true', 'systemctl start "openclaw-gateway@$id.service"']);
});

describe('restoreAgentPattern', () => {
  test('exactly one of the ids, anchored', () => {
    expect(restoreAgentPattern(['ops'])).toBe('^(ops)$');
    expect(restoreAgentPattern(['ops', 'support', 'a_1-b'])).toBe('^(ops|support|a_1-b)$');
  });

  test.each<[string, string[]]>([
    ['no ids', []],
    ['an id with a capital', ['ops', 'Support']],
    ['an id with a regex character', ['ops|x']],
    ['an id starting with a dash', ['-ops']],
    ['an id starting with an underscore', ['_ops']],
    ['an empty id', ['']],
    ['an id with a dot', ['o.ps']],
    ['an id with a newline after it', ['ops\n']],
  ])('refused: %s', (_what, ids) => {
    expect(() => restoreAgentPattern(ids)).toThrow(`restore-agent: gateway ids must match [a-z0-9][a-z0-9_-]* (got ${ids.join(', ')})`);
  });

  test('the script refuses what the pattern refuses, before writing a line', () => {
    expect(() => restoreAgentScript(['ops', 'x y'])).toThrow('restore-agent: gateway ids must match [a-z0-9][a-z0-9_-]* (got ops, x y)');
  });
});
