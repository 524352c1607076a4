/**
 * Synthesizes one client x environment the way `cdk synth` does (with the
 * gate and its compliance report) and returns its stacks as templates, for
 * npm run verify to compare the live deployment with.
 */
import { buildApp, synthesizeWithGate } from '../app';
import type { ResolvedConfig } from '../config/schema';
import { deploymentName } from '../shared/naming';
import { stackRole, type DeployedStack } from './deployed-stacks';

export interface SynthesizedDeployment {
  readonly config: ResolvedConfig;
  readonly stacks: readonly DeployedStack[];
  /** The compliance report the gate wrote (the verify section is appended to it). */
  readonly reportFile: string;
}

export interface SynthesizeOptions {
  readonly configDir: string;
  readonly client: string;
  readonly env: string;
  readonly outdir: string;
  readonly now: Date;
  /** Extra context (tests skip asset bundling). @default {} */
  readonly context?: Record<string, unknown>;
}

export function synthesizeDeployment(options: SynthesizeOptions): SynthesizedDeployment {
  const built = buildApp({
    configDir: options.configDir,
    now: options.now,
    outdir: options.outdir,
    context: { ...options.context, client: options.client, env: options.env },
  });
  const passed = synthesizeWithGate(built, options.now);
  const deployment = built.deployments[0];
  const result = passed.results[0];
  const reportFile = passed.reports[0];
  if (!deployment || !result || !reportFile) throw new Error(`synthesized no deployment for ${options.client}/${options.env}`);
  const { config, stage } = deployment;
  const name = deploymentName(config);
  const regions = new Map([stage.core, stage.network, stage.gateway, stage.edge, stage.spend].map((s) => [s.stackName, s.region]));
  const stacks = result.templates.flatMap((t): DeployedStack[] => {
    const role = stackRole(name, t.stackName);
    const region = regions.get(t.stackName);
    return role && region ? [{ stackName: t.stackName, role, region, template: t.template }] : [];
  });
  return { config, stacks, reportFile };
}
