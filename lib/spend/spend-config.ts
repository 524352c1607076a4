/** `<provider>/<model>`, as OpenClaw and the spend meter name an agent's model. */
export const agentModelId = (agent: { provider: string; model: string }) => `${agent.provider}/${agent.model}`;
