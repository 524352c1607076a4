/**
 * Whether the gateway process takes AWS credentials from the instance role (IMDSv2). One
 * predicate, used by every place that follows from it: the gateway unit keeps access to IMDS
 * (lib/host/template-values.ts, no IPAddressDeny) and the egress proxy lets the gateway's IMDS
 * requests through (lib/host/egress-proxy.ts): OpenClaw's managed proxy sends every non-loopback
 * HTTP request of the gateway to squid, the AWS SDK's IMDS requests included.
 */
import type { ResolvedConfig } from '../config/schema';

/**
 * True when network.egress.providers includes 'bedrock' (the deployment's agents reach Amazon
 * Bedrock): the AWS SDK inside the gateway signs Bedrock calls with the instance role's
 * credentials, which its default chain reads from IMDSv2. No other provider needs AWS
 * credentials in the gateway (their keys arrive as secret files).
 */
export function gatewayUsesInstanceCredentials(config: ResolvedConfig): boolean {
  return config.network.egress.providers.includes('bedrock');
}
