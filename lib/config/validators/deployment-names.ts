/**
 * Deployment names: `<client>-<env>` names the stage and (after the prefix)
 * every stack and resource, so two folder pairs that spell the same name
 * (client `a-b` with env `c`, client `a` with env `b-c`) would deploy onto each
 * other's resources. Checked over the whole config folder, not per deployment.
 */
import * as path from 'path';
import { listClients, listEnvironments } from '../config-dir';
import { ConfigError } from '../errors';

/** Throws ConfigError naming every pair of client folder and environment file that share a deployment name. */
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
