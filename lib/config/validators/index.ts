/**
 * The cross-field config validators, run by the loader's loadDeploymentConfig
 * (lib/config/load.ts) after the schema, the exceptions and the name limits:
 * what a deployment needs that no single key's schema can say. One file per
 * concern; each returns its problems (file, line, key, message) and these
 * functions throw them as one ConfigError per step, in this order:
 *
 *   validateConfigFolder   deployment-names  (the whole folder, before any load)
 *   validateDeployment     break-glass-roles (against the folder's other deployments)
 *                          destruction       (the -c confirmDataDestruction confirmation)
 *                          amis, openclaw, alerts, spend, instance-size  (reported together)
 *                          agent-files       (the files read from the config folder)
 */
import { ConfigError, type ConfigProblem } from '../errors';
import type { LoadedConfig } from '../load';
import { checkAgentFiles } from './agent-files';
import { checkAlerts } from './alerts';
import { checkAmis } from './amis';
import { checkDistinctBreakGlassRoles } from './break-glass-roles';
import { checkDestructionConfirmed } from './destruction';
import { checkDistinctDeploymentNames } from './deployment-names';
import { checkInstanceSize } from './instance-size';
import { checkOpenclawConfig } from './openclaw';
import { checkSpend } from './spend';

/** What validateDeployment needs beyond the loaded config. */
export interface DeploymentValidationContext {
  /** The config folder the deployment was loaded from (its agent files are read from it). */
  readonly configDir: string;
  /** `<client>-<env>` names confirmed with `-c confirmDataDestruction` on the command line. */
  readonly confirmedDestruction: readonly string[];
  /** The folder's other deployments that load (those that do not are reported when they are selected). @default [] */
  readonly otherDeployments?: readonly LoadedConfig[];
}

const throwIfAny = (problems: readonly ConfigProblem[]) => {
  if (problems.length > 0) throw new ConfigError(problems);
};

/** Checks that span the whole config folder: distinct deployment names. */
export function validateConfigFolder(configDir: string): void {
  checkDistinctDeploymentNames(configDir);
}

/**
 * Checks of one loaded deployment: its break-glass role against the folder's
 * other deployments, data destruction confirmed, then what
 * openclaw.json and the bundle need beyond the schema (pinned AMIs, the
 * OpenClaw version, agents and their egress, alert subscriptions, model prices,
 * an instance.type that holds the gateways),
 * then the agent files.
 */
export function validateDeployment(loaded: LoadedConfig, context: DeploymentValidationContext): void {
  const { config, merged, files } = loaded;
  throwIfAny(checkDistinctBreakGlassRoles(loaded, context.otherDeployments ?? []));
  throwIfAny(checkDestructionConfirmed(loaded, context.confirmedDestruction));
  throwIfAny([...checkAmis(config, merged, files), ...checkOpenclawConfig(config, merged), ...checkAlerts(config, merged), ...checkSpend(config, merged), ...checkInstanceSize(config, merged)]);
  throwIfAny(checkAgentFiles(config, context.configDir));
}
