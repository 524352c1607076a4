import * as fs from 'fs';
import * as path from 'path';
import { DNS_NAME_PATTERN, HOST_FACTS_COLLECTOR } from '../../lib/host/live-document';
import type { HostFacts } from '../../lib/host/live-host-facts';
import { HOST_SOURCE_DIR } from '../../lib/host/template';
import { hostLiveChecks, HOST_LIVE_CHECKS } from '../../lib/host/live-checks';
import type { CheckResult, LiveCheck } from '../../lib/verify/live-check';
import { runChecks } from '../../lib/verify/run-checks';
import { verifySettings } from '../../lib/verify/settings';
import { NOW } from '../support/config-fixture';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import type { FakeHostState } from '../support/fake-deployment/ssm';
import { synthesizeFixture } from '../support/fake-deployment/world';
import { agentGateways } from '../../lib/openclaw/gateways';

// The host checks against the fake of a correct example/prod (its host's facts:
// test/support/fake-deployment/host-facts.ts), then one drift per check. The
// collector itself runs for real in test/verify/host-facts-real.test.ts.

let fake: InstalledFake;
beforeAll(() => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
}, 180_000);
afterAll(() => fake.restore());

const NO_WAIT = { intervalMs: 0, timeoutMs: 60_000, sleep: async () => undefined };
const CHECKS = hostLiveChecks(NO_WAIT);
const byId = (id: string) => CHECKS.find((c) => c.id === id)!;
const settings = () => verifySettings(fake.world.config).host;

function ctx() {
  const w = fake.world;
  return w.verifyContext({ now: NOW });
}

/** Runs `checks` with the host in `state` (restored after). */
async function withHost(state: FakeHostState, checks: readonly LiveCheck[] = CHECKS): Promise<CheckResult[]> {
  fake.world.state.host = state;
  try {
    return await runChecks(checks, ctx());
  } finally {
    delete fake.world.state.host;
  }
}
const failures = (results: readonly CheckResult[]) => results.filter((r) => r.status !== 'pass').map((r) => `${r.check} ${r.resource} | ${r.evidence}`);
const instanceId = () => fake.world.physicalId('gateway', fake.world.resources('AWS::EC2::Instance', 'gateway')[0]!.logicalId);

test('the host checks: one per fact family, host-only, not daily, calling SendCommand and GetCommandInvocation', () => {
  expect(HOST_LIVE_CHECKS.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
  expect(CHECKS.map((c) => `${c.id} ${c.control}`)).toEqual([
    'host.imds-token-required ec2-imdsv2-hop-limit-1',
    'host.nftables-ruleset host-firewall',
    'host.agent-files-read-only agent-files-read-only',
    'host.gateway-loopback-only gateway-loopback-only',
    'host.openclaw-audit openclaw-security-audit',
    'host.secret-files secret-files',
    'host.egress-allowlist-dns egress-dns-firewall',
    'host.boot-units boot-preflight',
    'host.secrets-retrieved secrets-retrieved',
    'host.egress-proxy egress-proxy',
    'host.origin-verify-enforced origin-verify-header',
  ]);
  for (const c of CHECKS) {
    expect({ id: c.id, daily: c.daily, needs: c.needs, iam: c.iam, concern: c.concern }).toEqual({ id: c.id, daily: false, needs: 'host', iam: ['ssm:SendCommand', 'ssm:GetCommandInvocation'], concern: 'host' });
  }
});

test('the verification document: a Command document of the gateway stack running the collector verbatim, with two DNS-name parameters', () => {
  const docs = fake.world.resources('AWS::SSM::Document', 'gateway').filter((r) => fake.world.properties(r).Name === `${fake.world.name}-verify-host`);
  expect(docs).toHaveLength(1);
  const p = fake.world.properties(docs[0]!) as { DocumentType: string; Content: { parameters: Record<string, { allowedPattern: string }>; mainSteps: { action: string; inputs: { runCommand: string[] } }[] } };
  expect(p.DocumentType).toBe('Command');
  expect(Object.entries(p.Content.parameters).map(([k, v]) => `${k} ${v.allowedPattern}`)).toEqual([`AllowedName ${DNS_NAME_PATTERN}`, `DeniedName ${DNS_NAME_PATTERN}`]);
  expect(p.Content.mainSteps.map((m) => m.action)).toEqual(['aws:runShellScript']);
  const script = p.Content.mainSteps[0]!.inputs.runCommand.join('\n');
  const collector = fs.readFileSync(path.join(HOST_SOURCE_DIR, HOST_FACTS_COLLECTOR), 'utf8').trimEnd();
  expect(script).toContain(collector.slice(collector.indexOf('\n') + 1));
  // SSM substitutes exactly the two parameters; the content fits a Command document (64 KB).
  expect(script.match(/\{\{[^}]*\}\}/g)).toEqual(["{{ AllowedName }}", "{{ DeniedName }}"]);
  expect(JSON.stringify(p.Content).length).toBeLessThan(64 * 1024);
  // Not part of the host: the instance's user data does not mention it.
  const instance = fake.world.resources('AWS::EC2::Instance', 'gateway')[0]!;
  expect(JSON.stringify(instance.resource.Properties)).not.toMatch(/verify-host|collect-host-facts/);
});

test('every host check passes on the correct host, all from ONE SSM command of the verification document', async () => {
  fake.world.state.ssmCommandsSent = [];
  const results = await runChecks(CHECKS, ctx());
  expect(failures(results)).toEqual([]);
  const s = settings();
  expect(fake.world.state.ssmCommandsSent).toEqual([
    expect.objectContaining({ DocumentName: `${fake.world.name}-verify-host`, InstanceIds: [instanceId()], Parameters: { AllowedName: [s.parameters.AllowedName], DeniedName: [s.parameters.DeniedName] } }),
  ]);
  const evidence = (id: string) => results.filter((r) => r.check === id).map((r) => `${r.resource} | ${r.evidence}`);
  expect(evidence('host.openclaw-audit')).toEqual([`${instanceId()} (openclaw security audit --deep) | 0 critical, 1 warn: warn gateway.probe_failed (known): missing scope: operator.read`]);
  expect(evidence('host.secrets-retrieved')).toHaveLength(s.retrieval.ids.length);
  expect(evidence('host.secret-files')).toHaveLength(s.secretFiles.length);
  // The two required agent files of each agent, the config and agent folders: each its own read-only mount; then the write test.
  // The host checks cover the first gateway (README: "One trust boundary per agent"): its own agents only.
  expect(evidence('host.agent-files-read-only')).toHaveLength(2 + 2 * agentGateways(fake.world.config)[0]!.agents.length + 1);
  expect(evidence('host.egress-allowlist-dns')).toEqual([
    `${instanceId()}: ${s.parameters.AllowedName} | allowlisted name resolves (192.0.2.10)`,
    `${instanceId()}: ${s.parameters.DeniedName} | name off the allowlist does not resolve`,
  ]);
}, 60_000);

const set = <K extends keyof HostFacts>(key: K, value: HostFacts[K]) => (f: HostFacts): HostFacts => ({ ...f, [key]: value });

// One drift per check: the check fails, naming what it saw. Every other host check still passes.
const DRIFTS: readonly [string, string, (f: HostFacts) => HostFacts, RegExp][] = [
  ['the metadata service answers without a token (IMDSv1 on, or hop limit raised and a proxy in the path)', 'host.imds-token-required', (f) => set('imds', { ...f.imds!, withoutToken: 200 })(f), /GET without a token 200, token PUT 200, GET with the token 200; expected 401, 200, 200/],
  ['the loaded ruleset differs from the rendered one', 'host.nftables-ruleset', (f) => set('ruleset', { ...f.ruleset!, state: 'differing', diffHead: ['< \t\ttcp dport 18789 counter drop comment "gateway port: loopback only"'] })(f), /differing \(rendered < > live\): < \t\ttcp dport 18789 counter drop/],
  ["an agent file's mount read-write (the write test alone would not show it when the file's mode refuses the write)", 'host.agent-files-read-only', (f) => set('agentFiles', { ...f.agentFiles!, mounts: f.agentFiles!.mounts.map((m) => (m.includes('/workspaces/ops/SOUL.md ') ? m.replace(' ro,', ' rw,') : m)) })(f), /workspaces\/ops\/SOUL\.md \| mounted rw,nosuid,nodev,relatime in the gateway's mount namespace; expected a read-only mount \(ro\)$/],
  ['the gateway listening on 0.0.0.0', 'host.gateway-loopback-only', (f) => set('listeners', { ...f.listeners!, addresses: ['0.0.0.0:18789'] })(f), /listening on 0\.0\.0\.0:18789; expected loopback only/],
  ['the audit with a warn finding besides the known one', 'host.openclaw-audit', (f) => set('audit', { ...f.audit!, warn: 2, findings: [...f.audit!.findings!, { id: 'fs.config.perms_group_readable', severity: 'warn', detail: 'mode 640' }] })(f), /0 critical, 2 warn: .*warn fs\.config\.perms_group_readable: mode 640; expected 0 critical and no warn but gateway\.probe_failed/],
  ['a secret file of mode 0644', 'host.secret-files', (f) => set('secretFiles', f.secretFiles!.map((l) => (l.includes('/gateway-token|') ? l.replace('|400|', '|644|') : l)))(f), /gateway-token \| regular file openclaw-ops:openclaw-ops 644, \d+ bytes, 1 link\(s\); expected regular file openclaw-ops:openclaw-ops 400/],
  ['a name off the allowlist resolves', 'host.egress-allowlist-dns', (f) => set('dns', { ...f.dns!, denied: { ...f.dns!.denied, resolves: true, address: '93.184.215.14' } })(f), /name off the allowlist resolves \(93\.184\.215\.14\); expected no answer/],
  ['the boot preflight failed', 'host.boot-units', (f) => set('units', { ...f.units!, units: { ...f.units!.units, 'openclaw-imds-preflight.service': 'ActiveState=failed Result=exit-code ExecMainStatus=3 ' } })(f), /openclaw-imds-preflight\.service \| ActiveState=failed Result=exit-code ExecMainStatus=3; expected/],
  ['the retrieval failed on an empty agent secret', 'host.secrets-retrieved', (f) => set('units', { ...f.units!, retrieval: 'openclaw-secrets: FAILED SecretEmpty: agent-ops: /telegram/botToken is empty' })(f), /last retrieval: openclaw-secrets: FAILED SecretEmpty: agent-ops/],
  ['the egress proxy stopped (every client cut off, or a process let out past the firewall)', 'host.egress-proxy', (f) => set('proxy', { ...f.proxy!, active: 'failed' })(f), /squid\.service \| failed; expected active$/],
  ['the proxy configuration on the host is not the rendered one', 'host.egress-proxy', (f) => set('proxy', { ...f.proxy!, sha256: 'e'.repeat(64) })(f), /\/etc\/squid\/squid\.conf \| sha256 eeeeeeeeeeee; expected sha256 [0-9a-f]{12} \(the rendered squid\.conf\)$/],
  ['the origin answers 200 without the header', 'host.origin-verify-enforced', (f) => set('origin', { ...f.origin!, status: 200 })(f), /HTTP 200 without the origin-verify header; expected HTTP 403/],
];

test.each(DRIFTS)('drift: %s fails %s', async (_what, id, drift, evidence) => {
  const results = await withHost({ drift });
  const failed = results.filter((r) => r.status === 'fail');
  expect(failed.length).toBeGreaterThan(0);
  expect([...new Set(failed.map((r) => r.check))]).toEqual([id]);
  expect(failed.map((r) => `${r.resource} | ${r.evidence}`).join('\n')).toMatch(evidence);
  expect(failed.every((r) => r.resource.startsWith(instanceId()))).toBe(true);
});

test('drift: a secret file missing and an unexpected one in the secrets folder', async () => {
  const dir = settings().secretsDir;
  const results = await withHost({ drift: (f) => set('secretFiles', [...f.secretFiles!.filter((l) => !l.startsWith(`${dir}/gateway-token|`)), `${dir}/stray|root|root|644|3|1|regular file`])(f) }, [byId('host.secret-files')]);
  expect(failures(results)).toEqual([
    `host.secret-files ${instanceId()}:${dir}/gateway-token | missing; expected regular file ${settings().gatewayUser}:${settings().gatewayUser} 400`,
    `host.secret-files ${instanceId()}:${dir}/stray | unexpected file in ${dir}`,
  ]);
});

test('drift: the ruleset file on the host is not the rendered one (both loaded equal, sha256 differs)', async () => {
  const results = await withHost({ drift: (f) => set('ruleset', { ...f.ruleset!, sha256: 'f'.repeat(64) })(f) }, [byId('host.nftables-ruleset')]);
  expect(failures(results)).toEqual([`host.nftables-ruleset ${instanceId()}:/etc/nftables/openclaw.nft | loaded ruleset equals the file; file sha256 ffffffffffff; expected sha256 ${settings().ruleset.sha256.slice(0, 12)} (the rendered ruleset)`]);
});

test('drift: a write into the agent folder succeeded (the file was removed and is reported)', async () => {
  const dir = settings().agentFilesDir;
  const results = await withHost({ drift: (f) => set('agentFiles', { ...f.agentFiles!, writeRefused: f.agentFiles!.writeRefused - 1, writable: [`${dir} (created a file; removed)`] })(f) }, [byId('host.agent-files-read-only')]);
  expect(failures(results)).toEqual([
    `host.agent-files-read-only ${instanceId()}:${dir} (write as ${settings().gatewayUser}) | ${results.at(-1)!.evidence.split(' ')[0]} write(s) refused, writable: ${dir} (created a file; removed); expected every write refused`,
  ]);
});

test('drift: the gateway not running: the agent files are checked on the host, and are not mounts', async () => {
  const results = await withHost({ drift: (f) => set('agentFiles', { namespace: 'host', mounts: [], writeRefused: 1, writable: [] })(f) }, [byId('host.agent-files-read-only')]);
  expect(failures(results)[0]).toMatch(/:\/etc\/openclaw\/gateways\/ops \| not a mount point on the host \(the gateway is not running\); expected a read-only mount/);
});

test('drift: a critical audit finding, and an audit that printed no JSON', async () => {
  const critical = await withHost({ drift: (f) => set('audit', { critical: 1, warn: 0, info: 0, findings: [{ id: 'gateway.auth_none', severity: 'critical', detail: 'no auth' }] })(f) }, [byId('host.openclaw-audit')]);
  expect(failures(critical)[0]).toMatch(/1 critical, 0 warn: critical gateway\.auth_none: no auth; expected 0 critical/);
  const broken = await withHost({ drift: (f) => set('audit', { error: 'no JSON from the audit: Error: config invalid' })(f) }, [byId('host.openclaw-audit')]);
  expect(failures(broken)[0]).toMatch(/no JSON from the audit: Error: config invalid; expected the audit's JSON report/);
});

test('drift: the allowlisted name does not resolve', async () => {
  const results = await withHost({ drift: (f) => set('dns', { ...f.dns!, allowed: { name: f.dns!.allowed.name, resolves: false } })(f) }, [byId('host.egress-allowlist-dns')]);
  expect(failures(results)).toEqual([`host.egress-allowlist-dns ${instanceId()}: ${settings().parameters.AllowedName} | allowlisted name does not resolve; expected it resolves`]);
});

test('the command is Undeliverable (instance not reachable by SSM): every host check fails with the SSM status', async () => {
  const results = await withHost({ outcome: { Status: 'Failed', StatusDetails: 'Undeliverable' } });
  expect(results).toHaveLength(CHECKS.length);
  for (const r of results) expect({ check: r.check, status: r.status, resource: r.resource, evidence: r.evidence }).toEqual({ check: r.check, status: 'fail', resource: instanceId(), evidence: expect.stringMatching(/^SSM command [0-9a-f-]{36} Failed: Undeliverable$/) });
});

test('the collector failed on the host: its stderr tail is the evidence', async () => {
  const results = await withHost({ outcome: { Status: 'Failed', StatusDetails: 'Failed', StandardErrorContent: 'line 1\nbash: nft: command not found\n' } }, [byId('host.nftables-ruleset')]);
  expect(failures(results)[0]).toMatch(/SSM command \S+ Failed: Failed; stderr: line 1 \| bash: nft: command not found$/);
});

test('a command that never ends fails every host check after the timeout, naming the last status', async () => {
  fake.world.state.host = { hangs: true };
  try {
    const results = await runChecks(hostLiveChecks({ intervalMs: 0, timeoutMs: 30, sleep: async () => undefined }).slice(0, 2), ctx());
    expect(results.map((r) => r.evidence)).toEqual([expect.stringMatching(/^SSM command \S+ still InProgress \(InProgress\) after 0 s$/), expect.stringMatching(/still InProgress/)]);
  } finally {
    delete fake.world.state.host;
  }
});

test('an instance SSM does not manage: SendCommand refuses it, and every host check fails with the error', async () => {
  const results = await withHost({ managed: false });
  expect(results).toHaveLength(CHECKS.length);
  expect(new Set(results.map((r) => `${r.status} ${r.evidence}`))).toEqual(new Set([`fail InvalidInstanceId: Instances [[${instanceId()}]] not in a valid state for account ${fake.world.account}`]));
});

test('the verification document was not deployed: the check fails naming it', async () => {
  const doc = fake.world.resources('AWS::SSM::Document', 'gateway').find((r) => (r.resource.Properties as { Name?: string }).Name === settings().documentName)!;
  fake.world.missing.add(doc.logicalId);
  try {
    const gone = await runChecks([byId('host.imds-token-required')], ctx());
    expect(failures(gone)[0]).toMatch(new RegExp(`NotDeployedError: ${fake.world.name}-gateway has no live AWS::SSM::Document ${doc.logicalId}`));
  } finally {
    fake.world.missing.delete(doc.logicalId);
  }
});

test('the collector printed something that is not the facts', async () => {
  const results = await withHost({ drift: () => 'not json' as unknown as HostFacts }, [byId('host.origin-verify-enforced')]);
  expect(failures(results)[0]).toMatch(/printed no facts/);
});

test("each check's id, control, title, concern, schedule and actions, exactly (the list a mutation run found unpinned)", () => {
  expect(HOST_LIVE_CHECKS.map((c) => ({ id: c.id, control: c.control, title: c.title, concern: c.concern, daily: c.daily, iam: c.iam }))).toEqual([
      {"id":"host.imds-token-required","control":"ec2-imdsv2-hop-limit-1","title":"On the host, the metadata service refuses a call without an IMDSv2 token","concern":"host","daily":false,"iam":["ssm:SendCommand","ssm:GetCommandInvocation"]},
      {"id":"host.nftables-ruleset","control":"host-firewall","title":"The loaded nftables ruleset equals the rendered one","concern":"host","daily":false,"iam":["ssm:SendCommand","ssm:GetCommandInvocation"]},
      {"id":"host.agent-files-read-only","control":"agent-files-read-only","title":"Agent files are read-only mounts and a write as the gateway user fails","concern":"host","daily":false,"iam":["ssm:SendCommand","ssm:GetCommandInvocation"]},
      {"id":"host.gateway-loopback-only","control":"gateway-loopback-only","title":"The gateway listens on loopback only","concern":"host","daily":false,"iam":["ssm:SendCommand","ssm:GetCommandInvocation"]},
      {"id":"host.openclaw-audit","control":"openclaw-security-audit","title":"openclaw security audit --deep: 0 critical, 0 warn but the known finding","concern":"host","daily":false,"iam":["ssm:SendCommand","ssm:GetCommandInvocation"]},
      {"id":"host.secret-files","control":"secret-files","title":"Secret files present with their owner and mode","concern":"host","daily":false,"iam":["ssm:SendCommand","ssm:GetCommandInvocation"]},
      {"id":"host.egress-allowlist-dns","control":"egress-dns-firewall","title":"An allowlisted name resolves on the host, another does not","concern":"host","daily":false,"iam":["ssm:SendCommand","ssm:GetCommandInvocation"]},
      {"id":"host.boot-units","control":"boot-preflight","title":"The boot preflight and the secrets retrieval succeeded","concern":"host","daily":false,"iam":["ssm:SendCommand","ssm:GetCommandInvocation"]},
      {"id":"host.secrets-retrieved","control":"secrets-retrieved","title":"Each secret was fetched, non-empty, and written at boot","concern":"host","daily":false,"iam":["ssm:SendCommand","ssm:GetCommandInvocation"]},
      {"id":"host.egress-proxy","control":"egress-proxy","title":"The egress proxy runs with the rendered configuration","concern":"host","daily":false,"iam":["ssm:SendCommand","ssm:GetCommandInvocation"]},
      {"id":"host.origin-verify-enforced","control":"origin-verify-header","title":"From the host, the private origin refuses a request without the origin-verify header","concern":"host","daily":false,"iam":["ssm:SendCommand","ssm:GetCommandInvocation"]},
  ]);
});
