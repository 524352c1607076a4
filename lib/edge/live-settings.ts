/**
 * What the live checks of the edge concern expect, derived from the resolved
 * config at synth time (pure data: the daily check receives it as JSON).
 * The WAF rules, the log destination and the web ACL association are read
 * from the templates themselves; only what the config decides is here.
 */
import type { ResolvedConfig } from '../config/schema';
import { edgeRoutes } from '../host/nginx-config';
import { viewerTlsPolicy } from './gateway-distribution';

/** The viewer certificate CloudFront must report (GetDistributionConfig ViewerCertificate). */
export interface ViewerTlsSettings {
  /** The security policy in force (lib/edge/gateway-distribution.ts viewerTlsPolicy): TLSv1.2_2021 with a custom domain, TLSv1 with the default certificate. */
  readonly minimumProtocolVersion: string;
  /** `sni-only` with a custom domain's ACM certificate; `vip` is what CloudFront reports for its default certificate. */
  readonly sslSupportMethod: string;
  /** `acm` with a custom domain, `cloudfront` with the default *.cloudfront.net certificate (CertificateSource). */
  readonly certificateSource: 'acm' | 'cloudfront';
}

/**
 * The request sent through CloudFront and what must come back: the gateway's
 * own answer, which neither CloudFront nor nginx can produce by themselves.
 */
export interface EdgeRequestSettings {
  /** The viewer-facing host: the custom domain; undefined means the distribution's *.cloudfront.net name (GetDistribution). @default the distribution's domain name */
  readonly host?: string;
  /** The paths requested (unauthenticated GET), one per gateway: /agents/<id>/healthz, which nginx sends to that gateway's /healthz. */
  readonly paths: readonly string[];
  /** The HTTP status the gateway answers. */
  readonly status: number;
  /** The exact body the gateway answers to an unauthenticated remote caller. */
  readonly body: string;
}

export interface EdgeLiveSettings {
  /** The viewer certificate the distribution must report (edge.viewer-tls). */
  readonly viewerTls: ViewerTlsSettings;
  /** The request through CloudFront and the gateway's answer (edge.request-reaches-gateway). */
  readonly request: EdgeRequestSettings;
}

/**
 * The OpenClaw gateway's liveness probe: `GET /healthz` is answered by the
 * gateway itself, unauthenticated, with exactly `{"ok":true,"status":"live"}`
 * for a remote caller (docs/gateway/health.md of the pinned OpenClaw). At the
 * edge each gateway's probe is `/agents/<id>/healthz` (nginx routes it to that
 * gateway's `/healthz`: lib/host/nginx-config.ts). nginx passes it only with
 * the origin-verify header, so each answer proves the whole path to one
 * gateway: CloudFront (WAF passed, VPC origin, header added), nginx, gateway.
 * The gateway's token check proper is on the WebSocket, which a plain HTTPS
 * GET cannot open; its HTTP routes that need a token are disabled here
 * (OpenAI-compatible endpoints off) or check the method first (405).
 */
export const GATEWAY_LIVENESS = { status: 200, body: '{"ok":true,"status":"live"}' } as const;

export function edgeLiveSettings(config: ResolvedConfig): EdgeLiveSettings {
  const custom = config.edge.customDomain;
  return {
    viewerTls: {
      minimumProtocolVersion: viewerTlsPolicy(config.edge),
      sslSupportMethod: custom ? 'sni-only' : 'vip',
      certificateSource: custom ? 'acm' : 'cloudfront',
    },
    request: { ...(custom ? { host: custom.domainName } : {}), paths: edgeRoutes(config).map((r) => r.livenessPath), ...GATEWAY_LIVENESS },
  };
}
