import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { checkAmis } from './config/ami';
import { ConfigError } from './config/errors';
import { listClients, listEnvironments, loadConfig } from './config/load';
import { originOf } from './config/merge';
import type { ResolvedConfig } from './config/schema';
import { writeComplianceReport } from './compliance/report';
import { checkAlerts } from './audit/audit-config';
import { checkSpend } from './spend/spend-config';
import { DeploymentStage } from './deployment-stage';
import { AckLedger } from './gate/ack-ledger';
import { evaluateGate, VALIDATE_AGAINST_DEFAULT_RULES, type DeploymentGateResult } from './gate/evaluate';
import { GateError } from './gate/finding';
import { acknowledgeFrameworkHandlers } from './gate/framework-handlers';
import { installGatePlugins } from './gate/plugins';
import { checkOpenclawConfig, listAgentFiles } from './openclaw/openclaw-config';

/** Context the gate relies on: CloudFormation validation as errors, and the gate (not CDK) deciding pass/fail. */
export const GATE_CONTEXT = {
  [VALIDATE_AGAINST_DEFAULT_RULES]: true,
  '@aws-cdk/core:failSynthOnValidationErrors': false,
} as const;

/** The project's cdk.json, whose `context` holds the feature flags. */
export const CDK_JSON = path.resolve(__dirname, '..', 'cdk.json');

/**
 * The `context` of cdk.json: the feature flags the CDK CLI passes to the app.
 * buildApp applies it itself, so a test (or script) that builds the app
 * without the CLI synthesizes with exactly the flags `cdk synth` uses.
 */
export function projectContext(file = CDK_JSON): Record<string, unknown> {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return { ...parsed.context };
}

export interface BuildAppOptions {
  /** Folder with base.yaml, environments/ and clients/. */
  readonly configDir: string;
  /** "Today", for exception expiry. */
  readonly now: Date;
  /**
   * Context values: `client`, `env` (each a name or `all`),
   * `confirmDataDestruction` and `configDir` (overrides the option, e.g. for
   * client configs kept in a separate repository). The CDK CLI's `-c` values also arrive through the environment.
   */
  readonly context?: Record<string, unknown>;
  /** Cloud assembly folder. @default cdk.out (or the CLI's) */
  readonly outdir?: string;
  /** Folder that file names in messages are relative to. @default process.cwd() */
  readonly displayBase?: string;
}

export interface BuiltApp {
  readonly app: App;
  readonly ledger: AckLedger;
  readonly deployments: readonly { readonly config: ResolvedConfig; readonly stage: DeploymentStage }[];
}

const contextList = (v: unknown) =>
  (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : []).map((s) => s.trim()).filter(Boolean);

/**
 * Data destruction needs two deliberate steps: the config exception for
 * `data-retention`, and `-c confirmDataDestruction=<client>-<env>` on the command line.
 */
function checkDestructionConfirmed(loaded: ReturnType<typeof loadConfig>, confirmed: readonly string[]) {
  const { config } = loaded;
  const id = `${config.client}-${config.env}`;
  if (config.dataProtection.retainOnDelete || confirmed.includes(id)) return;
  const origin = originOf(loaded.merged, ['dataProtection', 'retainOnDelete']);
  throw new ConfigError([
    {
      file: origin?.file,
      line: origin?.line,
      path: 'dataProtection.retainOnDelete',
      message:
        `false deletes keys, secrets and logs with the stacks of ${id}; the exception is approved, now confirm it on the ` +
        `command line with -c confirmDataDestruction=${id}`,
    },
  ]);
}

/**
 * `<client>-<env>` names the stage and (after the prefix) every stack and
 * resource: two folder pairs that spell the same name (client `a-b` with env
 * `c`, client `a` with env `b-c`) would deploy onto each other's resources.
 */
export function checkDistinctDeploymentNames(configDir: string): void {
  const byName = new Map<string, string[]>();
  const envs = listEnvironments(configDir);
  for (const client of listClients(configDir)) {
    for (const env of envs) {
      const name = `${client}-${env}`;
      byName.set(name, [...(byName.get(name) ?? []), `clients/${client} with environments/${env}.yaml`]);
    }
  }
  const clashes = [...byName.entries()].filter(([, pairs]) => pairs.length > 1);
  if (clashes.length === 0) return;
  throw new ConfigError(
    clashes.map(([name, pairs]) => ({
      file: path.relative(process.cwd(), path.join(configDir, 'clients')),
      message: `${pairs.join(' and ')} both make the deployment name "${name}" (stage, stacks and resources would collide); rename one client folder or environment file`,
    })),
  );
}

/**
 * What openclaw.json and the bundle need beyond the schema (the pinned version,
 * agents, their egress, their files), checked before anything is built.
 */
function checkRuntime(loaded: ReturnType<typeof loadConfig>, configDir: string) {
  const { config } = loaded;
  const problems = [
    ...checkAmis(config, loaded.merged, loaded.files),
    ...checkOpenclawConfig(config, loaded.merged),
    ...checkAlerts(config, loaded.merged),
    ...checkSpend(config, loaded.merged),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  try {
    listAgentFiles(config, configDir);
  } catch (e) {
    throw new ConfigError([{ file: path.relative(process.cwd(), path.join(configDir, 'clients', config.client, 'agents')), message: (e as Error).message }]);
  }
}

/**
 * Builds the CDK app for the selected client(s) and environment(s), with the
 * gate's rule packs installed. Used by bin/app.ts and by the tests.
 */
export function buildApp(options: BuildAppOptions): BuiltApp {
  // cdk.json first (as the CLI does), then the gate's context, then the caller's (-c) values.
  const app = new App({ outdir: options.outdir, context: { ...projectContext(), ...GATE_CONTEXT, ...options.context } });
  const configDirCtx = app.node.tryGetContext('configDir') as unknown;
  const configDir = typeof configDirCtx === 'string' ? path.resolve(configDirCtx) : options.configDir;
  const clientSel = String(app.node.tryGetContext('client') ?? 'example');
  const envCtx = app.node.tryGetContext('env') as unknown;
  const envSel = envCtx === undefined ? (clientSel === 'all' ? 'all' : 'dev') : String(envCtx);
  const clients = clientSel === 'all' ? listClients(configDir) : [clientSel];
  const envs = envSel === 'all' ? listEnvironments(configDir) : [envSel];
  const confirmed = contextList(app.node.tryGetContext('confirmDataDestruction'));
  checkDistinctDeploymentNames(configDir);

  const ledger = new AckLedger();
  const deployments = clients.flatMap((client) =>
    envs.map((env) => {
      const loaded = loadConfig({ configDir, client, env, now: options.now, displayBase: options.displayBase });
      checkDestructionConfirmed(loaded, confirmed);
      checkRuntime(loaded, configDir);
      return { config: loaded.config, stage: new DeploymentStage(app, { config: loaded.config, configDir }) };
    }),
  );
  installGatePlugins(app, ledger);
  return { app, ledger, deployments };
}

export interface GatePassed {
  readonly results: readonly DeploymentGateResult[];
  /** Compliance report path per deployment, in the same order. */
  readonly reports: readonly string[];
}

/**
 * Synthesizes, runs the gate on what was written (not on CDK's exit status),
 * writes one compliance report per deployment, and throws GateError on any
 * unacknowledged finding or stale acknowledgement.
 */
export function synthesizeWithGate(built: BuiltApp, now: Date): GatePassed {
  // Stages first (this creates aws-cdk-lib's cross-region handlers), then the
  // app, whose synthesis runs the rule packs over everything.
  for (const { stage } of built.deployments) stage.synth();
  acknowledgeFrameworkHandlers(built.app);
  built.app.synth();
  const results = evaluateGate(built);
  const reports = results.map((r) => writeComplianceReport(built.app.outdir, r, now));
  const findings = results.flatMap((r) => r.findings.map((f) => ({ ...f, resource: f.resource === '(app)' ? `(app) ${r.stagePath}` : f.resource })));
  if (findings.length > 0) throw new GateError(findings, reports);
  return { results, reports };
}

