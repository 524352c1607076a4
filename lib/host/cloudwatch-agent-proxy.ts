/**
 * The CloudWatch agent's proxy settings: common-config.toml with a [proxy] table, installed by
 * install-bundle.sh at CLOUDWATCH_AGENT_PROXY_FILE (bundle path CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH).
 * The agent reads that file at every start and sends its CloudWatch Logs calls through the
 * egress proxy; the host firewall lets only the proxy's user open outbound HTTPS, so without
 * this file the agent ships nothing. IMDS (its credentials) stays direct: no_proxy.
 * AWS doc: "Installing the CloudWatch agent ... (Optional) Modify the common configuration for
 * proxy or Region information": common-config.toml, [proxy] http_proxy, https_proxy, no_proxy.
 * What the agent collects stays in lib/host/cloudwatch-agent.ts.
 */
import { EGRESS_NO_PROXY, EGRESS_PROXY_URL } from './egress-proxy';

/** Where the agent reads its common configuration (the package's own path). */
export const CLOUDWATCH_AGENT_PROXY_FILE = '/opt/aws/amazon-cloudwatch-agent/etc/common-config.toml';
/** The file's path in the deployment bundle. */
export const CLOUDWATCH_AGENT_PROXY_BUNDLE_PATH = 'cloudwatch/common-config.toml';

/** common-config.toml: the egress proxy for HTTP and HTTPS, loopback and the link-local AWS services direct. */
export function renderCloudWatchAgentProxyConfig(): string {
  return [
    '# common-config.toml of the CloudWatch agent: rendered by lib/host/cloudwatch-agent-proxy.ts; do not edit on the host.',
    '# Every call to CloudWatch Logs goes through the egress proxy (squid on loopback); IMDS stays direct.',
    '[proxy]',
    `   http_proxy = "${EGRESS_PROXY_URL}"`,
    `   https_proxy = "${EGRESS_PROXY_URL}"`,
    `   no_proxy = "${EGRESS_NO_PROXY.join(',')}"`,
    '',
  ].join('\n');
}
