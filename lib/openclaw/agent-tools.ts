/**
 * The tools of an agent in openclaw.json: a fixed base, what its config grants
 * (exec, agent-to-agent, sub-agents, automations), and everything else denied.
 */
import type { AgentConfig } from './config-schema';

/** Tools no agent gets, whatever its config: gateway control, plugins, nodes, UI surfaces, the web, remote code. */
export const ALWAYS_DENIED_TOOLS = [
  'gateway',
  'plugins',
  'openclaw',
  'group:nodes',
  'group:ui',
  'group:web',
  'code_execution',
  'suggest_task',
  'dismiss_task',
  'skill_workshop',
] as const;

/** Base tools of every agent: files in its workspace, its own session, plans and questions to the operator. */
export const BASE_AGENT_TOOLS = ['read', 'write', 'edit', 'apply_patch', 'session_status', 'progress_card', 'ask_user'] as const;
const EXEC_TOOLS = ['exec', 'process'] as const;
const AGENT_TO_AGENT_TOOLS = ['sessions_list', 'sessions_history', 'sessions_send', 'agents_list'] as const;
const SUBAGENT_TOOLS = ['sessions_spawn', 'sessions_yield', 'subagents'] as const;
const AUTOMATION_TOOLS = ['automations', 'heartbeat_respond'] as const;
/** Granted only by the config; denied otherwise (deny wins over any allow). */
const CONDITIONAL_TOOLS = [
  ...EXEC_TOOLS,
  ...AGENT_TO_AGENT_TOOLS,
  ...SUBAGENT_TOOLS,
  ...AUTOMATION_TOOLS,
  'sessions_search',
  'conversations_list',
  'conversations_send',
  'conversations_turn',
] as const;

/** The tools.allow and tools.deny of `agent`: the base and what its config grants; the rest of the conditional tools and the always-denied ones denied. */
export function agentTools(agent: AgentConfig): { allow: string[]; deny: string[] } {
  const granted = new Set<string>(BASE_AGENT_TOOLS);
  if (agent.tools.exec.mode !== 'deny') EXEC_TOOLS.forEach((t) => granted.add(t));
  if (agent.agentToAgent.length) AGENT_TO_AGENT_TOOLS.forEach((t) => granted.add(t));
  if (agent.subagents) SUBAGENT_TOOLS.forEach((t) => granted.add(t));
  if (agent.automations) AUTOMATION_TOOLS.forEach((t) => granted.add(t));
  return {
    allow: [...granted],
    deny: [...ALWAYS_DENIED_TOOLS, ...CONDITIONAL_TOOLS.filter((t) => !granted.has(t))],
  };
}
