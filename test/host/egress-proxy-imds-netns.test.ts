import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type { ResolvedConfig } from '../../lib/config/schema';
import { EGRESS_NO_PROXY, gatewayUsesBedrock, imdsProxyLines, renderEgressProxyConfig } from '../../lib/host/egress-proxy';
import { gatewayProxyUrl } from '../../lib/openclaw/openclaw-json';
import { renderNftablesRules } from '../../lib/host/nftables-rules';
import { gatewayById } from '../../lib/openclaw/gateways';
import { attempt, type ClientContext } from './support/egress-client';
import { createEgressTopology, type EgressTopology } from './support/egress-topology';
import { makeFakeCa } from './support/fake-internet';
import { FAKE_IMDS, startFakeImds, type RunningImds } from './support/fake-imds';
import { credentialsThroughOpenclawProxy } from './support/imds-sdk-client';
import { requireOpenclaw } from '../openclaw/support/openclaw';
import { exampleConfig, requireRoot, requireTool, runOk, tempDir } from './support/host-tools';
import { nftRulesForTest } from './support/nft-under-test';
import { perAgentConfig } from './support/per-agent-config';
import { squidConfForTest, startSquid, type RunningSquid } from './support/squid-under-test';

// The gateway's IMDSv2 requests through the egress proxy, for real: the RENDERED squid.conf in the
// real squid and the RENDERED nftables ruleset, in the namespaces of support/egress-topology.ts,
// with a fake IMDSv2 (support/fake-imds.ts) on 169.254.169.254:80 in the "internet" namespace
// (refuses a token PUT that carries X-Forwarded-For, as IMDSv2 does; wants the TTL header and the
// token). OpenClaw's managed proxy sends every non-loopback HTTP request of the gateway to squid,
// the AWS SDK's IMDS requests included, so:
//  - example/dev with the ops agent on bedrock: the token PUT and the credentials GET of ops's user
//    pass through ops's own proxy port, with curl -x and with the AWS SDK's IMDS provider under
//    OpenClaw's own managed proxy (pinned Node 24 and OpenClaw); squid logs them; support's user
//    gets TCP_DENIED/403 for the same requests on its own port (IMDS only for a bedrock gateway);
//  - example/dev as shipped (no Bedrock; its gateway units have IPAddressDeny for IMDS): the same
//    requests are TCP_DENIED/403: the proxy is no way around the unit's IPAddressDeny;
//  - both: no CONNECT to IMDS (80 or 443), no other link-local address; and the host firewall lets
//    any local user reach IMDS on 80 directly (why the Bedrock allow adds no reach).
// Last, each control weakened on a copy: the bedrock allow line removed (credentials fail),
// the allow lines added to the shipped render (its refusal no longer holds), forwarded_for on
// (IMDSv2 refuses the token).

/** The ops gateway (its user openclaw-ops exists on the test machine): the one that uses bedrock in the bedrock suite. */
const OPS = gatewayById(exampleConfig('dev'), 'ops');
const SUPPORT = gatewayById(exampleConfig('dev'), 'support');
const GATEWAY_USER = OPS.user;
const PROXY_URL = gatewayProxyUrl(OPS);
const SETUP_TIMEOUT = 30_000;
const TEST_TIMEOUT = 20_000;
const IMDS = FAKE_IMDS.address;
const TOKEN_URL = `http://${IMDS}/latest/api/token`;
const CREDS_URL = `http://${IMDS}/latest/meta-data/iam/security-credentials/${FAKE_IMDS.role}`;
const ALLOW_LINE = 'http_access allow egress_clients egress_gw_ops_port egress_imds_method egress_imds_port egress_imds';
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const logLine = (code: string, method: string, url: string) => new RegExp(` ${code} \\d+ ${method} ${esc(url)} - `);
const miss = (method: string, url: string) => logLine(`TCP_MISS/200`, method, url);
const denied = (method: string, url: string) => logLine('TCP_DENIED/403', method, url);

/**
 * example/dev with the ops agent on Bedrock. Built in code: the config schema refuses bedrock as an
 * agent's provider today (its OpenClaw plugin does not ship in the pinned OpenClaw), so no valid
 * config renders the IMDS allow yet; this is the renderer's branch for when one does.
 */
const bedrockConfig = (): ResolvedConfig => perAgentConfig('dev', 'bedrock');

/** One config's harness: namespaces, fake IMDS, ruleset, squid. */
function imdsSuite(kind: 'bedrock' | 'shipped'): void {
  const id = randomBytes(3).toString('hex');
  let topo: EgressTopology | undefined;
  let squid: RunningSquid | undefined;
  let imds: RunningImds | undefined;
  let dir: string;
  let squidBin: string;
  let conf: string;
  let ctx: ClientContext;

  const inHost = (cmd: string, args: readonly string[]) => topo!.inNs(topo!.host, cmd, args);
  const runSquid = async (text: string, name: string) => {
    squid?.stop();
    const squidDir = path.join(dir, name);
    fs.mkdirSync(squidDir);
    squid = await startSquid(squidBin, inHost, squidDir, squidConfForTest(text, squidDir), `ocimds${id}${name}`);
  };
  const newLogLines = (mark: number, expected: number) => squid!.linesAfter(mark, expected);
  /** curl as the gateway user, `-i` (status line and headers in the output). */
  const curl = (url: string, extra: readonly string[], as: ClientContext = ctx) => {
    const a = attempt(as, 'gateway-user', url, {}, ['-i', ...extra]);
    const [head = '', ...rest] = a.body.split('\r\n\r\n');
    return { exit: a.exit, status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body: rest.join('\r\n\r\n'), error: a.error };
  };
  /** IMDSv2 as the AWS CLI/SDK does it: token PUT (TTL header), then the role's credentials with the token; `logLines` expected in squid's log. */
  const imdsv2 = async (via: readonly string[], logLines = 2, as: ClientContext = ctx) => {
    const mark = squid!.accessLog().length;
    const seen = imds!.requests().length;
    const put = curl(TOKEN_URL, [...via, '-X', 'PUT', '-H', 'X-aws-ec2-metadata-token-ttl-seconds: 21600'], as);
    const token = put.status === 200 ? put.body : 'none';
    const get = curl(CREDS_URL, [...via, '-H', `X-aws-ec2-metadata-token: ${token}`], as);
    let accessKeyId: string | undefined;
    if (get.status === 200) accessKeyId = (JSON.parse(get.body) as { AccessKeyId: string }).AccessKeyId;
    return {
      put: put.status,
      ttlEcho: /^x-aws-ec2-metadata-token-ttl-seconds: (\d+)\r?$/im.exec(put.head)?.[1],
      get: get.status,
      accessKeyId,
      accessLog: await newLogLines(mark, logLines),
      imdsSaw: imds!.requests().slice(seen),
    };
  };
  const viaProxy = ['-x', PROXY_URL];

  describe(`example/dev ${kind === 'bedrock' ? 'with ops on bedrock' : 'as shipped (no bedrock)'}: IMDS through the rendered squid.conf`, () => {
    beforeAll(async () => {
      requireRoot('The egress proxy IMDS namespace test');
      const ip = requireTool('ip');
      const nft = requireTool('nft');
      squidBin = requireTool('squid');
      const config = kind === 'bedrock' ? bedrockConfig() : exampleConfig('dev');
      expect([OPS, SUPPORT].map((g) => gatewayUsesBedrock(config, gatewayById(config, g.id)))).toEqual([kind === 'bedrock', false]);
      expect([OPS, SUPPORT]).toEqual([gatewayById(config, 'ops'), gatewayById(config, 'support')]);
      conf = renderEgressProxyConfig(config);
      dir = tempDir(`oc-imds-${kind}-`);
      const ca = makeFakeCa(requireTool('openssl'), dir, ['unused.example'], []);
      const names = { allowedName: 'api.anthropic.com', deniedName: 'evil.example.com', dohName: 'cloudflare-dns.com', loopbackName: 'registry.npmjs.org' };
      topo = createEgressTopology(ip, id, config.network.vpcCidr, names, [FAKE_IMDS.address, FAKE_IMDS.otherLinkLocal]);
      imds = await startFakeImds(topo.inNs(topo.internet, process.execPath, []));
      const rules = path.join(dir, 'rules.nft');
      fs.writeFileSync(rules, nftRulesForTest(renderNftablesRules(config)));
      runOk(...inHost(nft, ['-f', rules]));
      await runSquid(conf, 'squid');
      ctx = { inHost, curl: requireTool('curl'), setpriv: requireTool('setpriv'), node: process.execPath, gatewayUser: GATEWAY_USER, caFile: ca.caFile };
    }, SETUP_TIMEOUT);

    afterAll(() => {
      squid?.stop();
      imds?.stop();
      topo?.destroy();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }, SETUP_TIMEOUT);

    it(`the render carries ${kind === 'bedrock' ? 'the IMDS allow, before every deny but the clients one' : 'the IMDS comment only'}`, () => {
      const access = conf.split('\n').filter((l) => l.startsWith('http_access '));
      if (kind === 'bedrock') {
        expect(access.slice(0, 3)).toEqual(['http_access deny !egress_clients', ALLOW_LINE, 'http_access deny !egress_connect']);
      } else {
        expect(access).not.toContain(ALLOW_LINE);
        expect(conf).not.toMatch(/egress_imds/);
        expect(conf).toContain('# IMDS is not reachable through this proxy');
      }
    });

    it('the host firewall lets the gateway user reach IMDS on 80 directly (without the proxy): the proxy adds no reach', async () => {
      expect(await imdsv2(['--noproxy', '*'], 0)).toEqual(expect.objectContaining({ put: 200, get: 200, accessKeyId: FAKE_IMDS.accessKeyId, accessLog: [] }));
    }, TEST_TIMEOUT);

    if (kind === 'bedrock') {
      it('curl -x: the token PUT (TTL header through both ways, no X-Forwarded-For) and the credentials GET pass; squid logs both', async () => {
        const seen = await imdsv2(viaProxy);
        expect(seen).toEqual({
          put: 200,
          ttlEcho: '21600',
          get: 200,
          accessKeyId: FAKE_IMDS.accessKeyId,
          accessLog: [expect.stringMatching(miss('PUT', TOKEN_URL)), expect.stringMatching(miss('GET', CREDS_URL))],
          imdsSaw: [
            expect.objectContaining({ method: 'PUT', address: IMDS, path: '/latest/api/token', headers: expect.objectContaining({ 'x-aws-ec2-metadata-token-ttl-seconds': '21600' }) }),
            expect.objectContaining({ method: 'GET', address: IMDS, path: new URL(CREDS_URL).pathname }),
          ],
        });
        for (const r of seen.imdsSaw) expect(r.headers).not.toHaveProperty('x-forwarded-for');
        // squid adds Via (RFC 9110); IMDS is not documented to refuse it (only a real host shows it does not).
        expect(seen.imdsSaw[0]!.headers.via).toMatch(/\begress-proxy \(squid\)$/);
      }, TEST_TIMEOUT);

      it("the AWS SDK's IMDS provider under OpenClaw's managed proxy (pinned Node 24 + OpenClaw) gets the credentials, through squid", async () => {
        const openclaw = requireOpenclaw();
        const home = path.join(dir, 'home');
        fs.mkdirSync(home);
        fs.chownSync(home, Number(runOk('id', ['-u', GATEWAY_USER])), Number(runOk('id', ['-g', GATEWAY_USER])));
        const mark = squid!.accessLog().length;
        const asGateway = (cmd: string, args: readonly string[]) => inHost(ctx.setpriv, [`--reuid=${GATEWAY_USER}`, `--regid=${GATEWAY_USER}`, '--clear-groups', '--', cmd, ...args]);
        // The gateway unit's environment (host/systemd/openclaw-gateway.service): IMDS is in NO_PROXY
        // there, but OpenClaw's managed proxy replaces NO_PROXY with loopback only.
        const unitEnv = { HTTPS_PROXY: PROXY_URL, HTTP_PROXY: PROXY_URL, NO_PROXY: EGRESS_NO_PROXY.join(','), no_proxy: EGRESS_NO_PROXY.join(',') };
        expect(unitEnv.NO_PROXY).toContain(IMDS);
        const out = credentialsThroughOpenclawProxy(asGateway, openclaw.node, openclaw.cli, PROXY_URL, home, unitEnv);
        expect({ ...out, accessLog: await newLogLines(mark, 3) }).toEqual({
          ok: true,
          accessKeyId: FAKE_IMDS.accessKeyId,
          noProxy: expect.not.stringContaining('169.254'),
          accessLog: [
            expect.stringMatching(miss('PUT', TOKEN_URL)),
            expect.stringMatching(miss('GET', `http://${IMDS}/latest/meta-data/iam/security-credentials/`)),
            expect.stringMatching(miss('GET', CREDS_URL)),
          ],
        });
      }, 40_000);

      it("support's user, through its own port: TCP_DENIED/403 for both requests (IMDS only on the bedrock gateway's port); nothing reaches IMDS", async () => {
        const support = { ...ctx, gatewayUser: SUPPORT.user };
        expect(await imdsv2(['-x', gatewayProxyUrl(SUPPORT)], 2, support)).toEqual({
          put: 403,
          ttlEcho: undefined,
          get: 403,
          accessKeyId: undefined,
          accessLog: [expect.stringMatching(denied('PUT', TOKEN_URL)), expect.stringMatching(denied('GET', CREDS_URL))],
          imdsSaw: [],
        });
      }, TEST_TIMEOUT);
    } else {
      it('curl -x: the token PUT and the credentials GET are TCP_DENIED/403; nothing reaches IMDS', async () => {
        expect(await imdsv2(viaProxy)).toEqual({
          put: 403,
          ttlEcho: undefined,
          get: 403,
          accessKeyId: undefined,
          accessLog: [expect.stringMatching(denied('PUT', TOKEN_URL)), expect.stringMatching(denied('GET', CREDS_URL))],
          imdsSaw: [],
        });
      }, TEST_TIMEOUT);
    }

    it.each([
      ['CONNECT to 169.254.169.254:80', TOKEN_URL, ['--proxytunnel'], `CONNECT ${IMDS}:80`],
      ['CONNECT to 169.254.169.254:443', `https://${IMDS}/latest/api/token`, [], `CONNECT ${IMDS}:443`],
      ['GET to another link-local address (169.254.169.250)', `http://${FAKE_IMDS.otherLinkLocal}/latest/meta-data/`, [], `GET http://${FAKE_IMDS.otherLinkLocal}/latest/meta-data/`],
      ['PUT to another link-local address (169.254.169.250)', `http://${FAKE_IMDS.otherLinkLocal}/latest/api/token`, ['-X', 'PUT'], `PUT http://${FAKE_IMDS.otherLinkLocal}/latest/api/token`],
      ['GET to IMDS on another port (8080)', `http://${IMDS}:8080/latest/meta-data/`, [], `GET http://${IMDS}:8080/latest/meta-data/`],
      ['POST to IMDS', TOKEN_URL, ['-X', 'POST', '-H', 'X-aws-ec2-metadata-token-ttl-seconds: 21600'], `POST ${TOKEN_URL}`],
    ])('refused: %s (TCP_DENIED/403, nothing reaches the fake IMDS)', async (_what, url, extra, logged) => {
      const mark = squid!.accessLog().length;
      const seen = imds!.requests().length;
      const r = curl(url, [...viaProxy, ...extra]);
      expect({ refused: r.status === 403 || /CONNECT tunnel failed, response 403/.test(r.error), accessLog: await newLogLines(mark, 1), imdsSaw: imds!.requests().slice(seen) }).toEqual({
        refused: true,
        accessLog: [expect.stringMatching(new RegExp(` TCP_DENIED/403 \\d+ ${esc(logged)} - HIER_NONE/- `))],
        imdsSaw: [],
      });
    }, TEST_TIMEOUT);

    describe('weakened on a copy: the same requests show the control matters', () => {
      if (kind === 'bedrock') {
        it('without the allow line, the credentials request fails (TCP_DENIED/403)', async () => {
          expect(conf.split('\n').filter((l) => l === ALLOW_LINE)).toHaveLength(1);
          await runSquid(conf.split('\n').filter((l) => l !== ALLOW_LINE).join('\n'), 'noallow');
          expect(await imdsv2(viaProxy)).toEqual(expect.objectContaining({ put: 403, get: 403, accessKeyId: undefined, imdsSaw: [] }));
        }, TEST_TIMEOUT);

        it('with forwarded_for on (squid sends X-Forwarded-For), IMDSv2 refuses the token PUT: forwarded_for delete is what makes it work', async () => {
          expect(conf.split('\n').filter((l) => l === 'forwarded_for delete')).toHaveLength(1);
          await runSquid(conf.replace('\nforwarded_for delete\n', '\nforwarded_for on\n'), 'xff');
          const seen = await imdsv2(viaProxy);
          expect(seen).toEqual(expect.objectContaining({ put: 403, get: 401, accessKeyId: undefined }));
          expect(seen.imdsSaw[0]!.headers).toHaveProperty('x-forwarded-for');
        }, TEST_TIMEOUT);
      } else {
        it("with the Bedrock render's IMDS lines put in, the shipped config's refusal no longer holds: the credentials come through", async () => {
          const comment = imdsProxyLines(exampleConfig('dev'));
          const allow = imdsProxyLines(bedrockConfig());
          expect(conf.split(comment)).toHaveLength(2);
          await runSquid(conf.replace(comment, allow), 'allowed');
          expect(await imdsv2(viaProxy)).toEqual(expect.objectContaining({ put: 200, get: 200, accessKeyId: FAKE_IMDS.accessKeyId }));
        }, TEST_TIMEOUT);
      }
    });
  });
}

imdsSuite('bedrock');
imdsSuite('shipped');
