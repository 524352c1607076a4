import { loadConfig } from '../../lib/config/load';
import { edgeLiveSettings } from '../../lib/edge/live-settings';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// What the edge live checks expect, per certificate choice: a custom domain's ACM certificate
// (SNI, TLSv1.2_2021, requests to the domain) or CloudFront's default *.cloudfront.net
// certificate, for which GetDistributionConfig reports SSLSupportMethod vip, CertificateSource
// cloudfront and the TLSv1 policy (the only one CloudFront allows with it).

const settings = (env: string) => edgeLiveSettings(loadConfig({ configDir: CONFIG_DIR, client: 'example', env, now: NOW }).config);
const LIVENESS = { paths: ['/agents/ops/healthz', '/agents/support/healthz'], status: 200, body: '{"ok":true,"status":"live"}' };

describe('edgeLiveSettings', () => {
  it('a custom domain (example/prod): SNI with its ACM certificate under TLSv1.2_2021, requests sent to the domain', () => {
    expect(settings('prod')).toEqual({
      viewerTls: { minimumProtocolVersion: 'TLSv1.2_2021', sslSupportMethod: 'sni-only', certificateSource: 'acm' },
      request: { host: 'agents.example.com', ...LIVENESS },
    });
  });

  it("the default certificate (example/dev: dev and staging may use it without an exception): what CloudFront reports for it, requests to the distribution's own name", () => {
    expect(settings('dev')).toEqual({
      viewerTls: { minimumProtocolVersion: 'TLSv1', sslSupportMethod: 'vip', certificateSource: 'cloudfront' },
      request: LIVENESS,
    });
  });
});
