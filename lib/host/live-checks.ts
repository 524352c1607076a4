/**
 * The live checks of the host concern (see lib/verify/live-check.ts): each
 * judges one family of the host's facts (lib/host/live-host-facts.ts, one SSM
 * command shared by all) against the settings (lib/host/live-settings.ts).
 */
import { expect, result, type CheckResult, type LiveCheck } from '../verify/live-check';
import type { VerifyContext } from '../verify/verify-context';
import { DEFAULT_POLLING, HOST_FACTS_IAM, hostFacts, type HostFacts, type HostFactsPolling } from './live-host-facts';
import type { HostLiveSettings } from './live-settings';

type Judge = (check: LiveCheck, facts: HostFacts, s: HostLiveSettings, instance: string) => CheckResult[];

interface HostCheckSpec {
  readonly id: string;
  readonly control: string;
  readonly title: string;
  readonly family: keyof Omit<HostFacts, 'version'>;
  readonly judge: Judge;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|::1):\d+$/;
const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');

const imds: Judge = (check, f, _s, instance) => {
  const i = f.imds!;
  const seen = `GET without a token ${i.withoutToken}, token PUT ${i.tokenPut}, GET with the token ${i.withToken}`;
  return [expect(check, i.withoutToken === 401 && i.tokenPut === 200 && i.withToken === 200, instance, seen, '401, 200, 200')];
};

const ruleset: Judge = (check, f, s, instance) => {
  const r = f.ruleset!;
  const resource = `${instance}:${s.ruleset.path}`;
  if (r.state !== 'equal') {
    const why = r.state === 'differing' ? `differing (rendered < > live): ${(r.diffHead ?? []).join(' | ')}` : `${r.state}${r.error ? `: ${r.error}` : ''}`;
    return [result(check, 'fail', resource, `${why}; expected the loaded ruleset equal to the rendered file`)];
  }
  return [expect(check, r.sha256 === s.ruleset.sha256, resource, `loaded ruleset equals the file; file sha256 ${r.sha256?.slice(0, 12)}`, `sha256 ${s.ruleset.sha256.slice(0, 12)} (the rendered ruleset)`)];
};

const agentFiles: Judge = (check, f, s, instance) => {
  const a = f.agentFiles!;
  const mounts = new Map(a.mounts.map((m) => [m.slice(0, m.indexOf(' ')), m.slice(m.indexOf(' ') + 1)]));
  const where = a.namespace === 'gateway' ? "in the gateway's mount namespace" : 'on the host (the gateway is not running)';
  const out = s.readOnlyMounts.map((p) => {
    const opts = mounts.get(p);
    return expect(check, !!opts && opts.split(',').includes('ro'), `${instance}:${p}`, opts ? `mounted ${opts} ${where}` : `not a mount point ${where}`, 'a read-only mount (ro)');
  });
  for (const [p, opts] of mounts) {
    if (!s.readOnlyMounts.includes(p) && !opts.split(',').includes('ro')) out.push(result(check, 'fail', `${instance}:${p}`, `mounted ${opts} ${where}; expected every mount under ${s.readOnlyRoots.join(' and ')} read-only`));
  }
  const wrote = a.writable.length > 0 || a.writeRefused === 0;
  out.push(expect(check, !wrote, `${instance}:${s.agentFilesDir} (write as ${s.gatewayUser})`, `${a.writeRefused} write(s) refused, writable: ${list(a.writable)}`, 'every write refused'));
  return out;
};

const loopback: Judge = (check, f, s, instance) => {
  const l = f.listeners!;
  const port = `:${s.gatewayPort}`;
  const ok = l.addresses.length > 0 && l.addresses.every((a) => LOOPBACK.test(a)) && l.addresses.some((a) => a.endsWith(port));
  return [expect(check, ok, `${instance} (gateway pid ${l.gatewayPid})`, `listening on ${list(l.addresses)}`, `loopback only, including 127.0.0.1${port}`)];
};

const audit: Judge = (check, f, s, instance) => {
  const a = f.audit!;
  const resource = `${instance} (openclaw security audit --deep)`;
  if (a.error !== undefined) return [result(check, 'fail', resource, `${a.error}; expected the audit's JSON report`)];
  const serious = a.findings ?? [];
  const known = (x: { id: string; severity: string; detail: string }) => s.knownAuditFindings.some((k) => k.id === x.id && k.severity === x.severity && k.detail === x.detail);
  const names = serious.map((x) => `${x.severity} ${x.id}${known(x) ? ' (known)' : ''}: ${x.detail}`);
  const ok = a.critical === 0 && serious.every(known) && serious.filter((x) => x.severity === 'warn').length === a.warn;
  return [expect(check, ok, resource, `${a.critical} critical, ${a.warn} warn${names.length ? `: ${names.join('; ')}` : ''}`, `0 critical and no warn but ${s.knownAuditFindings.map((k) => k.id).join(', ')}`)];
};

const secretFiles: Judge = (check, f, s, instance) => {
  const byPath = new Map(f.secretFiles!.map((l) => [l.split('|')[0]!, l.split('|')]));
  const out = s.secretFiles.map((e) => {
    const got = byPath.get(e.path);
    if (!got || got[1] === 'missing') return result(check, 'fail', `${instance}:${e.path}`, `missing; expected ${e.type} ${e.owner}:${e.group} ${e.mode}`);
    const [, owner, group, mode, size, links, type] = got;
    const seen = `${type} ${owner}:${group} ${mode}${type === 'regular file' ? `, ${size} bytes, ${links} link(s)` : ''}`;
    const ok = type === e.type && owner === e.owner && group === e.group && mode === e.mode && (type !== 'regular file' || (Number(size) > 0 && links === '1'));
    return expect(check, ok, `${instance}:${e.path}`, seen, `${e.type} ${e.owner}:${e.group} ${e.mode}${e.type === 'regular file' ? ', not empty, 1 link' : ''}`);
  });
  for (const p of byPath.keys()) {
    if (!s.secretFiles.some((e) => e.path === p)) out.push(result(check, 'fail', `${instance}:${p}`, `unexpected file in ${s.secretsDir}`));
  }
  return out;
};

const dns: Judge = (check, f, s, instance) => {
  const d = f.dns!;
  const said = (a: { resolves: boolean; address?: string }) => (a.resolves ? `resolves (${a.address})` : 'does not resolve');
  return [
    expect(check, d.allowed.name === s.parameters.AllowedName && d.allowed.resolves, `${instance}: ${d.allowed.name}`, `allowlisted name ${said(d.allowed)}`, 'it resolves'),
    expect(check, d.denied.name === s.parameters.DeniedName && !d.denied.resolves, `${instance}: ${d.denied.name}`, `name off the allowlist ${said(d.denied)}`, 'no answer (DNS Firewall NXDOMAIN)'),
  ];
};

const bootUnits: Judge = (check, f, s, instance) =>
  s.bootUnits.map((u) => {
    const seen = (f.units!.units[u] ?? '').trim();
    const ok = /\bResult=success\b/.test(seen) && /\bExecMainStatus=0\b/.test(seen) && /\bActiveState=active\b/.test(seen);
    return expect(check, ok, `${instance}:${u}`, seen || 'not reported', 'ActiveState=active Result=success ExecMainStatus=0');
  });

const retrieval: Judge = (check, f, s, instance) => {
  const line = f.units!.retrieval;
  const named = /^openclaw-secrets: OK \d+ secrets? \(([^)]*)\)/.exec(line)?.[1]?.split(', ') ?? [];
  return s.retrieval.ids.map((id) =>
    expect(check, named.includes(id), `${instance}:${s.retrieval.unit} ${id}`, line ? `last retrieval: ${line}` : 'no retrieval line this boot', `an OK line naming ${id} (fetched, non-empty, written)`),
  );
};

const origin: Judge = (check, f, s, instance) => {
  const o = f.origin!;
  return [expect(check, o.url === s.origin.url && o.status === s.origin.status, `${instance}: ${o.url}`, `HTTP ${o.status} without the origin-verify header`, `HTTP ${s.origin.status}`)];
};

const proxy: Judge = (check, f, s, instance) => {
  const p = f.proxy!;
  return [
    expect(check, p.active === 'active', `${instance}:${s.proxy.unit}`, p.active, 'active'),
    expect(check, p.sha256 === s.proxy.sha256, `${instance}:${s.proxy.path}`, p.sha256 ? `sha256 ${p.sha256.slice(0, 12)}` : 'not readable', `sha256 ${s.proxy.sha256.slice(0, 12)} (the rendered squid.conf)`),
  ];
};

const SPECS: readonly HostCheckSpec[] = [
  { id: 'host.imds-token-required', control: 'ec2-imdsv2-hop-limit-1', title: 'On the host, the metadata service refuses a call without an IMDSv2 token', family: 'imds', judge: imds },
  { id: 'host.nftables-ruleset', control: 'host-firewall', title: 'The loaded nftables ruleset equals the rendered one', family: 'ruleset', judge: ruleset },
  { id: 'host.agent-files-read-only', control: 'agent-files-read-only', title: 'Agent files are read-only mounts and a write as the gateway user fails', family: 'agentFiles', judge: agentFiles },
  { id: 'host.gateway-loopback-only', control: 'gateway-loopback-only', title: 'The gateway listens on loopback only', family: 'listeners', judge: loopback },
  { id: 'host.openclaw-audit', control: 'openclaw-security-audit', title: 'openclaw security audit --deep: 0 critical, 0 warn but the known finding', family: 'audit', judge: audit },
  { id: 'host.secret-files', control: 'secret-files', title: 'Secret files present with their owner and mode', family: 'secretFiles', judge: secretFiles },
  { id: 'host.egress-allowlist-dns', control: 'egress-dns-firewall', title: 'An allowlisted name resolves on the host, another does not', family: 'dns', judge: dns },
  { id: 'host.boot-units', control: 'boot-preflight', title: 'The boot preflight and the secrets retrieval succeeded', family: 'units', judge: bootUnits },
  { id: 'host.secrets-retrieved', control: 'secrets-retrieved', title: 'Each secret was fetched, non-empty, and written at boot', family: 'units', judge: retrieval },
  { id: 'host.egress-proxy', control: 'egress-proxy', title: 'The egress proxy runs with the rendered configuration', family: 'proxy', judge: proxy },
  { id: 'host.origin-verify-enforced', control: 'origin-verify-header', title: 'From the host, the private origin refuses a request without the origin-verify header', family: 'origin', judge: origin },
];

/** The host checks, awaiting the SSM command with `polling` (tests: no delay). */
export function hostLiveChecks(polling: HostFactsPolling = DEFAULT_POLLING): readonly LiveCheck[] {
  return SPECS.map((spec) => {
    const check: LiveCheck = {
      id: spec.id,
      control: spec.control,
      title: spec.title,
      concern: 'host',
      daily: false,
      iam: [...HOST_FACTS_IAM],
      needs: 'host',
      run: async (ctx: VerifyContext) => {
        const outcome = await hostFacts(ctx, polling);
        if (!outcome.ok) return [result(check, 'fail', outcome.instanceId, outcome.evidence)];
        if (outcome.facts[spec.family] === undefined) return [result(check, 'fail', outcome.instanceId, `the collector reported no ${spec.family} facts`)];
        return spec.judge(check, outcome.facts, ctx.settings.host, outcome.instanceId);
      },
    };
    return check;
  });
}

export const HOST_LIVE_CHECKS: readonly LiveCheck[] = hostLiveChecks();
