import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { listClients, listEnvironments } from './config/config-dir';
import { loadDeploymentConfig } from './config/load';
import type { ResolvedConfig } from './config/schema';
import { writeComplianceReport } from './compliance/report';
import { DeploymentStage } from './deployment-stage';
import { AckLedger } from './gate/ack-ledger';
import { evaluateGate, VALIDATE_AGAINST_DEFAULT_RULES, type DeploymentGateResult } from './gate/evaluate';
import { GateError } from './gate/finding';
import { acknowledgeFrameworkHandlers } from './gate/framework-handlers';
import { installGatePlugins } from './gate/plugins';

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

/** Where buildApp reads the config from, as of when, and with which context. */
export interface BuildAppOptions {
  /** Folder with base.yaml, environments/ and clients/. */
  readonly configDir: string;
  /** "Today", for exception expiry. */
  readonly now: Date;
  /**
   * Context values: `client`, `env` (each a name or `all`),
   * `confirmDataDestruction` and `configDir` (overrides the option, e.g. for
   * client configs kept in a separate repository). The CDK CLI's `-c` values also arrive through the environment.
   * @default {} (client example, env dev; or every env with client all)
   */
  readonly context?: Record<string, unknown>;
  /** Cloud assembly folder. @default cdk.out (or the CLI's) */
  readonly outdir?: string;
  /** Folder that file names in messages are relative to. @default process.cwd() */
  readonly displayBase?: string;
}

/** What buildApp built. */
export interface BuiltApp {
  /** The CDK app, not yet synthesized. */
  readonly app: App;
  /** The gate's acknowledgements, filled while the app is built. */
  readonly ledger: AckLedger;
  /** One entry per client x environment: its resolved config and its stage. */
  readonly deployments: readonly { readonly config: ResolvedConfig; readonly stage: DeploymentStage }[];
}

const contextList = (v: unknown) =>
  (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : []).map((s) => s.trim()).filter(Boolean);

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

  const ledger = new AckLedger();
  const deployments = clients.flatMap((client) =>
    envs.map((env) => {
      const loaded = loadDeploymentConfig({ configDir, client, env, now: options.now, displayBase: options.displayBase, confirmedDestruction: confirmed });
      return { config: loaded.config, stage: new DeploymentStage(app, { config: loaded.config, configDir }) };
    }),
  );
  installGatePlugins(app, ledger);
  return { app, ledger, deployments };
}

/** What synthesizeWithGate returns when the gate passed. */
export interface GatePassed {
  /** The gate's result per deployment, in the order of BuiltApp.deployments. */
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

