/**
 * Break-glass roles across deployments: with breakGlass.createRole.enabled the gateway stack
 * creates the IAM role named breakGlass.roleName (lib/access/break-glass-role.ts). A role name
 * exists once per account, and the role holds its own deployment's <name>-operator policy,
 * which denies every other deployment's documents (docs/break-glass.md), so two deployments in
 * one account cannot both create the same name: the second deploy fails, or one role ends up
 * with two operator policies that deny each other. Checked over every deployment of the config
 * folder, for the deployment being loaded.
 */
import { originOf } from '../merge';
import type { ConfigProblem } from '../errors';
import type { LoadedConfig } from '../load';

const ROLE_NAME = ['breakGlass', 'roleName'] as const;
const ENABLED = ['breakGlass', 'createRole', 'enabled'] as const;

const where = (l: LoadedConfig, key: readonly string[]) => {
  const o = originOf(l.merged, [...key]);
  return o ? `${o.file}${o.line ? `:${o.line}` : ''}` : l.files.join(', ');
};

/**
 * The problems of `loaded` against the other deployments of the folder: one per other deployment
 * in the same account that also creates a break-glass role with the same name, naming both files
 * and key paths.
 */
export function checkDistinctBreakGlassRoles(loaded: LoadedConfig, others: readonly LoadedConfig[]): ConfigProblem[] {
  const { config } = loaded;
  if (!config.breakGlass.createRole.enabled) return [];
  const self = `${config.client}-${config.env}`;
  return others
    .filter((o) => `${o.config.client}-${o.config.env}` !== self)
    .filter((o) => o.config.breakGlass.createRole.enabled && o.config.aws.account === config.aws.account && o.config.breakGlass.roleName === config.breakGlass.roleName)
    .map((o) => ({
      ...originOf(loaded.merged, [...ROLE_NAME]),
      path: ROLE_NAME.join('.'),
      message:
        `"${config.breakGlass.roleName}" with ${ENABLED.join('.')} (${where(loaded, ENABLED)}) is also the break-glass role of ` +
        `${o.config.client}-${o.config.env} in account ${config.aws.account} (${ROLE_NAME.join('.')} at ${where(o, ROLE_NAME)}, ${ENABLED.join('.')} at ${where(o, ENABLED)}); ` +
        'a role name exists once per account and each role holds only its own deployment\'s operator policy: give each deployment its own breakGlass.roleName, e.g. <prefix>-<client>-<env>-break-glass',
    }));
}
