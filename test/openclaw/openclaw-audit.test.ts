import * as fs from 'fs';
import * as path from 'path';
import type { ResolvedConfig } from '../../lib/config/schema';
import { CONTROL_UI_ORIGINS_FILE, EXEC_APPROVALS_FILE } from '../../lib/openclaw/openclaw-config';
import { agentGateways, type AgentGateway } from '../../lib/openclaw/gateways';
import { allConfigs, exampleConfig } from '../host/support/host-tools';
import {
  jsonOf,
  privateTempDir,
  requireOpenclaw,
  runOpenclaw,
  securityAudit,
  seriousFindings,
  writeOpenclawFixture,
  type AuditReport,
  type OpenclawFixture,
  type RunResult,
} from './support/openclaw';

// Proof by OpenClaw itself: the generated openclaw.json of every gateway of
// every client x environment (one per agent), and of a shared gateway, is valid
// for the pinned version (`openclaw config validate`) and its security audit
// finds nothing critical and nothing to warn about.
// Each fixture holds the files the way the host does (owner-only config and
// include, secret files present, exec approvals imported).

/** One command on a loaded machine (2 cores shared by many jobs): OpenClaw's start-up alone can take a minute. */
const COMMAND_TIMEOUT = 240_000;
const CLOUDFRONT = 'https://d111111abcdef8.cloudfront.net';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

function fixture(config: ResolvedConfig, gateway: AgentGateway): OpenclawFixture {
  const root = privateTempDir(`oc-audit-${config.client}-${config.env}-${gateway.id}-`);
  roots.push(root);
  return writeOpenclawFixture(config, root, [CLOUDFRONT], gateway);
}

/** The example (prod) with its two agents in one shared gateway (openclaw.sharedGateways, the weakening). */
export function sharedExample(): ResolvedConfig {
  const base = exampleConfig('prod');
  return { ...base, env: 'shared', openclaw: { ...base.openclaw, sharedGateways: { team: ['ops', 'support'] } } };
}

beforeAll(() => {
  requireOpenclaw();
}, 600_000);

const configs = [...allConfigs(), sharedExample()];
const gateways = configs.flatMap((c) => agentGateways(c).map((g) => [`${c.client}/${c.env} gateway ${g.id}`, c, g] as const));

test('every config and gateway is covered: the example has a gateway per agent, the shared variant one for both', () => {
  expect(gateways.map(([name, , g]) => [name, g.agents])).toEqual([
    ...allConfigs().flatMap((c) => [
      [`${c.client}/${c.env} gateway ops`, ['ops']],
      [`${c.client}/${c.env} gateway support`, ['support']],
    ]),
    ['example/shared gateway team', ['ops', 'support']],
  ]);
});

describe.each(gateways)('%s', (_name, config, gateway) => {
  let fx: OpenclawFixture;
  // The OpenClaw commands of one config run concurrently (each is mostly start-up time); the tests assert on their results.
  let validate: RunResult;
  let audit: AuditReport;
  let controlUi: RunResult;
  let approvals: RunResult;
  let plugins: RunResult;
  beforeAll(async () => {
    fx = fixture(config, gateway);
    const run = (args: string[]) => runOpenclaw(fx, args, COMMAND_TIMEOUT);
    const imported = await run(['approvals', 'set', '--file', path.join(fx.paths.configDir, EXEC_APPROVALS_FILE)]);
    if (imported.status !== 0) throw new Error(`openclaw approvals set failed:\n${imported.stderr}${imported.stdout}`);
    // One after the other: 7 gateways x 5 commands at once starve a shared machine.
    validate = await run(['config', 'validate']);
    audit = await securityAudit(fx, [], COMMAND_TIMEOUT);
    controlUi = await run(['config', 'get', 'gateway.controlUi', '--json']);
    approvals = await run(['approvals', 'get', '--json']);
    plugins = await run(['plugins', 'list', '--json']);
  }, 6 * COMMAND_TIMEOUT);

  test('openclaw config validate accepts the generated config, without warnings', () => {
    expect({ status: validate.status, out: validate.stdout.trim() }).toEqual({ status: 0, out: `Config valid: ${fx.configFile}` });
    expect(`${validate.stdout}${validate.stderr}`).not.toMatch(/warning/i);
  });

  test('openclaw security audit: 0 critical, 0 warn', () => {
    expect(seriousFindings(audit)).toEqual([]);
    expect(audit.summary).toMatchObject({ critical: 0, warn: 0 });
  });

  test("OpenClaw reads the Control UI base path of the gateway (its edge path /agents/<id>) and the include: the config's origins plus CloudFront", () => {
    expect(controlUi.status).toBe(0);
    const got = jsonOf<{ basePath: string; allowedOrigins: string[] }>(controlUi, 'openclaw config get gateway.controlUi');
    expect(got.basePath).toBe(`/agents/${gateway.id}`);
    const expected = JSON.parse(fs.readFileSync(path.join(fx.paths.configDir, CONTROL_UI_ORIGINS_FILE), 'utf8')).allowedOrigins;
    expect(got.allowedOrigins).toEqual(expected);
    expect(expected).toContain(CLOUDFRONT);
  });

  test('effective exec policy (openclaw approvals get): deny for every agent but the allowlist ones, which run exactly their commands without asking', () => {
    const got = jsonOf<{
      effectivePolicy: { scopes: { agentId?: string; scopeLabel: string; mode: { effective: string }; ask: { effective: string }; askFallback: { effective: string } }[] };
      file: { agents?: Record<string, { allowlist?: { pattern: string }[] }> };
    }>(approvals, 'openclaw approvals get');
    const scopes = got.effectivePolicy.scopes;
    expect(scopes.find((s) => s.scopeLabel === 'tools.exec')!.mode.effective).toBe('deny');
    // Only this gateway's agents have a scope: another gateway's agents do not exist here.
    expect(scopes.filter((s) => s.agentId).map((s) => s.agentId).sort()).toEqual([...gateway.agents]);
    expect(Object.keys(got.file.agents ?? {}).sort()).toEqual(gateway.agents.filter((id) => config.openclaw.agents[id]!.tools.exec.mode !== 'deny'));
    for (const id of gateway.agents) {
      const agent = config.openclaw.agents[id]!;
      const scope = scopes.find((s) => s.agentId === id)!;
      expect({ id, mode: scope.mode.effective, ask: scope.ask.effective, fallback: scope.askFallback.effective }).toEqual({
        id,
        mode: agent.tools.exec.mode,
        ask: 'off',
        fallback: 'deny',
      });
      expect((got.file.agents?.[id]?.allowlist ?? []).map((e) => e.pattern)).toEqual(agent.tools.exec.commands);
    }
  });

  test("openclaw plugins list: exactly the plugins the gateway's agents need are enabled, every other one disabled", () => {
    const list = jsonOf<{ plugins: { id: string; enabled: boolean; status: string }[] }>(plugins, 'openclaw plugins list');
    const enabled = list.plugins.filter((p) => p.enabled || p.status !== 'disabled').map((p) => p.id).sort();
    const needed = [
      ...new Set(gateway.agents.map((id) => config.openclaw.agents[id]!).flatMap((a) => [a.provider as string, ...Object.keys(a.channels)]).concat(config.openclaw.plugins)),
    ].sort();
    expect(enabled).toEqual(needed);
    expect(list.plugins.length).toBeGreaterThan(60);
  });
});

describe('file modes of the host contract, as the audit sees them', () => {
  let fx: OpenclawFixture;
  beforeAll(() => {
    const prod = exampleConfig('prod');
    fx = fixture(prod, agentGateways(prod)[0]!);
  });

  test(
    'openclaw.json or its include readable by the group is a warn finding: owner-only (0400/0600) is the contract',
    async () => {
      fs.chmodSync(fx.configFile, 0o640);
      fs.chmodSync(path.join(fx.paths.configDir, CONTROL_UI_ORIGINS_FILE), 0o640);
      const report = await securityAudit(fx, [], COMMAND_TIMEOUT);
      expect(report.findings.filter((f) => f.severity === 'warn').map((f) => f.checkId).sort()).toEqual([
        'fs.config.perms_group_readable',
        'fs.config_include.perms_group_readable',
      ]);
      fs.chmodSync(fx.configFile, 0o400);
      fs.chmodSync(path.join(fx.paths.configDir, CONTROL_UI_ORIGINS_FILE), 0o400);
      expect(seriousFindings(await securityAudit(fx, [], COMMAND_TIMEOUT))).toEqual([]);
    },
    2 * COMMAND_TIMEOUT,
  );
});

describe('a weakened agent is visible to OpenClaw (why it needs an exception)', () => {
  test(
    'exec mode full: the audit reports tools.exec.security_full_configured',
    async () => {
      const base = exampleConfig('dev');
      const cfg: ResolvedConfig = {
        ...base,
        openclaw: {
          ...base.openclaw,
          agents: { ...base.openclaw.agents, ops: { ...base.openclaw.agents.ops!, tools: { exec: { mode: 'full', commands: [] }, elevated: false } } },
        },
      };
      const fx = fixture(cfg, agentGateways(cfg).find((g) => g.id === 'ops')!);
      const report = await securityAudit(fx, [], COMMAND_TIMEOUT);
      expect(seriousFindings(report).join('\n')).toMatch(/tools\.exec\.security_full_configured/);
    },
    2 * COMMAND_TIMEOUT,
  );
});
