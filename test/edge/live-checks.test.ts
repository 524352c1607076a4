import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, GetDistributionCommand, GetDistributionConfigCommand, type DistributionConfig } from '@aws-sdk/client-cloudfront';
import { GetWebACLCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import type { TemplateResource } from '../../lib/compliance/control';
import { EDGE_LIVE_CHECKS, requestReachesGateway, viewerTls, wafAssociated } from '../../lib/edge/live-checks';
import type { EdgeLiveSettings } from '../../lib/edge/live-settings';
import type { DeployedStack } from '../../lib/verify/deployed-stacks';
import type { VerifySettings } from '../../lib/verify/settings';
import { VerifyContext, type HttpRequester } from '../../lib/verify/verify-context';
import { NOW } from '../support/config-fixture';
import { answerStackResources } from '../support/stack-resources';

// The distribution checks of lib/edge/live-checks.ts on a hand-made edge stack: CloudFront answers
// GetDistributionConfig and GetDistribution as its API does (a distribution's ID is its physical
// ID; WebACLId is the web ACL's ARN, or '' when none), WAF answers GetWebACL, and the request to
// the gateway goes through an injected HTTP client. The synthesized example/prod, with a real
// nginx behind a fake CloudFront, runs in test/verify/edge-live-checks.test.ts.

const STACK = 'oc-acme-prod-edge';
const DIST = 'E2QWRUHAPOMQZL';
const ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/oc-acme-prod/a1b2';
const SETTINGS: EdgeLiveSettings = {
  viewerTls: { minimumProtocolVersion: 'TLSv1.2_2021', sslSupportMethod: 'sni-only', certificateSource: 'acm' },
  request: { host: 'agents.example.com', paths: ['/agents/ops/healthz', '/agents/support/healthz'], status: 200, body: '{"ok":true,"status":"live"}' },
};
const LIVE: DistributionConfig = {
  CallerReference: 'r',
  Comment: 'gateway',
  Enabled: true,
  Origins: { Quantity: 1, Items: [{ Id: 'nginx', DomainName: '10.0.1.5' }] },
  DefaultCacheBehavior: { TargetOriginId: 'nginx', ViewerProtocolPolicy: 'https-only' },
  CacheBehaviors: { Quantity: 1, Items: [{ PathPattern: '/agents/*', TargetOriginId: 'nginx', ViewerProtocolPolicy: 'redirect-to-https' }] },
  ViewerCertificate: { ACMCertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/x', SSLSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021', CertificateSource: 'acm' },
  WebACLId: ACL_ARN,
};

const cfn = mockClient(CloudFormationClient);
const cf = mockClient(CloudFrontClient);
const waf = mockClient(WAFV2Client);
afterAll(() => {
  cfn.restore();
  cf.restore();
  waf.restore();
});

interface Setup {
  readonly webAclId?: unknown;
  readonly extra?: Record<string, TemplateResource>;
  readonly live?: DistributionConfig;
  readonly distribution?: Record<string, unknown> | null;
  readonly settings?: EdgeLiveSettings;
  readonly http?: HttpRequester;
}

function context(s: Setup = {}): VerifyContext {
  cfn.reset();
  cf.reset();
  waf.reset();
  const resources = {
    Dist: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: 'webAclId' in s ? { WebACLId: s.webAclId } : { WebACLId: { 'Fn::GetAtt': ['Acl', 'Arn'] } } } },
    Acl: { Type: 'AWS::WAFv2::WebACL', Properties: {} },
    ...s.extra,
  } as Record<string, TemplateResource>;
  const stack: DeployedStack = { stackName: STACK, role: 'edge', region: 'us-east-1', template: { Resources: resources } };
  answerStackResources(cfn, stack, (id) => ({ Dist: DIST, Acl: 'oc-acme-prod|a1b2|CLOUDFRONT' })[id]);
  cf.on(GetDistributionConfigCommand, { Id: DIST }).resolves({ DistributionConfig: s.live ?? LIVE, ETag: 'E1' });
  cf.on(GetDistributionCommand, { Id: DIST }).resolves(s.distribution === null ? {} : { Distribution: (s.distribution ?? { Id: DIST, DomainName: 'd111111abcdef8.cloudfront.net', Status: 'Deployed' }) as never });
  waf.on(GetWebACLCommand, { Name: 'oc-acme-prod', Id: 'a1b2', Scope: 'CLOUDFRONT' }).resolves({ WebACL: { Name: 'oc-acme-prod', Id: 'a1b2', ARN: ACL_ARN, DefaultAction: { Allow: {} }, VisibilityConfig: undefined as never } });
  return new VerifyContext({
    name: 'oc-acme-prod',
    account: '111122223333',
    region: 'eu-west-1',
    stacks: [stack],
    settings: { edge: s.settings ?? SETTINGS } as unknown as VerifySettings,
    options: { writeProbes: false, now: NOW },
    http: s.http ?? (async () => ({ status: 200, headers: { 'X-Cache': 'Miss from cloudfront' }, body: '{"ok":true,"status":"live"}\n' })),
  });
}

describe('edge.waf-associated', () => {
  it("passes when the live WebACLId is the ARN of the template's web ACL", async () => {
    expect(await wafAssociated.run(context())).toEqual([{ check: 'edge.waf-associated', control: 'cloudfront-waf', status: 'pass', resource: DIST, evidence: `WebACLId ${ACL_ARN}` }]);
  });

  it("a distribution that lost its web ACL ('' in CloudFront's answer) fails naming the ACL it should have", async () => {
    const [r] = await wafAssociated.run(context({ live: { ...LIVE, WebACLId: '' } }));
    expect(r).toMatchObject({ status: 'fail', evidence: `WebACLId (none); expected ${ACL_ARN} (oc-acme-prod)` });
    const [other] = await wafAssociated.run(context({ live: { ...LIVE, WebACLId: `${ACL_ARN}-other` } }));
    expect(other!.evidence).toBe(`WebACLId ${ACL_ARN}-other; expected ${ACL_ARN} (oc-acme-prod)`);
  });

  it('a template that associates no web ACL of its stack (none, a literal ARN, a reference to something else) fails so', async () => {
    const bucket = { Logs: { Type: 'AWS::S3::Bucket', Properties: {} } as TemplateResource };
    for (const webAclId of [undefined, ACL_ARN, { 'Fn::GetAtt': ['Logs', 'Arn'] }, { Ref: 'Gone' }]) {
      expect({ webAclId, r: await wafAssociated.run(context({ webAclId, extra: bucket })) }).toEqual({
        webAclId,
        r: [{ check: 'edge.waf-associated', control: 'cloudfront-waf', status: 'fail', resource: DIST, evidence: `WebACLId ${ACL_ARN}; the template associates no web ACL of this stack` }],
      });
    }
    expect(waf.commandCalls(GetWebACLCommand)).toHaveLength(0);
  });
});

describe('edge.viewer-tls', () => {
  const WANT = 'MinimumProtocolVersion TLSv1.2_2021, SSLSupportMethod sni-only, certificate acm, every behaviour https-only or redirect-to-https';
  const PASS = 'MinimumProtocolVersion TLSv1.2_2021, SSLSupportMethod sni-only, certificate acm, viewer protocol default https-only, /agents/* redirect-to-https';

  it('passes with the policy, SNI, the ACM certificate and every behaviour on HTTPS, listing each behaviour', async () => {
    expect(await viewerTls.run(context())).toEqual([{ check: 'edge.viewer-tls', control: 'cloudfront-https-only', status: 'pass', resource: DIST, evidence: PASS }]);
  });

  it('each certificate setting differing on its own fails', async () => {
    const cert = LIVE.ViewerCertificate!;
    const cases: [DistributionConfig['ViewerCertificate'], string][] = [
      [{ ...cert, MinimumProtocolVersion: 'TLSv1.2_2019' }, 'MinimumProtocolVersion TLSv1.2_2019, SSLSupportMethod sni-only, certificate acm'],
      [{ ...cert, SSLSupportMethod: 'vip' }, 'MinimumProtocolVersion TLSv1.2_2021, SSLSupportMethod vip, certificate acm'],
      [{ ...cert, CertificateSource: 'iam' }, 'MinimumProtocolVersion TLSv1.2_2021, SSLSupportMethod sni-only, certificate iam'],
      [undefined, 'MinimumProtocolVersion (none), SSLSupportMethod (none), certificate (none)'],
    ];
    for (const [ViewerCertificate, seen] of cases) {
      const [r] = await viewerTls.run(context({ live: { ...LIVE, ViewerCertificate } }));
      expect(r).toMatchObject({ status: 'fail', evidence: `${seen}, viewer protocol default https-only, /agents/* redirect-to-https; expected ${WANT}` });
    }
  });

  it('a behaviour that serves plain HTTP, or says nothing, fails; a behaviour without a path is shown as ?', async () => {
    const live = { ...LIVE, CacheBehaviors: { Quantity: 2, Items: [{ PathPattern: '/agents/*', TargetOriginId: 'nginx', ViewerProtocolPolicy: 'allow-all' as const }, { TargetOriginId: 'nginx' }] } } as DistributionConfig;
    const [r] = await viewerTls.run(context({ live }));
    expect(r!.evidence).toBe(`MinimumProtocolVersion TLSv1.2_2021, SSLSupportMethod sni-only, certificate acm, viewer protocol default https-only, /agents/* allow-all, ? (none); expected ${WANT}`);
    const [d] = await viewerTls.run(context({ live: { ...LIVE, DefaultCacheBehavior: { TargetOriginId: 'nginx' } as never, CacheBehaviors: undefined } }));
    expect(d).toMatchObject({ status: 'fail', evidence: `MinimumProtocolVersion TLSv1.2_2021, SSLSupportMethod sni-only, certificate acm, viewer protocol default (none); expected ${WANT}` });
    const [only] = await viewerTls.run(context({ live: { ...LIVE, CacheBehaviors: { Quantity: 0 } } }));
    expect(only).toMatchObject({ status: 'pass', evidence: 'MinimumProtocolVersion TLSv1.2_2021, SSLSupportMethod sni-only, certificate acm, viewer protocol default https-only' });
  });

  it("a configuration without a default behaviour at all (the SDK's type allows it) reads as (none), not a TypeError", async () => {
    const [r] = await viewerTls.run(context({ live: { ...LIVE, DefaultCacheBehavior: undefined, CacheBehaviors: undefined } }));
    expect(r!.evidence).toBe(`MinimumProtocolVersion TLSv1.2_2021, SSLSupportMethod sni-only, certificate acm, viewer protocol default (none); expected ${WANT}`);
  });
});

describe('edge.request-reaches-gateway', () => {
  const WANT = (status: string) => `HTTP 200 {"ok":true,"status":"live"} from the gateway (distribution ${DIST}${status})`;

  it('without a custom domain, the requests go to the distribution’s own name; the evidence names the status', async () => {
    const urls: string[] = [];
    const http: HttpRequester = async (url, init) => {
      urls.push(`${init?.method} ${url}`);
      return { status: 403, headers: {}, body: '<html>Request blocked</html>' };
    };
    const results = await requestReachesGateway.run(context({ settings: { ...SETTINGS, request: { ...SETTINGS.request, host: undefined } }, http }));
    expect(urls).toEqual(['GET https://d111111abcdef8.cloudfront.net/agents/ops/healthz', 'GET https://d111111abcdef8.cloudfront.net/agents/support/healthz']);
    expect(results[0]).toEqual({
      check: 'edge.request-reaches-gateway',
      control: 'edge-request-reaches-gateway',
      status: 'fail',
      resource: 'https://d111111abcdef8.cloudfront.net/agents/ops/healthz',
      evidence: `HTTP 403 <html>Request blocked</html>; expected ${WANT(' Deployed')}`,
    });
  });

  it('a distribution answered without its domain name, or without the distribution, fails without a request', async () => {
    let asked = 0;
    const http: HttpRequester = async () => {
      asked += 1;
      return { status: 200, headers: {}, body: '' };
    };
    const noHost = { ...SETTINGS, request: { ...SETTINGS.request, host: undefined } };
    for (const distribution of [{ Id: DIST, Status: 'InProgress' }, null]) {
      expect(await requestReachesGateway.run(context({ settings: noHost, distribution, http }))).toEqual([
        { check: 'edge.request-reaches-gateway', control: 'edge-request-reaches-gateway', status: 'fail', resource: DIST, evidence: 'GetDistribution returned no domain name' },
      ]);
    }
    expect(asked).toBe(0);
  });

  it('a distribution answered without its status is named without one', async () => {
    const [r] = await requestReachesGateway.run(context({ distribution: { Id: DIST, DomainName: 'd111111abcdef8.cloudfront.net' }, http: async () => ({ status: 502, headers: {}, body: '' }) }));
    expect(r!.evidence).toBe(`HTTP 502 ; expected ${WANT('')}`);
    // With a custom domain the request needs no domain name from CloudFront: an answer without the distribution still checks the path.
    const [c] = await requestReachesGateway.run(context({ distribution: null, http: async () => ({ status: 502, headers: {}, body: '' }) }));
    expect(c).toMatchObject({ resource: 'https://agents.example.com/agents/ops/healthz', evidence: `HTTP 502 ; expected ${WANT('')}` });
  });

  it("the gateway's exact answer: the status and the body (surrounding whitespace aside) both; x-cache in any case", async () => {
    const answers: [number, string, Record<string, string>][] = [
      [200, '  {"ok":true,"status":"live"}\n', { 'x-cache': 'Miss from cloudfront' }],
      [200, '{"ok":true,"status":"ready"}', { 'X-CACHE': 'Hit from cloudfront' }],
      [503, '{"ok":true,"status":"live"}', { 'X-Cache': 'Error from cloudfront' }],
    ];
    let n = 0;
    const http: HttpRequester = async () => {
      const [status, body, headers] = answers[n++]!;
      return { status, body, headers: { 'content-type': 'application/json', ...headers } };
    };
    const paths = ['/agents/ops/healthz', '/agents/support/healthz', '/agents/third/healthz'];
    const results = await requestReachesGateway.run(context({ http, settings: { ...SETTINGS, request: { ...SETTINGS.request, paths } } }));
    expect(results.map((r) => [r.status, r.evidence])).toEqual([
      ['pass', 'HTTP 200 {"ok":true,"status":"live"} (x-cache Miss from cloudfront)'],
      ['fail', `HTTP 200 {"ok":true,"status":"ready"} (x-cache Hit from cloudfront); expected ${WANT(' Deployed')}`],
      ['fail', `HTTP 503 {"ok":true,"status":"live"} (x-cache Error from cloudfront); expected ${WANT(' Deployed')}`],
    ]);
  });

  it('a long or multi-line body is quoted on one line, cut at 120 characters', async () => {
    const page = `<html>\n  <body>\n\t${'x'.repeat(130)}</body>\n</html>`;
    const exact = `${'y'.repeat(120)}`;
    let n = 0;
    const http: HttpRequester = async () => ({ status: 403, headers: {}, body: [page, exact][n++]! });
    const results = await requestReachesGateway.run(context({ http }));
    expect(results.map((r) => r.evidence)).toEqual([
      `HTTP 403 ${`<html>\n  <body>\n\t${'x'.repeat(130)}`.slice(0, 120).replace(/\s+/g, ' ')}...; expected ${WANT(' Deployed')}`,
      `HTTP 403 ${exact}; expected ${WANT(' Deployed')}`,
    ]);
    expect(results[0]!.evidence.startsWith('HTTP 403 <html> <body> xxx')).toBe(true);
  });

  it('no answer at all names the error, and the next path is still asked', async () => {
    let n = 0;
    const http: HttpRequester = async () => {
      n += 1;
      if (n === 1) throw new Error('getaddrinfo ENOTFOUND agents.example.com');
      return { status: 200, headers: { 'x-cache': 'Miss from cloudfront' }, body: '{"ok":true,"status":"live"}' };
    };
    expect((await requestReachesGateway.run(context({ http }))).map((r) => [r.status, r.evidence])).toEqual([
      ['fail', `no answer (getaddrinfo ENOTFOUND agents.example.com); expected HTTP 200 {"ok":true,"status":"live"} from the gateway`],
      ['pass', 'HTTP 200 {"ok":true,"status":"live"} (x-cache Miss from cloudfront)'],
    ]);
  });
});

test('the edge checks, in order, with their metadata', () => {
  expect(EDGE_LIVE_CHECKS.map((c) => [c.id, c.control, c.concern, c.daily, c.needs, c.iam])).toEqual([
    ['edge.waf-associated', 'cloudfront-waf', 'edge', true, undefined, ['cloudfront:GetDistributionConfig', 'wafv2:GetWebACL']],
    ['edge.waf-rules-block', 'waf-rules', 'edge', true, undefined, ['wafv2:GetWebACL']],
    ['edge.waf-logging', 'waf-logging', 'edge', true, undefined, ['wafv2:GetWebACL', 'wafv2:GetLoggingConfiguration']],
    ['edge.viewer-tls', 'cloudfront-https-only', 'edge', true, undefined, ['cloudfront:GetDistributionConfig']],
    ['edge.request-reaches-gateway', 'edge-request-reaches-gateway', 'edge', false, 'edge-request', ['cloudfront:GetDistribution']],
  ]);
  expect([wafAssociated.title, viewerTls.title, requestReachesGateway.title]).toEqual([
    "The distribution is associated with the deployment's web ACL",
    'Viewers reach CloudFront over HTTPS only, with the TLS security policy in force for the config',
    "A request through CloudFront to each agent's path passes the WAF and nginx and gets that gateway's own answer",
  ]);
});
