import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EGRESS_PROXY_DENIED_PATTERN } from '../../lib/alarms/gateway-alarms';
import { EGRESS_LOG_FORMAT_NAME, EGRESS_PROXY_PORT, EGRESS_PROXY_USER, egressLogGateway, parseEgressLogLine, renderEgressProxyConfig } from '../../lib/host/egress-proxy';
import { HOST_LOG_FILES } from '../../lib/host/log-files';
import { exampleConfig } from '../host/support/host-tools';
import { squidConfForTest } from '../host/support/squid-under-test';
import { termPatternMatches } from '../support/filter-pattern';

// The egress-blocked metric filter's pattern against REAL lines of the egress proxy's access log:
// Debian's squid runs the rendered squid.conf (only its log and pid paths moved into this test's
// folder) in a network and mount namespace this test creates (its own loopback, so port 3128 is
// free; its own /dev/shm for squid's shared memory; its own /etc/hosts naming one allowlisted
// host at 10.9.9.2, where a TCP listener stands in for the AWS endpoint). curl asks it for an
// allowlisted name (tunnelled: TCP_TUNNEL/200), a name off the list, a raw IP and plain HTTP
// (refused: TCP_DENIED/403). Every refusal matches the pattern, the allowed line does not.
// Everything the test starts lives in a PID namespace whose first process is that shell: when it
// ends (or is killed at the time limit) the kernel kills the rest. The folder is removed.

const SQUID = '/usr/sbin/squid';
const config = exampleConfig('prod');
const ALLOWED_HOST = `sts.${config.aws.region}.amazonaws.com`;

function realAccessLog(): string[] {
  for (const tool of [SQUID, 'unshare', 'ip', 'curl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is needed (.ci/install-host-tools.sh installs squid)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-squid-log-'));
  try {
    fs.chmodSync(dir, 0o755);
    const logDir = path.join(dir, 'log');
    fs.mkdirSync(logDir);
    spawnSync('chown', [`${EGRESS_PROXY_USER}:`, logDir]);
    const rendered = renderEgressProxyConfig(config);
    expect(rendered).toContain(`access_log stdio:${HOST_LOG_FILES.egressProxyAccess} ${EGRESS_LOG_FORMAT_NAME}`);
    // Only the log, core dump and pid paths change (the netns tests' own substitution).
    fs.writeFileSync(path.join(dir, 'squid.conf'), squidConfForTest(rendered, logDir));
    fs.writeFileSync(path.join(dir, 'hosts'), `127.0.0.1 localhost\n10.9.9.2 ${ALLOWED_HOST}\n`);
    const listener =
      "const s=require('net').createServer((c)=>setTimeout(()=>c.destroy(),200));s.listen(443,'10.9.9.2');setTimeout(()=>process.exit(0),40000);";
    const proxy = `http://127.0.0.1:${EGRESS_PROXY_PORT}`;
    const script = [
      'set -e',
      `mount --bind ${dir}/hosts /etc/hosts`,
      'mount -t tmpfs tmpfs /dev/shm',
      'ip link set lo up',
      'ip addr add 10.9.9.2/32 dev lo',
      `${JSON.stringify(process.execPath)} -e ${JSON.stringify(listener)} &`,
      'listener=$!',
      `${SQUID} -N -f ${dir}/squid.conf &`,
      'squid=$!',
      `for i in $(seq 100); do if (exec 3<>/dev/tcp/127.0.0.1/${EGRESS_PROXY_PORT}) 2>/dev/null; then break; fi; sleep 0.1; done`,
      `for url in https://${ALLOWED_HOST}/ https://example.com/ https://1.2.3.4/ http://${ALLOWED_HOST}/; do`,
      `  curl --silent --max-time 5 --output /dev/null --proxy ${proxy} "$url" || true`,
      'done',
      'kill -INT "$squid"; wait "$squid" || true',
      'kill "$listener"',
    ].join('\n');
    const r = spawnSync('unshare', ['--net', '--mount', '--pid', '--fork', 'sh', '-c', script], { encoding: 'utf8', timeout: 45_000, killSignal: 'SIGKILL' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    return fs.readFileSync(path.join(logDir, 'access.log'), 'utf8').split('\n').filter(Boolean);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let lines: string[];
beforeAll(() => {
  lines = realAccessLog();
}, 60_000);

test('squid logged one line per request, in its native format plus the port: the allowed CONNECT tunnelled, the other three refused', () => {
  const fields = lines.map((l) => l.split(/\s+/));
  expect(fields.map((f) => [f[3], f[5], f[6], f[10]])).toEqual([
    ['TCP_TUNNEL/200', 'CONNECT', `${ALLOWED_HOST}:443`, String(EGRESS_PROXY_PORT)],
    ['TCP_DENIED/403', 'CONNECT', 'example.com:443', String(EGRESS_PROXY_PORT)],
    ['TCP_DENIED/403', 'CONNECT', '1.2.3.4:443', String(EGRESS_PROXY_PORT)],
    ['TCP_DENIED/403', 'GET', `http://${ALLOWED_HOST}/`, String(EGRESS_PROXY_PORT)],
  ]);
  // squid's native format (squid.conf.documented, logformat squid) and the port the client connected to.
  for (const l of lines) expect(l).toMatch(/^\d+\.\d{3} +\d+ 127\.0\.0\.1 [A-Z_]+\/\d{3} \d+ [A-Z]+ \S+ - [A-Z_]+\/\S+ \S+ \d+$/);
  // The parser the breaker uses reads every real line, and attributes it to the host's own port.
  expect(lines.map((l) => [parseEgressLogLine(l)?.denied, egressLogGateway(l, config)])).toEqual([
    [false, null],
    [true, null],
    [true, null],
    [true, null],
  ]);
});

test('the pattern counts every refusal and not the allowed request', () => {
  expect(EGRESS_PROXY_DENIED_PATTERN).toBe('"TCP_DENIED/"');
  expect(lines.map((l) => termPatternMatches(EGRESS_PROXY_DENIED_PATTERN, l))).toEqual([false, true, true, true]);
});

test('the matcher: quoted and bare terms, all of them, case-sensitive substrings; other syntax is refused', () => {
  expect(termPatternMatches('"TCP_DENIED/"', 'x TCP_DENIED/403 y')).toBe(true);
  expect(termPatternMatches('"tcp_denied/"', 'x TCP_DENIED/403 y')).toBe(false);
  expect(termPatternMatches('TCP_DENIED CONNECT', 'TCP_DENIED/403 1 CONNECT a:443')).toBe(true);
  expect(termPatternMatches('TCP_DENIED GET', 'TCP_DENIED/403 1 CONNECT a:443')).toBe(false);
  for (const p of ['?TCP_DENIED', '-TCP_TUNNEL', '{ $.a = 1 }', '[a, b]', '%TCP_DENIED%', 'TCP_DENIED/', '']) {
    expect(() => termPatternMatches(p, 'TCP_DENIED/403')).toThrow(/only AND of bare or quoted terms/);
  }
});
