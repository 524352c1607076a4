import * as fs from 'fs';
import * as path from 'path';
import type { ResolvedConfig } from '../../lib/config/schema';
import { CONTROL_UI_ORIGINS_FILE, EXEC_APPROVALS_FILE } from '../../lib/openclaw/openclaw-config';
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

// Proof by OpenClaw itself: the generated openclaw.json of every client x
// environment is valid for the pinned version (`openclaw config validate`)
// and its security audit finds nothing critical and nothing to warn about.
// Each fixture holds the files the way the host does (owner-only config and
// include, secret files present, exec approvals imported).

const TIMEOUT = 180_000;
const CLOUDFRONT = 'https://d111111abcdef8.cloudfront.net';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

function fixture(config: ResolvedConfig): OpenclawFixture {
  const root = privateTempDir(`oc-audit-${config.client}-${config.env}-`);
  roots.push(root);
  return writeOpenclawFixture(config, root, [CLOUDFRONT]);
}

beforeAll(() => {
  requireOpenclaw();
}, 600_000);

const configs = allConfigs();

describe.each(configs.map((c) => [`${c.client}/${c.env}`, c] as const))('%s', (_name, config) => {
  let fx: OpenclawFixture;
  // The OpenClaw commands of one config run concurrently (each is mostly start-up time); the tests assert on their results.
  let validate: RunResult;
  let audit: AuditReport;
  let origins: RunResult;
  let approvals: RunResult;
  let plugins: RunResult;
  beforeAll(async () => {
    fx = fixture(config);
    const imported = await runOpenclaw(fx, ['approvals', 'set', '--file', path.join(fx.paths.configDir, EXEC_APPROVALS_FILE)]);
    if (imported.status !== 0) throw new Error(`openclaw approvals set failed:\n${imported.stderr}${imported.stdout}`);
    [validate, audit, origins, approvals, plugins] = await Promise.all([
      runOpenclaw(fx, ['config', 'validate']),
      securityAudit(fx),
      runOpenclaw(fx, ['config', 'get', 'gateway.controlUi.allowedOrigins', '--json']),
      runOpenclaw(fx, ['approvals', 'get', '--json']),
      runOpenclaw(fx, ['plugins', 'list', '--json']),
    ]);
  }, TIMEOUT);

  test('openclaw config validate accepts the generated config, without warnings', () => {
    expect({ status: validate.status, out: validate.stdout.trim() }).toEqual({ status: 0, out: `Config valid: ${fx.configFile}` });
    expect(`${validate.stdout}${validate.stderr}`).not.toMatch(/warning/i);
  });

  test('openclaw security audit: 0 critical, 0 warn', () => {
    expect(seriousFindings(audit)).toEqual([]);
    expect(audit.summary).toMatchObject({ critical: 0, warn: 0 });
  });

  test("the gateway sees the include: the Control UI origins are the config's plus CloudFront", () => {
    expect(origins.status).toBe(0);
    const expected = JSON.parse(fs.readFileSync(path.join(fx.paths.configDir, CONTROL_UI_ORIGINS_FILE), 'utf8')).allowedOrigins;
    expect(JSON.parse(origins.stdout.slice(origins.stdout.indexOf('['), origins.stdout.lastIndexOf(']') + 1))).toEqual(expected);
    expect(expected).toContain(CLOUDFRONT);
  });

  test('effective exec policy (openclaw approvals get): deny for every agent but the allowlist ones, which run exactly their commands without asking', () => {
    const got = jsonOf<{
      effectivePolicy: { scopes: { agentId?: string; scopeLabel: string; mode: { effective: string }; ask: { effective: string }; askFallback: { effective: string } }[] };
      file: { agents?: Record<string, { allowlist?: { pattern: string }[] }> };
    }>(approvals, 'openclaw approvals get');
    const scopes = got.effectivePolicy.scopes;
    expect(scopes.find((s) => s.scopeLabel === 'tools.exec')!.mode.effective).toBe('deny');
    for (const [id, agent] of Object.entries(config.openclaw.agents)) {
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

  test('openclaw plugins list: exactly the plugins the agents need are enabled, every other one disabled', () => {
    const list = jsonOf<{ plugins: { id: string; enabled: boolean; status: string }[] }>(plugins, 'openclaw plugins list');
    const enabled = list.plugins.filter((p) => p.enabled || p.status !== 'disabled').map((p) => p.id).sort();
    const needed = [...new Set(Object.values(config.openclaw.agents).flatMap((a) => [a.provider as string, ...Object.keys(a.channels)]).concat(config.openclaw.plugins))].sort();
    expect(enabled).toEqual(needed);
    expect(list.plugins.length).toBeGreaterThan(60);
  });
});

describe('file modes of the host contract, as the audit sees them', () => {
  let fx: OpenclawFixture;
  beforeAll(() => {
    fx = fixture(exampleConfig('prod'));
  });

  test(
    'openclaw.json or its include readable by the group is a warn finding: owner-only (0400/0600) is the contract',
    async () => {
      fs.chmodSync(fx.configFile, 0o640);
      fs.chmodSync(path.join(fx.paths.configDir, CONTROL_UI_ORIGINS_FILE), 0o640);
      const report = await securityAudit(fx);
      expect(report.findings.filter((f) => f.severity === 'warn').map((f) => f.checkId).sort()).toEqual([
        'fs.config.perms_group_readable',
        'fs.config_include.perms_group_readable',
      ]);
      fs.chmodSync(fx.configFile, 0o400);
      fs.chmodSync(path.join(fx.paths.configDir, CONTROL_UI_ORIGINS_FILE), 0o400);
      expect(seriousFindings(await securityAudit(fx))).toEqual([]);
    },
    TIMEOUT,
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
      const fx = fixture(cfg);
      const report = await securityAudit(fx);
      expect(seriousFindings(report).join('\n')).toMatch(/tools\.exec\.security_full_configured/);
    },
    TIMEOUT,
  );
});
