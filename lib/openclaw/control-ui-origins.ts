/**
 * control-ui-origins.json: the browser origins the Control UI and WebChat accept,
 * `$include`d by openclaw.json as gateway.controlUi (boot adds the CloudFront domain).
 */
import type { ResolvedConfig } from '../config/schema';

/** Browser origins of the Control UI from the config: the custom domain and edge.allowedOrigins. */
export function configAllowedOrigins(config: ResolvedConfig): string[] {
  return [...new Set([...(config.edge.customDomain ? [`https://${config.edge.customDomain.domainName}`] : []), ...config.edge.allowedOrigins])];
}

/**
 * Content of control-ui-origins.json, `$include`d as gateway.controlUi by
 * openclaw.json: the config's browser origins plus `extraOrigins` (boot passes
 * the CloudFront domain, https://dxxxx.cloudfront.net). OpenClaw refuses Control
 * UI and WebChat WebSockets from any other browser origin.
 */
export function renderControlUiOrigins(config: ResolvedConfig, extraOrigins: readonly string[] = []): string {
  for (const o of extraOrigins) {
    if (!/^https:\/\/([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$/.test(o)) {
      throw new Error(`control UI origin: expected https://<host>[:port] without a path or wildcard, got ${JSON.stringify(o)}`);
    }
  }
  return `${JSON.stringify({ allowedOrigins: [...new Set([...configAllowedOrigins(config), ...extraOrigins])] }, null, 2)}\n`;
}
