import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { EGRESS_PROXY_USER, renderEgressProxyConfig } from '../../lib/host/egress-proxy';
import { gatewayProxyUrl } from '../../lib/openclaw/openclaw-json';
import { EGRESS_BLOCKED_COUNTER, NFT_TABLE, renderNftablesRules } from '../../lib/host/nftables-rules';
import { gatewayById } from '../../lib/openclaw/gateways';
import { attempt, type Attempt, type ClientContext, type Who } from './support/egress-client';
import { createEgressTopology, INTERNET, type EgressTopology } from './support/egress-topology';
import { makeFakeCa, startFakeInternet } from './support/fake-internet';
import { requireOpenclaw, type OpenclawInstall } from '../openclaw/support/openclaw';
import { exampleConfig, requireRoot, requireTool, runOk, tempDir } from './support/host-tools';
import { nftRulesForTest } from './support/nft-under-test';
import { squidConfForTest, startSquid, type RunningSquid } from './support/squid-under-test';

// The egress control, for real: the RENDERED nftables ruleset and the real squid (Debian's
// /usr/sbin/squid) running the RENDERED squid.conf, in two network namespaces this file creates
// (support/egress-topology.ts): "host" (the gateway host: ruleset, squid, the clients) and
// "internet" (HTTPS on 443 and HTTP on 80 of every address: the allowlisted name's, a name
// not on the list's, a raw IP, 1.1.1.1 for DoH, a plain-HTTP address). The host namespace
// resolves names from its own /etc/hosts, so every name points into the internet namespace
// and a refusal is the proxy's doing, never DNS's.
//
// squid.conf changes only where a test machine differs from the host: the log and core dump
// paths move into a temporary folder and a pid_filename is added (support/squid-under-test.ts;
// the first test asserts that nothing else differs, every acl and http_access line byte for byte).
// The gateway here is the example's `support` (its user openclaw-support exists on the test
// machine, as on the host) and its own proxy port (gatewayProxyUrl: 127.0.0.1:<proxyPort>); the
// exec'd child is curl run by a node parent as that user, inheriting HTTPS_PROXY as the gateway's
// tools do. What one gateway may not reach of another's, and the host's own port, is
// egress-per-agent-netns.test.ts.
//
// `openclaw proxy validate` (the pinned OpenClaw, run as the gateway's user in the host
// namespace) is pointed at the gateway's proxy with --proxy-url: the value its openclaw.json
// proxy.proxyUrl carries (--proxy-url and proxy.proxyUrl feed the same check). Its default denied check is a loopback canary (passes
// when the proxy refuses CONNECT to 127.0.0.1). An explicit --denied-url can never pass, by design
// (docs.openclaw.ai/cli/proxy): "Custom denied destinations are fail-closed: HTTP responses and
// ambiguous transport failures both fail, unless you can separately verify a deployment-specific
// deny signal". So that check is asserted to fail exactly that way, and the deployment-specific
// deny signal is verified separately: squid's access log has TCP_DENIED/403 for the denied name.
//
// Last, each control is weakened on a copy (the skuid match dropped from the ruleset, the
// allowlist's http_access line dropped from squid.conf) and the same harness shows the bypass
// and the denied name then SUCCEED: the assertions above can fail.

const SUPPORT = gatewayById(exampleConfig('prod'), 'support');
const GATEWAY_USER = SUPPORT.user;
const PROXY_URL = gatewayProxyUrl(SUPPORT);
const ALLOWED_NAME = 'api.anthropic.com';
const DENIED_NAME = 'evil.example.com';
const DOH_NAME = 'cloudflare-dns.com';
/** On support's allowlist, but the host's hosts file points it at 127.0.0.1 (squid's egress_never acl). */
const LOOPBACK_NAME = 'api.telegram.org';
const SETUP_TIMEOUT = 30_000;
const TEST_TIMEOUT = 20_000;
const SKUID_RULE = `meta skuid ${EGRESS_PROXY_USER} tcp dport 443 counter accept`;
const ALLOWLIST_RULE = 'http_access deny egress_gw_support_port !egress_gw_support_allowlist';
const PROXY_ENV = { HTTPS_PROXY: PROXY_URL, https_proxy: PROXY_URL, HTTP_PROXY: PROXY_URL, http_proxy: PROXY_URL };
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One example environment's harness: namespaces, servers, ruleset, squid; the checks read from it. */
function egressSuite(env: 'prod' | 'dev', withValidate: boolean): void {
  const id = randomBytes(3).toString('hex');
  let topo: EgressTopology | undefined;
  let squid: RunningSquid | undefined;
  let dir: string;
  let nft: string;
  let squidBin: string;
  let rules: string;
  let conf: string;
  let ctx: ClientContext;

  const inHost = (cmd: string, args: readonly string[]) => topo!.inNs(topo!.host, cmd, args);
  const counter = () => {
    const out = runOk(...inHost(nft, ['list', 'counter', 'inet', NFT_TABLE, EGRESS_BLOCKED_COUNTER]));
    const m = /packets (\d+)/.exec(out);
    if (!m) throw new Error(`no packets in:\n${out}`);
    return Number(m[1]);
  };
  const loadRules = (text: string) => {
    const file = path.join(dir, `rules-${randomBytes(2).toString('hex')}.nft`);
    fs.writeFileSync(file, text);
    runOk(...inHost(nft, ['-f', file]));
  };
  const runSquid = async (text: string, name: string) => {
    squid?.stop();
    const squidDir = path.join(dir, name);
    fs.mkdirSync(squidDir);
    squid = await startSquid(squidBin, inHost, squidDir, squidConfForTest(text, squidDir), `ocegress${id}${name}`);
  };
  const newLogLines = (mark: number, expected: number) => squid!.linesAfter(mark, expected);
  /** Makes the attempt and records everything that bears on the verdict. */
  const observe = async (who: Who, url: string, envVars: Record<string, string>, extra: readonly string[], expectedLogLines: number) => {
    const mark = squid!.accessLog().length;
    const before = counter();
    const a: Attempt = attempt(ctx, who, url, envVars, extra);
    const counterDelta = counter() - before;
    return { who: `${who} uid ${a.uid}`, url, exit: a.exit, body: a.body.trim(), curl: a.error, counterDelta, accessLog: await newLogLines(mark, expectedLogLines) };
  };
  const denied = (method: string, target: string) => new RegExp(` TCP_DENIED/403 \\d+ ${method} ${esc(target)} - HIER_NONE/- `);

  describe(`example/${env}: the rendered ruleset and squid.conf in network namespaces`, () => {
    beforeAll(async () => {
      requireRoot('The egress proxy namespace test');
      const ip = requireTool('ip');
      nft = requireTool('nft');
      squidBin = requireTool('squid');
      const openssl = requireTool('openssl');
      const config = exampleConfig(env);
      rules = nftRulesForTest(renderNftablesRules(config));
      expect(gatewayById(config, 'support')).toEqual(SUPPORT);
      conf = renderEgressProxyConfig(config);
      dir = tempDir(`oc-egress-${env}-`);
      const ca = makeFakeCa(openssl, dir, [ALLOWED_NAME, DENIED_NAME, DOH_NAME], Object.values(INTERNET));
      topo = createEgressTopology(ip, id, config.network.vpcCidr, { allowedName: ALLOWED_NAME, deniedName: DENIED_NAME, dohName: DOH_NAME, loopbackName: LOOPBACK_NAME });
      await startFakeInternet(topo.inNs(topo.internet, process.execPath, []), ca);
      loadRules(rules);
      await runSquid(conf, 'squid');
      ctx = { inHost, curl: requireTool('curl'), setpriv: requireTool('setpriv'), node: process.execPath, gatewayUser: GATEWAY_USER, caFile: ca.caFile };
    }, SETUP_TIMEOUT);

    afterAll(() => {
      squid?.stop();
      topo?.destroy();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }, SETUP_TIMEOUT);

    it('runs the rendered squid.conf: only the log, core dump and pid paths differ; every acl and http_access line is the rendered one', () => {
      const text = squidConfForTest(conf, '/x');
      const moved: Record<string, string> = {
        'access_log stdio:/var/log/squid/access.log egress': 'access_log stdio:/x/access.log egress',
        'cache_log /var/log/squid/cache.log': 'cache_log /x/cache.log',
        'coredump_dir /var/spool/squid': 'coredump_dir /x',
      };
      const expected = conf.split('\n').map((l) => moved[l] ?? l);
      expect(conf.endsWith('\n')).toBe(true);
      expected.splice(expected.length - 1, 0, 'pid_filename /x/squid.pid');
      expect(text.split('\n')).toEqual(expected);
      const rulesOf = (t: string) => t.split('\n').filter((l) => /^(acl|http_access|http_port|cache_effective_user|pinger_enable|logformat) /.test(l));
      expect(rulesOf(text)).toEqual(rulesOf(conf));
      expect(conf).toMatch(new RegExp(`^acl egress_gw_support_allowlist dstdomain -n .*\\b${esc(ALLOWED_NAME)}\\b`, 'm'));
      expect(conf).toMatch(new RegExp(`^acl egress_gw_support_allowlist dstdomain -n .*\\b${esc(LOOPBACK_NAME)}\\b`, 'm'));
      expect(conf).toContain(`\nhttp_port 127.0.0.1:${SUPPORT.proxyPort} name=gateway-support\n`);
      expect(conf).not.toContain(DENIED_NAME);
      expect(conf).not.toContain(DOH_NAME);
      expect(runOk('id', ['-u', GATEWAY_USER]).trim()).not.toBe(runOk('id', ['-u', EGRESS_PROXY_USER]).trim());
    });

    describe('a) the allowlisted name passes through the proxy', () => {
      it.each<Who>(['gateway-user', 'exec-child'])('from %s with HTTPS_PROXY set', async (who) => {
        const seen = await observe(who, `https://${ALLOWED_NAME}/`, PROXY_ENV, [], 1);
        expect(seen).toEqual({
          ...seen,
          exit: 0,
          body: `hello https ${INTERNET.allowed} ${ALLOWED_NAME}`,
          counterDelta: 0,
          accessLog: [expect.stringMatching(new RegExp(` TCP_TUNNEL/200 \\d+ CONNECT ${esc(ALLOWED_NAME)}:443 - HIER_DIRECT/${esc(INTERNET.allowed)} `))],
        });
      }, TEST_TIMEOUT);
    });

    describe('b+c) refused by the proxy: curl sees 403, the access log has TCP_DENIED/403 with the target, nothing reaches the firewall', () => {
      const cases: Array<[string, Who, string, string, string]> = [
        ['a name not on the allowlist', 'gateway-user', `https://${DENIED_NAME}/`, 'CONNECT', `${DENIED_NAME}:443`],
        ['a name not on the allowlist, from an exec\'d child', 'exec-child', `https://${DENIED_NAME}/`, 'CONNECT', `${DENIED_NAME}:443`],
        ['a raw IP address', 'gateway-user', `https://${INTERNET.rawIp}/`, 'CONNECT', `${INTERNET.rawIp}:443`],
        ['DoH to 1.1.1.1:443', 'gateway-user', `https://${INTERNET.doh}/dns-query?name=example.com`, 'CONNECT', `${INTERNET.doh}:443`],
        ['DoH to cloudflare-dns.com', 'gateway-user', `https://${DOH_NAME}/dns-query?name=example.com`, 'CONNECT', `${DOH_NAME}:443`],
        ['an allowlisted name that resolves to 127.0.0.1', 'gateway-user', `https://${LOOPBACK_NAME}/`, 'CONNECT', `${LOOPBACK_NAME}:443`],
      ];
      it.each(cases)('%s (%s)', async (_what, who, url, method, target) => {
        const seen = await observe(who, url, PROXY_ENV, [], 1);
        expect(seen).toEqual({
          ...seen,
          exit: 56,
          curl: expect.stringContaining('CONNECT tunnel failed, response 403'),
          counterDelta: 0,
          accessLog: [expect.stringMatching(denied(method, target))],
        });
      }, TEST_TIMEOUT);

      it.each([
        ['plain HTTP on 80', `http://${INTERNET.plainHttp}/`],
        ['plain HTTP on 80 to the allowlisted name', `http://${ALLOWED_NAME}/`],
      ])('%s', async (_what, url) => {
        const seen = await observe('gateway-user', url, PROXY_ENV, ['--fail'], 1);
        expect(seen).toEqual({
          ...seen,
          exit: 22,
          curl: expect.stringContaining('403'),
          counterDelta: 0,
          accessLog: [expect.stringMatching(denied('GET', url))],
        });
      }, TEST_TIMEOUT);
    });

    describe('b+c) a direct connection (skipping the proxy) is refused by nftables at once and counted: egress_blocked +1, no proxy log line', () => {
      const noProxy = ['--noproxy', '*'];
      const cases: Array<[string, Who, string]> = [
        ['the allowlisted name on 443, as the gateway user', 'gateway-user', `https://${ALLOWED_NAME}/`],
        ["the allowlisted name on 443, from an exec'd child", 'exec-child', `https://${ALLOWED_NAME}/`],
        ['the allowlisted name on 443, as root (only squid may leave on 443)', 'root', `https://${ALLOWED_NAME}/`],
        ['DoH to 1.1.1.1:443', 'gateway-user', `https://${INTERNET.doh}/dns-query?name=example.com`],
        ['a raw IP address on 443', 'gateway-user', `https://${INTERNET.rawIp}/`],
        ['plain HTTP on 80', 'gateway-user', `http://${INTERNET.plainHttp}/`],
        ['plain HTTP on 80, as root', 'root', `http://${INTERNET.plainHttp}/`],
      ];
      it.each(cases)('%s', async (_what, who, url) => {
        const seen = await observe(who, url, PROXY_ENV, noProxy, 0);
        expect(seen).toEqual({ ...seen, exit: 7, curl: expect.stringContaining("Couldn't connect to server"), counterDelta: 1, accessLog: [] });
      }, TEST_TIMEOUT);
    });

    if (withValidate) {
      describe("d) openclaw proxy validate, as the gateway user, against its own proxy port", () => {
        let openclaw: OpenclawInstall;
        // A no-op when .ci/install-openclaw.sh has run (CI runs it first); installing takes longer.
        beforeAll(() => {
          openclaw = requireOpenclaw();
        }, 300_000);

        const validate = async (extra: readonly string[]) => {
          const home = path.join(dir, `home-${randomBytes(2).toString('hex')}`);
          fs.mkdirSync(home);
          fs.chownSync(home, Number(runOk('id', ['-u', GATEWAY_USER])), Number(runOk('id', ['-g', GATEWAY_USER])));
          const mark = squid!.accessLog().length;
          const args = ['--reuid=' + GATEWAY_USER, '--regid=' + GATEWAY_USER, '--clear-groups', '--', openclaw.node, openclaw.cli, 'proxy', 'validate', '--json', '--proxy-url', PROXY_URL, '--timeout-ms', '5000', ...extra];
          const r = spawnSync(...inHost(ctx.setpriv, args), {
            encoding: 'utf8',
            timeout: 30_000,
            env: { PATH: '/usr/bin:/bin', HOME: home, NODE_EXTRA_CA_CERTS: ctx.caFile },
          });
          const json = r.stdout.slice(r.stdout.indexOf('{'));
          let report: { ok: boolean; checks: Array<{ kind: string; url: string; ok: boolean; status?: number; error?: string }> };
          try {
            report = JSON.parse(json) as typeof report;
          } catch {
            throw new Error(`openclaw proxy validate printed no JSON (exit ${r.status ?? r.error?.message}):\n${r.stdout}\n${r.stderr}`);
          }
          return { exit: r.status, report, accessLog: await newLogLines(mark, 2) };
        };

        it('passes with --allowed-url https://api.anthropic.com/ and the default loopback canary (squid refuses CONNECT to 127.0.0.1)', async () => {
          const seen = await validate(['--allowed-url', `https://${ALLOWED_NAME}/`]);
          expect(seen).toEqual({
            exit: 0,
            report: expect.objectContaining({
              ok: true,
              checks: [
                { kind: 'allowed', url: `https://${ALLOWED_NAME}/`, ok: true, status: 200 },
                { kind: 'denied', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), ok: true, error: 'fetch failed' },
              ],
            }),
            accessLog: [
              expect.stringMatching(new RegExp(` TCP_TUNNEL/200 \\d+ CONNECT ${esc(ALLOWED_NAME)}:443 `)),
              expect.stringMatching(/ TCP_DENIED\/403 \d+ CONNECT 127\.0\.0\.1:\d+ - HIER_NONE\/- /),
            ],
          });
        }, 40_000);

        it('with --denied-url https://evil.example.com/: that check fails by design (fail-closed), and the deny signal is verified in the access log', async () => {
          const seen = await validate(['--allowed-url', `https://${ALLOWED_NAME}/`, '--denied-url', `https://${DENIED_NAME}/`]);
          expect(seen).toEqual({
            exit: expect.any(Number),
            report: expect.objectContaining({
              ok: false,
              checks: [
                { kind: 'allowed', url: `https://${ALLOWED_NAME}/`, ok: true, status: 200 },
                { kind: 'denied', url: `https://${DENIED_NAME}/`, ok: false, error: expect.stringContaining('without a verifiable proxy-deny signal') },
              ],
            }),
            accessLog: [expect.stringMatching(new RegExp(` TCP_TUNNEL/200 \\d+ CONNECT ${esc(ALLOWED_NAME)}:443 `)), expect.stringMatching(denied('CONNECT', `${DENIED_NAME}:443`))],
          });
          expect(seen.exit).not.toBe(0);
        }, 40_000);
      });
    }

    describe('e) the same harness with each control weakened on a copy: the bypass and the denied name then succeed', () => {
      it(`without the skuid match (${SKUID_RULE} -> tcp dport 443 counter accept), a direct connection as the gateway user and from an exec'd child reaches the allowlisted name`, async () => {
        expect(rules.split(SKUID_RULE)).toHaveLength(2);
        loadRules(rules.replace(SKUID_RULE, 'tcp dport 443 counter accept'));
        for (const who of ['gateway-user', 'exec-child'] as const) {
          const seen = await observe(who, `https://${ALLOWED_NAME}/`, PROXY_ENV, ['--noproxy', '*'], 0);
          expect(seen).toEqual({ ...seen, exit: 0, body: `hello https ${INTERNET.allowed} ${ALLOWED_NAME}`, counterDelta: 0, accessLog: [] });
        }
      }, TEST_TIMEOUT);

      it(`without "${ALLOWLIST_RULE}", the name not on the allowlist passes through the proxy`, async () => {
        const lines = conf.split('\n');
        expect(lines.filter((l) => l === ALLOWLIST_RULE)).toHaveLength(1);
        await runSquid(lines.filter((l) => l !== ALLOWLIST_RULE).join('\n'), 'weakened');
        const seen = await observe('gateway-user', `https://${DENIED_NAME}/`, PROXY_ENV, [], 1);
        expect(seen).toEqual({
          ...seen,
          exit: 0,
          body: `hello https ${INTERNET.denied} ${DENIED_NAME}`,
          accessLog: [expect.stringMatching(new RegExp(` TCP_TUNNEL/200 \\d+ CONNECT ${esc(DENIED_NAME)}:443 - HIER_DIRECT/${esc(INTERNET.denied)} `))],
        });
      }, TEST_TIMEOUT);
    });
  });
}

egressSuite('prod', true);
egressSuite('dev', false);
