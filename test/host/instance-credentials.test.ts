import { gatewayUsesInstanceCredentials } from '../../lib/host/instance-credentials';
import { exampleConfig } from './support/host-tools';
import { perAgentConfig } from './support/per-agent-config';

// The one predicate behind the gateway's IMDS access (lib/host/instance-credentials.ts): only a
// deployment whose agents reach Bedrock takes AWS credentials from the instance role.

test('bedrock among the providers: true; the example (anthropic) and every other provider: false', () => {
  expect(exampleConfig('prod').network.egress.providers).not.toContain('bedrock');
  expect(gatewayUsesInstanceCredentials(exampleConfig('prod'))).toBe(false);
  expect(gatewayUsesInstanceCredentials(perAgentConfig('prod', 'bedrock'))).toBe(true);
  for (const p of ['openai', 'google', 'mistral'] as const) expect(gatewayUsesInstanceCredentials(perAgentConfig('prod', p))).toBe(false);
});
