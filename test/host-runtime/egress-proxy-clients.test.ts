import { EGRESS_NO_PROXY, EGRESS_PROXY_UNIT, EGRESS_PROXY_URL } from '../../lib/host/egress-proxy';
import { HELPER_SCRIPT_FILES, HOST_ENV_PATH, SSM_AGENT_PROXY_BUNDLE_PATH } from '../../lib/host/bundle-layout';
import { CLOUDWATCH_AGENT_PROXY_FILE, renderCloudWatchAgentProxyConfig } from '../../lib/host/cloudwatch-agent-proxy';
import { HOST_ENV_FILE } from '../../lib/host/host-file-paths';
import { HOST_PATHS } from '../../lib/host/paths';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import { parseUnit, unitList, unitValue, type UnitEntry } from '../../lib/host/unit-file';
import { SPEND_METER_UNIT } from '../../lib/host/unit-names';
import { renderOpenclawConfig } from '../../lib/openclaw/openclaw-json';
import { agentGateways } from '../../lib/openclaw/gateways';
import { allConfigs, exampleConfig } from '../host/support/host-tools';
import { CONFIG_DIR } from '../support/config-fixture';

// Every client that must reach the internet goes through the egress proxy (squid on
// 127.0.0.1:3128): the host firewall lets only the proxy's user open port 443, so a client
// without its proxy setting is cut off (and a client that bypassed it would mean the firewall
// was weakened). Each test below fails when one client loses its setting.

const config = exampleConfig('prod');
const files = renderRuntimeFiles(config, CONFIG_DIR);
const S = 'Service';
const units = Object.keys(files).filter((p) => /^systemd\/[^/]+\.service$/.test(p));
const parsed = (rel: string) => parseUnit(files[rel]!);

/** KEY=value pairs of a unit's Environment= lines (systemd's own splitting: words, optional quotes). */
function environment(e: readonly UnitEntry[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const x of e.filter((x) => x.section === S && x.key === 'Environment')) {
    for (const word of x.value.match(/"[^"]*"|\S+/g) ?? []) {
      const w = word.replace(/^"(.*)"$/, '$1');
      env[w.slice(0, w.indexOf('='))] = w.slice(w.indexOf('=') + 1);
    }
  }
  return env;
}

/** The environment a unit's process gets: host.env when the unit reads it, then Environment=. */
function processEnv(e: readonly UnitEntry[]): Record<string, string> {
  const fromFile =
    unitValue(e, S, 'EnvironmentFile') === HOST_ENV_FILE
      ? Object.fromEntries(files[HOST_ENV_PATH]!.split('\n').filter((l) => /^[A-Za-z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
      : {};
  return { ...fromFile, ...environment(e) };
}

function expectProxied(rel: string, proxyUrl: string = EGRESS_PROXY_URL): void {
  const e = parsed(rel);
  const env = processEnv(e);
  // HTTPS_PROXY for the AWS CLI and Node (proxyEnv), https_proxy for curl; IMDS and loopback in NO_PROXY.
  expect({ rel, HTTPS_PROXY: env.HTTPS_PROXY }).toEqual({ rel, HTTPS_PROXY: proxyUrl });
  if (proxyUrl !== EGRESS_PROXY_URL) expect({ rel, https_proxy: env.https_proxy }).toEqual({ rel, https_proxy: proxyUrl });
  expect({ rel, NO_PROXY: env.NO_PROXY?.split(',') }).toEqual({ rel, NO_PROXY: [...EGRESS_NO_PROXY] });
  // Ordered after the proxy, which it pulls in (Wants=: a failed proxy shows in its own unit).
  expect({ rel, wants: unitList(e, 'Unit', 'Wants').includes(EGRESS_PROXY_UNIT), after: unitList(e, 'Unit', 'After').includes(EGRESS_PROXY_UNIT) }).toEqual({ rel, wants: true, after: true });
}

/** The services that run `script` (ExecStart= ends in its libexec path). */
const unitsRunning = (script: string) => units.filter((rel) => unitList(parsed(rel), S, 'ExecStart').some((w) => w === `${HOST_PATHS.libexecDir}/${script}`));

test('host.env carries the proxy for every casing the clients read, and keeps IMDS and loopback direct', () => {
  const env = files[HOST_ENV_PATH]!.split('\n');
  for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) expect(env).toContain(`${k}=${EGRESS_PROXY_URL}`);
  for (const k of ['NO_PROXY', 'no_proxy']) expect(env).toContain(`${k}=${EGRESS_NO_PROXY.join(',')}`);
  expect(EGRESS_NO_PROXY).toEqual(expect.arrayContaining(['127.0.0.1', 'localhost', '169.254.169.254']));
});

test('every helper script that calls AWS or curl runs in a unit with the proxy, ordered after it', () => {
  const clients = HELPER_SCRIPT_FILES.filter((rel) => /"\$AWS_CLI"|\bcurl\b/.test(files[rel]!)).map((rel) => rel.replace(/^scripts\//, ''));
  // The scripts that reach AWS from a unit (fetch-secrets.sh execs the Node program, checked below).
  expect(clients).toEqual(expect.arrayContaining(['imds-preflight.sh', 'check-agent-files.sh', 'check-gateway-health.sh', 'attach-state-volume.sh']));
  let checked = 0;
  for (const script of [...clients, 'fetch-secrets.sh', 'refresh-secrets.sh']) {
    for (const rel of unitsRunning(script)) {
      expectProxied(rel);
      checked++;
    }
  }
  expect(checked).toBeGreaterThanOrEqual(6);
});

test(`${SPEND_METER_UNIT}: the proxy in its environment, ordered after it`, () => {
  expectProxied(`systemd/${SPEND_METER_UNIT}`);
});

test.each([
  ['ops', 'http://127.0.0.1:3129'],
  ['support', 'http://127.0.0.1:3130'],
])('openclaw-gateway@%s.service: its own proxy port in its environment, ordered after the proxy', (id, url) => {
  expectProxied(`systemd/openclaw-gateway@${id}.service`, url);
});

test.each(allConfigs().map((c) => [`${c.client}/${c.env}`, c] as const))('%s: every unit that reads host.env gets the proxy from it', (_n, c) => {
  const all = renderRuntimeFiles(c, CONFIG_DIR);
  expect(all[HOST_ENV_PATH]).toContain(`\nHTTPS_PROXY=${EGRESS_PROXY_URL}\n`);
});

test('the SSM agent: a drop-in with the proxy (lowercase, as the AWS doc sets it), IMDS direct, ordered after the proxy', () => {
  const e = parseUnit(files[SSM_AGENT_PROXY_BUNDLE_PATH]!);
  const env = environment(e);
  expect(env).toEqual({ https_proxy: EGRESS_PROXY_URL, http_proxy: EGRESS_PROXY_URL, no_proxy: EGRESS_NO_PROXY.join(',') });
  expect(unitList(e, 'Unit', 'After')).toEqual([EGRESS_PROXY_UNIT]);
  expect(unitList(e, 'Unit', 'Wants')).toEqual([EGRESS_PROXY_UNIT]);
});

test('the CloudWatch agent: common-config.toml [proxy] with the proxy for HTTPS, IMDS direct', () => {
  const toml = renderCloudWatchAgentProxyConfig();
  expect(CLOUDWATCH_AGENT_PROXY_FILE).toBe('/opt/aws/amazon-cloudwatch-agent/etc/common-config.toml');
  const body = toml.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.trim());
  expect(body).toEqual(['[proxy]', `http_proxy = "${EGRESS_PROXY_URL}"`, `https_proxy = "${EGRESS_PROXY_URL}"`, `no_proxy = "${EGRESS_NO_PROXY.join(',')}"`]);
});

test("OpenClaw: each gateway's openclaw.json routes it through its own proxy port, loopback (its own RPC) direct", () => {
  for (const c of allConfigs()) {
    for (const g of agentGateways(c)) {
      expect(renderOpenclawConfig(c, g).proxy).toEqual({ enabled: true, proxyUrl: `http://127.0.0.1:${g.proxyPort}`, loopbackMode: 'gateway-only' });
    }
  }
});

test('npm ci in install-bundle.sh goes through the proxy (the firewall is loaded by then)', () => {
  const installer = files['scripts/install-bundle.sh']!;
  const npm = installer.slice(installer.lastIndexOf('(cd "$INSTALL_DIR"', installer.indexOf('"$NPM" ci')), installer.indexOf('"$NPM" ci'));
  expect(npm).toContain(`npm_config_https_proxy=${EGRESS_PROXY_URL}`);
  expect(installer.indexOf('start-egress-proxy.sh')).toBeLessThan(installer.indexOf('nft -f "$NFT"'));
});
