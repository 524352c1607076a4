/**
 * exec-approvals.json of one gateway: the exec allowlists of its agents, which
 * boot imports into that gateway's state (`openclaw approvals set --file`);
 * they are not part of openclaw.json.
 */
import type { ResolvedConfig } from '../config/schema';
import type { AgentGateway } from './gateways';

/**
 * The exec approvals document of `gateway`, imported at boot into its state
 * with `openclaw approvals set --file` (as the gateway's user): host exec is
 * denied by default; an allowlist agent of the gateway may run exactly its
 * commands, without a prompt, skills' binaries not trusted implicitly. Agents
 * of other gateways are not in it. OpenClaw applies the stricter of this and
 * tools.exec in openclaw.json.
 */
export function renderExecApprovals(config: ResolvedConfig, gateway: AgentGateway): string {
  const doc = {
    version: 1,
    defaults: { security: 'deny', ask: 'off', askFallback: 'deny', autoAllowSkills: false },
    agents: Object.fromEntries(
      [...gateway.agents]
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
