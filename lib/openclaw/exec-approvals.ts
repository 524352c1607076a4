/**
 * exec-approvals.json: the exec allowlists of the agents, which boot imports into
 * the gateway's state (`openclaw approvals set --file`); they are not part of openclaw.json.
 */
import type { ResolvedConfig } from '../config/schema';

/**
 * The exec approvals document of a config, imported at boot into the gateway's
 * state with `openclaw approvals set --file` (as the gateway user): host exec is
 * denied by default; an allowlist agent may run exactly its commands, without a
 * prompt, skills' binaries not trusted implicitly. OpenClaw applies the stricter
 * of this and tools.exec in openclaw.json.
 */
export function renderExecApprovals(config: ResolvedConfig): string {
  const doc = {
    version: 1,
    defaults: { security: 'deny', ask: 'off', askFallback: 'deny', autoAllowSkills: false },
    agents: Object.fromEntries(
      Object.keys(config.openclaw.agents)
        .sort()
        .filter((id) => config.openclaw.agents[id]!.tools.exec.mode !== 'deny')
        .map((id) => {
          const exec = config.openclaw.agents[id]!.tools.exec;
          // full: no allowlist limit; ask: the allowlist, a human decides misses; allowlist and auto: the allowlist.
          const security = exec.mode === 'full' ? 'full' : 'allowlist';
          const ask = exec.mode === 'ask' ? 'on-miss' : 'off';
          return [
            id,
            {
              security,
              ask,
              askFallback: 'deny',
              autoAllowSkills: false,
              allowlist: exec.commands.map((pattern) => ({ pattern })),
            },
          ];
        }),
    ),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
