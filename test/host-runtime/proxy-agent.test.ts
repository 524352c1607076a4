import * as https from 'https';
import { proxyAwareAgent, proxyAwareHandler } from '../../host/fetch-secrets/proxy-agent';

// What host/fetch-secrets/proxy-agent.ts hands the AWS SDK, in process: an HTTPS agent that
// reads HTTPS_PROXY/NO_PROXY from the environment given (Node >= 24.5's `proxyEnv`) with
// keep-alive, inside a NodeHttpHandler with the caller's timeouts. That Node 24 really tunnels
// through the proxy with these options, and keeps IMDS direct, is shown by running the bundled
// programs: host-programs-proxy.test.ts.

type AgentWithOptions = https.Agent & { options: https.AgentOptions & { proxyEnv?: NodeJS.ProcessEnv } };

test('the agent: keep-alive, and the proxy settings of exactly the environment given (the process environment by default)', () => {
  const env = { HTTPS_PROXY: 'http://127.0.0.1:3130', NO_PROXY: '169.254.169.254,127.0.0.1' };
  const agent = proxyAwareAgent(env) as AgentWithOptions;
  expect(agent).toBeInstanceOf(https.Agent);
  expect(agent.options.keepAlive).toBe(true);
  expect(agent.options.proxyEnv).toBe(env);
  expect((proxyAwareAgent() as AgentWithOptions).options.proxyEnv).toBe(process.env);
});

test("the handler: the caller's timeouts, and that agent for HTTPS", async () => {
  const env = { HTTPS_PROXY: 'http://127.0.0.1:3131' };
  const handler = proxyAwareHandler({ connectionTimeout: 1234, requestTimeout: 5678 }, env);
  const config = await (handler as unknown as { configProvider: Promise<{ connectionTimeout: number; requestTimeout: number; httpsAgent: AgentWithOptions }> }).configProvider;
  expect(config.connectionTimeout).toBe(1234);
  expect(config.requestTimeout).toBe(5678);
  expect(config.httpsAgent).toBeInstanceOf(https.Agent);
  expect(config.httpsAgent.options.proxyEnv).toBe(env);
  expect(config.httpsAgent.options.keepAlive).toBe(true);
  const byDefault = await (proxyAwareHandler({ connectionTimeout: 1, requestTimeout: 2 }) as unknown as { configProvider: Promise<{ httpsAgent: AgentWithOptions }> }).configProvider;
  expect(byDefault.httpsAgent.options.proxyEnv).toBe(process.env);
});
