/**
 * The synth behind the fake deployment: one client x env through the gate (asset bundling
 * skipped, as in every test synth), its five stacks as templates, and their policies with every
 * reference resolved. world.ts decides when to run it (once per test file, or under
 * `npm run mutate -- --reuse-synth` once per jest worker where that is sound).
 */
import { buildApp, synthesizeWithGate } from '../../../lib/app';
import type { ResolvedConfig } from '../../../lib/config/schema';
import type { DeploymentStage } from '../../../lib/deployment-stage';
import { deploymentName } from '../../../lib/shared/naming';
import { stackRole, type DeployedStack } from '../../../lib/verify/deployed-stacks';
import { deploymentPolicies, type DeploymentPolicies } from '../deployment-policies';
import { TEST_CONTEXT } from '../build';
import { NOW } from '../config-fixture';

/** A synthesized client x env: its config, its stage and its five stacks as templates. */
export interface SynthesizedFixture {
  readonly config: ResolvedConfig;
  readonly stage: DeploymentStage;
  readonly stacks: readonly DeployedStack[];
  readonly policies: DeploymentPolicies;
  readonly outdir: string;
  readonly configDir: string;
}

/** Synthesizes client x env of `configDir` into `outdir`. */
export function synthesizeDeployment(outdir: string, client: string, env: string, configDir: string): SynthesizedFixture {
  const built = buildApp({ configDir, now: NOW, outdir, context: { ...TEST_CONTEXT, client, env } });
  const passed = synthesizeWithGate(built, NOW);
  const deployment = built.deployments[0]!;
  const { config, stage } = deployment;
  const name = deploymentName(config);
  const regions = new Map([stage.core, stage.network, stage.gateway, stage.edge, stage.spend].map((s) => [s.stackName, s.region]));
  const stacks = passed.results[0]!.templates.flatMap((t): DeployedStack[] => {
    const role = stackRole(name, t.stackName);
    return role ? [{ stackName: t.stackName, role, region: regions.get(t.stackName)!, template: t.template }] : [];
  });
  return { config, stage, stacks, policies: deploymentPolicies(config, stage), outdir, configDir };
}
