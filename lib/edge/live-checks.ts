/**
 * The live checks of the edge concern (see lib/verify/live-check.ts): the
 * distribution's web ACL, its viewer TLS, the WAF's rules and logging
 * (./live-waf-checks.ts), and one real request through CloudFront to each
 * gateway, at its own path (npm run verify only).
 */
import { CloudFrontClient, GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { expect, result, type CheckResult, type LiveCheck } from '../verify/live-check';
import type { EdgeLiveSettings } from './live-settings';
import { liveDistributionConfig, liveWebAcl, referencedResource } from './live-template';
import { WAF_LIVE_CHECKS } from './live-waf-checks';

export const wafAssociated: LiveCheck = {
  id: 'edge.waf-associated',
  control: 'cloudfront-waf',
  title: "The distribution is associated with the deployment's web ACL",
  concern: 'edge',
  daily: true,
  iam: ['cloudfront:GetDistributionConfig', 'wafv2:GetWebACL'],
  run: async (ctx) =>
    Promise.all(
      ctx.find('AWS::CloudFront::Distribution', 'edge').map(async (ref): Promise<CheckResult> => {
        const { id, config } = await liveDistributionConfig(ctx, ref);
        const templateConfig = (ref.resource.Properties?.DistributionConfig ?? {}) as { WebACLId?: unknown };
        const aclRef = referencedResource(ref, templateConfig.WebACLId);
        const seen = `WebACLId ${config.WebACLId || '(none)'}`;
        if (!aclRef || aclRef.resource.Type !== 'AWS::WAFv2::WebACL') return result(wafAssociated, 'fail', id, `${seen}; the template associates no web ACL of this stack`);
        const acl = await liveWebAcl(ctx, aclRef);
        return expect(wafAssociated, config.WebACLId === acl.ARN, id, seen, `${acl.ARN} (${acl.Name})`);
      }),
    ),
};

/** Viewer protocol policies that never serve a viewer over plain HTTP. */
const HTTPS_POLICIES = new Set(['https-only', 'redirect-to-https']);

export const viewerTls: LiveCheck = {
  id: 'edge.viewer-tls',
  control: 'cloudfront-https-only',
  title: 'Viewers reach CloudFront over HTTPS only, with the TLS security policy in force for the config',
  concern: 'edge',
  daily: true,
  iam: ['cloudfront:GetDistributionConfig'],
  run: async (ctx) => {
    const want = (ctx.settings.edge as EdgeLiveSettings).viewerTls;
    return Promise.all(
      ctx.find('AWS::CloudFront::Distribution', 'edge').map(async (ref): Promise<CheckResult> => {
        const { id, config } = await liveDistributionConfig(ctx, ref);
        const cert = config.ViewerCertificate ?? {};
        const behaviours = [
          { path: 'default', policy: config.DefaultCacheBehavior?.ViewerProtocolPolicy },
          ...(config.CacheBehaviors?.Items ?? []).map((b) => ({ path: b.PathPattern ?? '?', policy: b.ViewerProtocolPolicy })),
        ];
        const plain = behaviours.filter((b) => !HTTPS_POLICIES.has(b.policy ?? ''));
        const ok =
          cert.MinimumProtocolVersion === want.minimumProtocolVersion &&
          cert.SSLSupportMethod === want.sslSupportMethod &&
          cert.CertificateSource === want.certificateSource &&
          plain.length === 0;
        const seen =
          `MinimumProtocolVersion ${cert.MinimumProtocolVersion ?? '(none)'}, SSLSupportMethod ${cert.SSLSupportMethod ?? '(none)'}, certificate ${cert.CertificateSource ?? '(none)'}` +
          `, viewer protocol ${behaviours.map((b) => `${b.path} ${b.policy ?? '(none)'}`).join(', ')}`;
        return expect(
          viewerTls,
          ok,
          id,
          seen,
          `MinimumProtocolVersion ${want.minimumProtocolVersion}, SSLSupportMethod ${want.sslSupportMethod}, certificate ${want.certificateSource}, every behaviour https-only or redirect-to-https`,
        );
      }),
    );
  },
};

const short = (body: string) => (body.length > 120 ? `${body.slice(0, 120)}...` : body).replace(/\s+/g, ' ').trim();

export const requestReachesGateway: LiveCheck = {
  id: 'edge.request-reaches-gateway',
  control: 'edge-request-reaches-gateway',
  title: "A request through CloudFront to each agent's path passes the WAF and nginx and gets that gateway's own answer",
  concern: 'edge',
  daily: false,
  needs: 'edge-request',
  iam: ['cloudfront:GetDistribution'],
  run: async (ctx) => {
    const want = (ctx.settings.edge as EdgeLiveSettings).request;
    return Promise.all(
      ctx.find('AWS::CloudFront::Distribution', 'edge').map(async (ref): Promise<CheckResult[]> => {
        const id = await ctx.physicalId(ref);
        const dist = (await ctx.client(CloudFrontClient, 'us-east-1').send(new GetDistributionCommand({ Id: id }))).Distribution;
        const host = want.host ?? dist?.DomainName;
        if (!host) return [result(requestReachesGateway, 'fail', id, 'GetDistribution returned no domain name')];
        // One request per gateway (its /agents/<id>/healthz), one after the other: each proves the path to its own gateway.
        const results: CheckResult[] = [];
        for (const p of want.paths) {
          const url = `https://${host}${p}`;
          let answer;
          try {
            answer = await ctx.http(url, { method: 'GET' });
          } catch (e) {
            results.push(result(requestReachesGateway, 'fail', url, `no answer (${(e as Error).message}); expected HTTP ${want.status} ${want.body} from the gateway`));
            continue;
          }
          // x-cache tells who answered: `Error from cloudfront` for a WAF block, an unreachable origin or an origin error.
          const xCache = Object.entries(answer.headers).find(([k]) => k.toLowerCase() === 'x-cache')?.[1];
          const ok = answer.status === want.status && answer.body.trim() === want.body;
          results.push(
            expect(
              requestReachesGateway,
              ok,
              url,
              `HTTP ${answer.status} ${short(answer.body)}${xCache ? ` (x-cache ${xCache})` : ''}`,
              `HTTP ${want.status} ${want.body} from the gateway (distribution ${id}${dist?.Status ? ` ${dist.Status}` : ''})`,
            ),
          );
        }
        return results;
      }),
    ).then((r) => r.flat());
  },
};

export const EDGE_LIVE_CHECKS: readonly LiveCheck[] = [wafAssociated, ...WAF_LIVE_CHECKS, viewerTls, requestReachesGateway];
