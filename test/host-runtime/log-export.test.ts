import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { exampleConfig } from '../host/support/host-tools';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import { GATEWAY_LOG_COPY_FILE, JOURNAL_EXPORT_FILE } from '../../lib/host/cloudwatch-agent';
import { HOST_PATHS } from '../../lib/host/paths';
import { journalExportUnits } from '../../lib/host/unit-names';
import { CONFIG_DIR } from '../support/config-fixture';
import {
  fileAttributes,
  removeAppendOnlyTree,
  requireAppendOnly,
  requireRootForRuntime,
  requireRuntimeTool,
  runAsync,
  tempDir,
  writeExecutable,
} from './support/runtime-tools';

// The rendered export-logs.sh, run for real as root (it is root on the host, in
// openclaw-log-export.service) against a temporary layout: a gateway log folder
// owned by the gateway user (`nobody` here, openclaw on the host), the audit
// copies, its state folder, and a stand-in journalctl on PATH that records its
// arguments and prints the entries a test queued (the real journalctl is run
// once too, on an empty journal, to prove it takes the same arguments).
// The files live on this machine's temporary filesystem, which must take the
// append-only attribute (ext4 here; xfs on Amazon Linux 2023).

const config = exampleConfig('prod');
const GATEWAY_USER = 'nobody';
const FIELDS = 'MESSAGE,PRIORITY,SYSLOG_IDENTIFIER,_SYSTEMD_UNIT,UNIT,_PID,_UID,_COMM,_EXE,_TRANSPORT,MESSAGE_ID,JOB_RESULT,EXIT_CODE,EXIT_STATUS';

let root: string;
let script: string;
let fakeJournalctl: string;
let gatewayUid: number;

beforeAll(() => {
  requireRootForRuntime('the log export test (the export runs as root; the gateway user is nobody)');
  for (const tool of ['bash', 'chattr', 'lsattr', 'journalctl', 'sha256sum'] as const) requireRuntimeTool(tool);
  gatewayUid = Number(execFileSync('id', ['-u', GATEWAY_USER], { encoding: 'utf8' }).trim());
  root = tempDir('oc-log-export-');
  requireAppendOnly(root);
  script = writeExecutable(path.join(root, 'export-logs.sh'), renderRuntimeFiles(config, CONFIG_DIR)['scripts/export-logs.sh']!);
  // Records its arguments; prints (then forgets) the queued entries; with none queued it exits
  // 1 without a word, as journalctl 252 does when nothing followed the cursor.
  fakeJournalctl = writeExecutable(
    path.join(root, 'bin', 'journalctl'),
    [
      '#!/usr/bin/env bash',
      '{ printf \'%s\' "$#"; for a in "$@"; do printf \'\\037%s\' "$a"; done; printf \'\\n\'; } >>"$FAKE_JOURNAL_CALLS"',
      'if [ -n "${FAKE_JOURNAL_STDERR:-}" ]; then echo "$FAKE_JOURNAL_STDERR" >&2; exit "${FAKE_JOURNAL_EXIT:-1}"; fi',
      'if [ ! -s "$FAKE_JOURNAL_NEW" ]; then exit 1; fi',
      'cat "$FAKE_JOURNAL_NEW"; : >"$FAKE_JOURNAL_NEW"',
      '',
    ].join('\n'),
  );
});
afterAll(() => removeAppendOnlyTree(root));

interface Layout {
  dir: string;
  gatewayDir: string;
  gatewayLog: string;
  audit: string;
  journalCopy: string;
  gatewayCopy: string;
  state: string;
  calls: string;
  queued: string;
}

/** A fresh host layout: the gateway's log folder (nobody 0750), the audit folder (root 0700), the state folder. */
function layout(): Layout {
  const dir = fs.mkdtempSync(path.join(root, 'case-'));
  const gatewayDir = path.join(dir, 'var-log-openclaw');
  fs.mkdirSync(gatewayDir, { mode: 0o750 });
  fs.chownSync(gatewayDir, gatewayUid, gatewayUid);
  const audit = path.join(dir, 'var-log-openclaw-audit');
  fs.mkdirSync(audit, { mode: 0o700 });
  return {
    dir,
    gatewayDir,
    gatewayLog: path.join(gatewayDir, 'openclaw.log'),
    audit,
    journalCopy: path.join(audit, path.basename(JOURNAL_EXPORT_FILE)),
    gatewayCopy: path.join(audit, path.basename(GATEWAY_LOG_COPY_FILE)),
    state: path.join(dir, 'state'),
    calls: path.join(dir, 'journalctl-calls'),
    queued: path.join(dir, 'journal-new'),
  };
}

/** Appends to the gateway's log as OpenClaw would (a file of the gateway user, 0600). */
function gatewayWrites(l: Layout, text: string, file = l.gatewayLog) {
  fs.appendFileSync(file, text, { mode: 0o600 });
  fs.chownSync(file, gatewayUid, gatewayUid);
}
const queueJournal = (l: Layout, ...entries: object[]) => fs.appendFileSync(l.queued, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
const read = (f: string) => fs.readFileSync(f, 'utf8');
const journalCalls = (l: Layout) => (fs.existsSync(l.calls) ? read(l.calls).split('\n').filter(Boolean).map((x) => x.split('\x1f').slice(1)) : []);

async function exportLogs(l: Layout, env: Record<string, string> = {}) {
  const r = await runAsync(script, [], {
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      OPENCLAW_JOURNAL_EXPORT: l.journalCopy,
      OPENCLAW_GATEWAY_LOG_COPY: l.gatewayCopy,
      OPENCLAW_GATEWAY_LOG: l.gatewayLog,
      OPENCLAW_GATEWAY_USER: GATEWAY_USER,
      OPENCLAW_LOG_EXPORT_STATE_DIR: l.state,
      OPENCLAW_JOURNALCTL: fakeJournalctl,
      // The agent audit step (test/openclaw/audit-agent-turns.test.ts runs it for real): a Node that exports nothing.
      OPENCLAW_AGENT_AUDIT: path.join(path.dirname(l.journalCopy), 'agent-audit.jsonl'),
      OPENCLAW_NODE: '/bin/true',
      FAKE_JOURNAL_CALLS: l.calls,
      FAKE_JOURNAL_NEW: l.queued,
      ...env,
    },
    timeoutMs: 20_000,
  });
  return { ...r, err: r.stderr.split('\n').filter(Boolean) };
}

const meta = (f: string) => {
  const st = fs.lstatSync(f);
  return { uid: st.uid, mode: (st.mode & 0o7777).toString(8), attributes: fileAttributes(f).includes('a') ? 'append-only' : 'normal' };
};

test('the defaults on the host: the audit folder, the state folder, OpenClaw\'s log and the gateway user', () => {
  const text = fs.readFileSync(script, 'utf8');
  expect(text).toContain(`JOURNAL_COPY="\${OPENCLAW_JOURNAL_EXPORT:-${HOST_PATHS.auditLogDir}/journal.jsonl}"`);
  expect(text).toContain(`GATEWAY_COPY="\${OPENCLAW_GATEWAY_LOG_COPY:-${HOST_PATHS.auditLogDir}/gateway.jsonl}"`);
  expect(text).toContain(`GATEWAY_LOG="\${OPENCLAW_GATEWAY_LOG:-${HOST_PATHS.logDir}/openclaw.log}"`);
  expect(text).toContain(`GATEWAY_USER="\${OPENCLAW_GATEWAY_USER:-${HOST_PATHS.user}}"`);
  expect(text).toContain(`STATE="\${OPENCLAW_LOG_EXPORT_STATE_DIR:-${HOST_PATHS.logExportStateDir}}"`);
});

test('first run: both copies created root 0600 and append-only; the journal entries and the whole gateway log copied; quiet', async () => {
  const l = layout();
  gatewayWrites(l, '{"0":"gateway starting","time":"2026-11-21T08:00:00Z"}\n{"0":"agent ops: run started"}\n');
  queueJournal(l, { MESSAGE: 'openclaw-integrity: OK', _SYSTEMD_UNIT: 'openclaw-integrity.service' }, { MESSAGE: 'Started nginx', UNIT: 'nginx.service' });
  const r = await exportLogs(l);
  expect(r.stdout + r.stderr).toBe('');
  expect(r.code).toBe(0);
  for (const f of [l.journalCopy, l.gatewayCopy]) expect({ f, ...meta(f) }).toEqual({ f, uid: 0, mode: '600', attributes: 'append-only' });
  expect(read(l.gatewayCopy)).toBe(read(l.gatewayLog));
  expect(read(l.journalCopy).split('\n').filter(Boolean).map((x) => JSON.parse(x) as { MESSAGE: string }).map((e) => e.MESSAGE)).toEqual(['openclaw-integrity: OK', 'Started nginx']);
  expect(journalCalls(l)).toEqual([
    [`--cursor-file=${l.state}/journal.cursor`, '--output=json', `--output-fields=${FIELDS}`, '--no-pager', '--quiet', ...journalExportUnits(config).flatMap((u) => ['--unit', u])],
  ]);
});

test('later runs append only what is new: the journal after its cursor, the gateway log from where the copy stopped', async () => {
  const l = layout();
  gatewayWrites(l, 'one\n');
  queueJournal(l, { MESSAGE: 'a' });
  await exportLogs(l);
  gatewayWrites(l, 'two\nthree\n');
  queueJournal(l, { MESSAGE: 'b' });
  const r = await exportLogs(l);
  expect(r.stdout + r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(read(l.gatewayCopy)).toBe('one\ntwo\nthree\n');
  expect(read(l.journalCopy)).toBe('{"MESSAGE":"a"}\n{"MESSAGE":"b"}\n');
  // Nothing new anywhere: journalctl 252 exits 1 without a word, which is no failure; nothing appended.
  const quiet = await exportLogs(l);
  expect(quiet.stdout + quiet.stderr).toBe('');
  expect(quiet.code).toBe(0);
  expect(read(l.gatewayCopy)).toBe('one\ntwo\nthree\n');
  expect(read(l.journalCopy)).toBe('{"MESSAGE":"a"}\n{"MESSAGE":"b"}\n');
});

test('journalctl failing with a message: FAILED Journal, the gateway log still copied, exit 1', async () => {
  const l = layout();
  gatewayWrites(l, 'still copied\n');
  const r = await exportLogs(l, { FAKE_JOURNAL_STDERR: 'Failed to open journal: Permission denied\nsecond line', FAKE_JOURNAL_EXIT: '1' });
  expect(r.err).toEqual(['openclaw-log-export: FAILED Journal: journalctl exit 1: Failed to open journal: Permission denied second line']);
  expect(r.code).toBe(1);
  expect(read(l.gatewayCopy)).toBe('still copied\n');
});

test('the real journalctl (systemd 252, as on Amazon Linux 2023) takes these arguments; an empty journal is no failure', async () => {
  const l = layout();
  const empty = path.join(l.dir, 'empty-journal');
  fs.mkdirSync(empty);
  const real = writeExecutable(path.join(l.dir, 'journalctl'), `#!/bin/sh\nexec ${requireRuntimeTool('journalctl')} --directory=${empty} "$@"\n`);
  const r = await exportLogs(l, { OPENCLAW_JOURNALCTL: real });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(read(l.journalCopy)).toBe('');
  // A wrong argument would have been named.
  const bad = writeExecutable(path.join(l.dir, 'journalctl-bad'), `#!/bin/sh\nexec ${requireRuntimeTool('journalctl')} --directory=${empty} --no-such-option "$@"\n`);
  const b = await exportLogs(l, { OPENCLAW_JOURNALCTL: bad });
  expect(b.err).toEqual([expect.stringMatching(/^openclaw-log-export: FAILED Journal: journalctl exit 1: .*no-such-option/)]);
});

test('OpenClaw rotated its log (openclaw.log -> openclaw.1.log): the rest of the old file first, then the new one', async () => {
  const l = layout();
  gatewayWrites(l, 'a1\na2\n');
  await exportLogs(l);
  gatewayWrites(l, 'a3\n');
  fs.renameSync(l.gatewayLog, path.join(l.gatewayDir, 'openclaw.1.log'));
  gatewayWrites(l, 'b1\n');
  const r = await exportLogs(l);
  expect(r.stdout + r.stderr).toBe('');
  expect(read(l.gatewayCopy)).toBe('a1\na2\na3\nb1\n');
  gatewayWrites(l, 'b2\n');
  await exportLogs(l);
  expect(read(l.gatewayCopy)).toBe('a1\na2\na3\nb1\nb2\n');
});

test('a log truncated by the gateway: WARNING, the copy keeps what it had and takes the new content', async () => {
  const l = layout();
  gatewayWrites(l, 'agent ops ran: rm -rf /var/lib/openclaw/workspaces/ops/data\n');
  await exportLogs(l);
  fs.truncateSync(l.gatewayLog, 0);
  gatewayWrites(l, 'nothing to see\n');
  const r = await exportLogs(l);
  expect(r.err).toEqual([
    `openclaw-log-export: WARNING GatewayLogShrank: ${l.gatewayLog} shrank from 60 to 15 bytes since the last copy (truncated); the copy keeps the 60 bytes it had, and takes the file again from its start`,
  ]);
  expect(r.code).toBe(0);
  expect(read(l.gatewayCopy)).toBe('agent ops ran: rm -rf /var/lib/openclaw/workspaces/ops/data\nnothing to see\n');
});

test('a log rewritten in place (same size or longer): WARNING, the original kept, the rewritten one copied too', async () => {
  const l = layout();
  gatewayWrites(l, 'login from 203.0.113.9 refused\n');
  await exportLogs(l);
  fs.writeFileSync(l.gatewayLog, 'login from 198.51.100.1 is fine\nmore\n');
  const r = await exportLogs(l);
  expect(r.err).toEqual([
    `openclaw-log-export: WARNING GatewayLogRewritten: the bytes of ${l.gatewayLog} before byte 31 changed since the last copy (rewritten in place); the copy keeps what it had, and takes the file again from its start`,
  ]);
  expect(read(l.gatewayCopy)).toBe('login from 203.0.113.9 refused\nlogin from 198.51.100.1 is fine\nmore\n');
});

test('a log deleted by the gateway: WARNING; a new one is copied from its start', async () => {
  const l = layout();
  gatewayWrites(l, 'before\n');
  await exportLogs(l);
  fs.rmSync(l.gatewayLog);
  const gone = await exportLogs(l);
  expect(gone.err).toEqual([
    `openclaw-log-export: WARNING GatewayLogVanished: ${l.gatewayLog} (copied up to byte 7) was deleted or replaced, not rotated: what it gained after the last copy is not in ${l.gatewayCopy}`,
  ]);
  expect(gone.code).toBe(0);
  gatewayWrites(l, 'after\n');
  const again = await exportLogs(l);
  expect(again.stdout + again.stderr).toBe('');
  expect(read(l.gatewayCopy)).toBe('before\nafter\n');
});

test('a symlink in place of the log, or a file the gateway user does not own: refused, nothing of it copied', async () => {
  const l = layout();
  const secret = path.join(l.dir, 'root-only');
  fs.writeFileSync(secret, 'origin-verify value, root 0600\n', { mode: 0o600 });
  fs.symlinkSync(secret, l.gatewayLog);
  const r = await exportLogs(l);
  expect(r.err).toEqual([`openclaw-log-export: FAILED GatewayLog: ${l.gatewayLog} is not a regular file (a symlink or something else): not copied`]);
  expect(r.code).toBe(1);
  expect(read(l.gatewayCopy)).toBe('');
  fs.rmSync(l.gatewayLog);
  fs.writeFileSync(l.gatewayLog, 'a root file put here\n');
  const other = await exportLogs(l);
  expect(other.err).toEqual([`openclaw-log-export: FAILED GatewayLog: ${l.gatewayLog} is not a regular file of ${GATEWAY_USER} (owner uid 0): not copied`]);
  expect(read(l.gatewayCopy)).toBe('');
});

test('the copies rotate past the size limit, keeping the given number of archives, each append-only', async () => {
  const l = layout();
  const env = { OPENCLAW_LOG_EXPORT_MAX_BYTES: '20', OPENCLAW_LOG_EXPORT_KEEP: '2' };
  for (const n of [1, 2, 3, 4]) {
    gatewayWrites(l, `record number ${n} of 25\n`);
    expect((await exportLogs(l, env)).code).toBe(0);
  }
  expect(fs.readdirSync(l.audit).filter((f) => f.startsWith('gateway')).sort()).toEqual(['gateway.jsonl', 'gateway.jsonl.1', 'gateway.jsonl.2']);
  expect(read(l.gatewayCopy)).toBe('record number 4 of 25\n');
  expect(read(`${l.gatewayCopy}.1`)).toBe('record number 3 of 25\n');
  expect(read(`${l.gatewayCopy}.2`)).toBe('record number 2 of 25\n');
  for (const f of ['gateway.jsonl', 'gateway.jsonl.1', 'gateway.jsonl.2']) expect({ f, ...meta(path.join(l.audit, f)) }).toEqual({ f, uid: 0, mode: '600', attributes: 'append-only' });
});

test('a filesystem without the append-only attribute: FAILED AppendOnly, the copies still written, exit 1', async () => {
  const l = layout();
  const noChattr = writeExecutable(path.join(l.dir, 'chattr'), '#!/bin/sh\necho "chattr: Operation not supported while setting flags on $2" >&2\nexit 1\n');
  gatewayWrites(l, 'x\n');
  const r = await exportLogs(l, { OPENCLAW_CHATTR: noChattr });
  const agentAudit = path.join(path.dirname(l.journalCopy), 'agent-audit.jsonl');
  expect(r.err).toEqual([
    `openclaw-log-export: FAILED AppendOnly: cannot make ${l.journalCopy} append-only (chattr: Operation not supported while setting flags on ${l.journalCopy}); does its filesystem support chattr +a? It is still written`,
    `openclaw-log-export: FAILED AppendOnly: cannot make ${l.gatewayCopy} append-only (chattr: Operation not supported while setting flags on ${l.gatewayCopy}); does its filesystem support chattr +a? It is still written`,
    `openclaw-log-export: FAILED AppendOnly: cannot make ${agentAudit} append-only (chattr: Operation not supported while setting flags on ${agentAudit}); does its filesystem support chattr +a? It is still written`,
  ]);
  expect(r.code).toBe(1);
  expect(read(l.gatewayCopy)).toBe('x\n');
});

describe('one gateway per agent: each gateway of gateways.list, its own log, user, copy and position', () => {
  const uid = (user: string) => Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  /** <root>/<id>/openclaw.log written as `owner` (default: the gateway's own user). */
  function gatewayLogs(l: Layout, logs: Record<string, { text: string; owner: string }>) {
    const logRoot = path.join(l.dir, 'log-root');
    for (const [id, { text, owner }] of Object.entries(logs)) {
      const dir = path.join(logRoot, id);
      fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
      fs.appendFileSync(path.join(dir, 'openclaw.log'), text, { mode: 0o600 });
      fs.chownSync(path.join(dir, 'openclaw.log'), uid(owner), uid(owner));
    }
    const list = path.join(l.dir, 'gateways.list');
    fs.writeFileSync(list, 'ops openclaw-ops 18789 ops\nsupport openclaw-support 18790 support\n');
    return { OPENCLAW_GATEWAY_LOG: '', OPENCLAW_GATEWAYS_LIST: list, OPENCLAW_GATEWAY_LOG_ROOT: logRoot, OPENCLAW_AUDIT_LOG_DIR: l.audit };
  }

  test('two gateways: two copies, each only its own gateway\'s records; the next run appends only what is new', async () => {
    const l = layout();
    const env = gatewayLogs(l, { ops: { text: 'ops-1\n', owner: 'openclaw-ops' }, support: { text: 'support-1\n', owner: 'openclaw-support' } });
    const r = await exportLogs(l, env);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(read(path.join(l.audit, 'gateway-ops.jsonl'))).toBe('ops-1\n');
    expect(read(path.join(l.audit, 'gateway-support.jsonl'))).toBe('support-1\n');
    expect(meta(path.join(l.audit, 'gateway-support.jsonl'))).toEqual({ uid: 0, mode: '600', attributes: 'append-only' });
    fs.appendFileSync(path.join(env.OPENCLAW_GATEWAY_LOG_ROOT, 'support', 'openclaw.log'), 'support-2\n');
    expect((await exportLogs(l, env)).code).toBe(0);
    expect(read(path.join(l.audit, 'gateway-ops.jsonl'))).toBe('ops-1\n');
    expect(read(path.join(l.audit, 'gateway-support.jsonl'))).toBe('support-1\nsupport-2\n');
  });

  test('a gateway\'s log owned by another gateway\'s user is not copied, and the step fails naming it; the other gateway is copied', async () => {
    const l = layout();
    const env = gatewayLogs(l, { ops: { text: 'ops-1\n', owner: 'openclaw-ops' }, support: { text: 'forged\n', owner: 'openclaw-ops' } });
    const r = await exportLogs(l, env);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `openclaw-log-export: FAILED GatewayLog: ${env.OPENCLAW_GATEWAY_LOG_ROOT}/support/openclaw.log is not a regular file of openclaw-support (owner uid ${uid('openclaw-ops')}): not copied`,
    ]);
    expect(read(path.join(l.audit, 'gateway-ops.jsonl'))).toBe('ops-1\n');
    expect(read(path.join(l.audit, 'gateway-support.jsonl'))).toBe('');
  });
});
