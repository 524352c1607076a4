import { CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH, CLOUDWATCH_AGENT_PROXY_FILE, renderCloudWatchAgentProxyConfig } from '../../lib/host/cloudwatch-agent-proxy';
import { GATEWAYS_LIST_BUNDLE_PATH, renderGatewaysList } from '../../lib/host/gateways-list';
import type { ResolvedConfig } from '../../lib/config/schema';
import { agentGateways, gatewayMembers, MAX_GATEWAYS } from '../../lib/openclaw/gateways';
import { exampleConfig } from './support/host-tools';

// Two small files of the host bundle, read by programs that trust their shape: gateways.list
// (the host scripts' `while read -r id user port agents`) and the CloudWatch agent's
// common-config.toml (its proxy). And the order gateways are numbered in.

/** The example config with `agents` (each a copy of the example's first agent) and `groups`. */
function withAgents(ids: readonly string[], groups: Record<string, string[]> = {}): ResolvedConfig {
  const base = exampleConfig('dev');
  const first = Object.values(base.openclaw.agents)[0]!;
  return { ...base, openclaw: { ...base.openclaw, agents: Object.fromEntries(ids.map((id) => [id, first])), sharedGateways: groups } } as ResolvedConfig;
}

describe('gateways.list', () => {
  test('one line per gateway in id order: id, user, port, its agents joined by commas', () => {
    const config = withAgents(['zeta', 'alpha', 'beta', 'gamma'], { team: ['gamma', 'beta'] });
    const lines = renderGatewaysList(config).split('\n');
    expect(lines.pop()).toBe('');
    const gw = agentGateways(config);
    expect(gw.map((g) => g.id)).toEqual(['alpha', 'team', 'zeta']);
    expect(lines).toEqual(gw.map((g) => `${g.id} ${g.user} ${g.port} ${g.agents.join(',')}`));
    // A group's agents in id order (sharedGroups sorts them).
    expect(lines[1]).toMatch(/^team openclaw-team \d+ beta,gamma$/);
    expect(GATEWAYS_LIST_BUNDLE_PATH).toBe('openclaw/gateways.list');
  });

  test(`at most ${MAX_GATEWAYS} gateways: ${MAX_GATEWAYS} are listed, one more is refused`, () => {
    expect(MAX_GATEWAYS).toBe(16);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `a${String(i).padStart(2, '0')}`);
    expect(renderGatewaysList(withAgents(ids(16))).split('\n').filter(Boolean)).toHaveLength(16);
    expect(() => renderGatewaysList(withAgents(ids(17)))).toThrow('gateways.list: 17 gateways, at most 16');
  });

  test.each([['Upper'], ['-dash'], ['a b'], ['a\nb'], ['x;rm']])('an id the scripts could misread (%j) is refused, as a gateway or as an agent of a group', (bad) => {
    expect(() => renderGatewaysList(withAgents([bad]))).toThrow(`gateways.list: ${JSON.stringify(bad)} is not a word of [a-z0-9-]`);
    expect(() => renderGatewaysList(withAgents(['ok', bad], { grp: ['ok', bad] }))).toThrow(`gateways.list: ${JSON.stringify(bad)} is not a word of [a-z0-9-]`);
  });

  test('ids of one character and with inner dashes and digits are words', () => {
    expect(renderGatewaysList(withAgents(['a', '0-x-9']))).toMatch(/^0-x-9 openclaw-0-x-9 \d+ 0-x-9\na openclaw-a \d+ a\n$/);
  });
});

test('gateways are numbered in id order whatever order the config lists them in', () => {
  expect(gatewayMembers(['m', 'c', 'x', 'a'], { k: ['x'], b: ['m'] })).toEqual([
    { id: 'a', agents: ['a'], shared: false },
    { id: 'b', agents: ['m'], shared: true },
    { id: 'c', agents: ['c'], shared: false },
    { id: 'k', agents: ['x'], shared: true },
  ]);
  expect(gatewayMembers(['b', 'a'], {}).map((g) => g.id)).toEqual(['a', 'b']);
  expect(gatewayMembers(['a', 'b'], {}).map((g) => g.id)).toEqual(['a', 'b']);
});

test("the CloudWatch agent's common-config.toml: HTTP and HTTPS through the egress proxy, loopback and the link-local AWS services direct", () => {
  expect(CLOUDWATCH_AGENT_PROXY_FILE).toBe('/opt/aws/amazon-cloudwatch-agent/etc/common-config.toml');
  expect(CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH).toBe('cloudwatch/common-config.toml');
  expect(renderCloudWatchAgentProxyConfig()).toBe(
    [
      '# common-config.toml of the CloudWatch agent: rendered by lib/host/cloudwatch-agent-proxy.ts; do not edit on the host.',
      '# Every call to CloudWatch Logs goes through the egress proxy (squid on loopback); IMDS stays direct.',
      '[proxy]',
      '   http_proxy = "http://127.0.0.1:3128"',
      '   https_proxy = "http://127.0.0.1:3128"',
      '   no_proxy = "127.0.0.1,localhost,::1,169.254.169.254,169.254.169.253,169.254.169.123"',
      '',
    ].join('\n'),
  );
});
