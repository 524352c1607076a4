/**
 * The request handler of every AWS SDK client of the host programs (fetch-secrets.js,
 * spend-meter.js): the SDK's NodeHttpHandler with an HTTPS agent that goes through the
 * egress proxy named by HTTPS_PROXY (host.env: squid on loopback) and keeps NO_PROXY hosts
 * direct. The SDK itself does not read HTTPS_PROXY, and the host firewall lets only the
 * proxy open port 443: without this agent every call would be refused.
 *
 * Node >= 24.5 (the pinned Node 24 runs both programs): `proxyEnv` of http(s).Agent reads
 * HTTPS_PROXY/https_proxy and NO_PROXY/no_proxy from the object given and tunnels each
 * HTTPS request with CONNECT. IMDS is never reached through this agent: the credential
 * provider (host/fetch-secrets/imds.ts) makes its own plain HTTP requests, direct.
 */
import * as https from 'https';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** The timeouts of one client's handler. */
export interface HandlerTimeouts {
  /** Milliseconds to open the connection (to the proxy, then through it). */
  readonly connectionTimeout: number;
  /** Milliseconds for the whole request. */
  readonly requestTimeout: number;
}

/** https.AgentOptions with Node 24's proxyEnv (not in the project's @types/node yet). */
type ProxyAgentOptions = https.AgentOptions & { proxyEnv?: NodeJS.ProcessEnv };

/** An HTTPS agent that honours HTTPS_PROXY and NO_PROXY of `env` (keep-alive on). */
export function proxyAwareAgent(env: NodeJS.ProcessEnv = process.env): https.Agent {
  const options: ProxyAgentOptions = { keepAlive: true, proxyEnv: env };
  return new https.Agent(options);
}

/** The SDK request handler: `timeouts`, HTTPS through the egress proxy of `env`. */
export function proxyAwareHandler(timeouts: HandlerTimeouts, env: NodeJS.ProcessEnv = process.env): NodeHttpHandler {
  return new NodeHttpHandler({ ...timeouts, httpsAgent: proxyAwareAgent(env) });
}
