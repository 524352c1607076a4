/**
 * The gateway host of the fake deployment: what host/verify/collect-host-facts.sh
 * prints on a correct host, built in one place from what the deployment puts on
 * the host (the rendered ruleset, gateway unit, tmpfiles.d, openclaw.json,
 * nginx.conf and secrets manifest) and from the templates (the launch
 * template's metadata options, the DNS Firewall's allow list, the verification
 * document's own inputs). Nothing here reads the live settings: the checks'
 * expectations come from there, the host's facts from here.
 * test/verify/host-facts-real.test.ts runs the collector itself for real.
 */
import * as crypto from 'crypto';
import { renderNftablesRules } from '../../../lib/host/nftables-rules';
import { renderEgressProxyConfig } from '../../../lib/host/egress-proxy';
import { renderNginxConfig } from '../../../lib/host/nginx-config';
import { renderSystemdFiles } from '../../../lib/host/systemd-units';
import type { HostFacts, NameAnswer } from '../../../lib/host/live-host-facts';
import { renderOpenclawConfig } from '../../../lib/openclaw/openclaw-json';
import { agentGateways } from '../../../lib/openclaw/gateways';
import { renderSecretsManifest } from '../../../lib/secrets/secrets-manifest';
import type { CfnResource } from '../iam-intrinsics';
import type { FakeWorld } from './world';

/** The mount options systemd gives a ReadOnlyPaths=/BindReadOnlyPaths= bind mount of the root file system. */
const RO_BIND_OPTIONS = 'ro,nosuid,nodev,relatime';

/** The OCV_* values the verification document exports before the collector (what the host is told). */
export function documentInputs(world: FakeWorld, documentName: string): Record<string, string> {
  const doc = world.resources('AWS::SSM::Document', 'gateway').find((r) => world.properties(r).Name === documentName);
  if (!doc) throw new Error(`no SSM document ${documentName}`);
  const content = world.properties(doc).Content as { mainSteps: { inputs: { runCommand: string[] } }[] };
  const out: Record<string, string> = {};
  for (const line of content.mainSteps[0]!.inputs.runCommand) {
    const m = /^export (OCV_[A-Z_]+)='(.*)'$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Whether the DNS Firewall of the network template lets `name` resolve (an ALLOW rule's domain list holds it). */
export function dnsFirewallAllows(world: FakeWorld, name: string): boolean {
  const network = world.stack('network').template.Resources ?? {};
  const allowLists = Object.values(network)
    .filter((r) => r.Type === 'AWS::Route53Resolver::FirewallRuleGroup')
    .flatMap((r) => ((r as CfnResource).Properties?.FirewallRules as { Action: string; FirewallDomainListId: { 'Fn::GetAtt': [string, string] } }[]) ?? [])
    .filter((rule) => rule.Action === 'ALLOW')
    .map((rule) => rule.FirewallDomainListId['Fn::GetAtt'][0]);
  const domains = allowLists.flatMap((id) => ((network[id] as CfnResource | undefined)?.Properties?.Domains as string[] | undefined) ?? []);
  return domains.some((d) => (d.startsWith('*.') ? name.endsWith(d.slice(1)) : name === d.replace(/\.$/, '')));
}

/** What the metadata service answers a token-less GET: 401 when the launch template requires tokens. */
function tokenlessImdsStatus(world: FakeWorld): number {
  const lt = world.resources('AWS::EC2::LaunchTemplate', 'gateway')[0];
  const tokens = (world.properties(lt!).LaunchTemplateData as { MetadataOptions?: { HttpTokens?: string } }).MetadataOptions?.HttpTokens;
  return tokens === 'required' ? 401 : 200;
}

/** getent ahosts through the VPC resolver: an answer only for what the DNS Firewall allows (a documentation address). */
function resolve(world: FakeWorld, name: string): NameAnswer {
  return dnsFirewallAllows(world, name) ? { name, resolves: true, address: '192.0.2.10' } : { name, resolves: false };
}

/** The facts a correct host reports for this command. */
export function correctHostFacts(world: FakeWorld, documentName: string, parameters: Record<string, readonly string[]>): HostFacts {
  const config = world.config;
  const input = documentInputs(world, documentName);
  const units = renderSystemdFiles(config, world.fixture.configDir);
  const gatewayUnit = units[`systemd/${agentGateways(config)[0]!.unit}`]!;
  const readOnly = [
    ...gatewayUnit.split('\n').filter((l) => l.startsWith('ReadOnlyPaths=')).flatMap((l) => l.slice('ReadOnlyPaths='.length).split(' ')),
    ...gatewayUnit.split('\n').filter((l) => l.startsWith('BindReadOnlyPaths=')).map((l) => l.slice('BindReadOnlyPaths='.length).split(':')[1]!),
  ];
  const tmpfiles = units['systemd/tmpfiles.d/openclaw.conf']!;
  const manifest = renderSecretsManifest(config);
  // The first gateway's secrets folder, as tmpfiles.d creates it (the host checks cover the first gateway).
  const first = agentGateways(config)[0]!;
  const secretsDirLine = tmpfiles.split('\n').find((l) => l.startsWith('d ') && l.split(/\s+/)[1] === first.secretsDir)!.split(/\s+/);
  const [, secretsDir, dirMode, dirUser, dirGroup] = secretsDirLine as [string, string, string, string, string];
  const secretStats = manifest.secrets
    .filter((s) => s.kind === 'origin-verify' || s.file.startsWith(`${first.secretsDir}/`))
    .map((s) => (s.kind === 'origin-verify' ? `${s.file}|root|root|600|180|1|regular file` : `${s.file}|${s.user}|${s.user}|400|64|1|regular file`));
  const openclawJson = renderOpenclawConfig(config, agentGateways(config)[0]!) as { gateway: { bind: string; port: number } };
  const nginx = renderNginxConfig(config);
  const refusal = /if \(\$origin_verified != "1"\) \{\s*return (\d+);/.exec(nginx)![1]!;
  const ids = manifest.secrets.map((s) => s.id);
  const name = (p: string) => parameters[p]![0]!;
  return {
    version: 1,
    imds: { withoutToken: tokenlessImdsStatus(world), tokenPut: 200, withToken: 200 },
    ruleset: { state: 'equal', sha256: crypto.createHash('sha256').update(renderNftablesRules(config)).digest('hex'), diffHead: [] },
    agentFiles: { namespace: 'gateway', mounts: readOnly.map((p) => `${p} ${RO_BIND_OPTIONS}`), writeRefused: readOnly.length, writable: [] },
    listeners: { gatewayPid: 2345, addresses: openclawJson.gateway.bind === 'loopback' ? [`127.0.0.1:${openclawJson.gateway.port}`] : [`0.0.0.0:${openclawJson.gateway.port}`] },
    // OpenClaw 2026.9.6's deep audit of a correct, running gateway (test/openclaw/gateway-e2e.test.ts).
    audit: { critical: 0, warn: 1, info: 3, findings: [{ id: 'gateway.probe_failed', severity: 'warn', detail: 'missing scope: operator.read' }] },
    secretFiles: [`${secretsDir}|${dirUser}|${dirGroup}|${dirMode.replace(/^0/, '')}|80|2|directory`, ...secretStats],
    dns: { allowed: resolve(world, name('AllowedName')), denied: resolve(world, name('DeniedName')) },
    units: {
      units: Object.fromEntries(input.OCV_UNITS!.split(' ').map((u) => [u, 'ActiveState=active Result=success ExecMainStatus=0 '])),
      retrieval: `openclaw-secrets: OK ${ids.length} secrets (${ids.join(', ')}) in 1.84 s`,
    },
    origin: { url: input.OCV_ORIGIN_URL!, status: Number(refusal) },
    // squid.service running with the squid.conf the bundle installed.
    proxy: { active: 'active', sha256: crypto.createHash('sha256').update(renderEgressProxyConfig(config)).digest('hex') },
  };
}
