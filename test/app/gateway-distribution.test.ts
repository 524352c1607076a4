import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { CLOUDFRONT_LOG_FIELDS, FORWARDED_HEADERS, GatewayDistribution, viewerTlsPolicy } from '../../lib/edge/gateway-distribution';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// The CloudFront distribution on a bare us-east-1 stack (not the whole app): the response
// security headers, the origin request policy, the viewer and origin protocols, the web
// ACL attachment and the access-log delivery, pinned exactly, for the default
// certificate (no edge.customDomain) and a custom domain, with example/prod's edge config.

const { config } = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'prod', now: NOW });
const WEB_ACL = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/openclaw-test-prod/0a1b2c3d';
const AUDIT = 'arn:aws:s3:::aws-waf-logs-openclaw-test-prod-123456789012';

function synth(customDomain: (typeof config.edge)['customDomain']) {
  const stack = new Stack(new App(), 'Edge', { env: { account: '123456789012', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const instance = new ec2.Instance(stack, 'Host', {
    vpc,
    instanceType: new ec2.InstanceType('t4g.small'),
    machineImage: ec2.MachineImage.genericLinux({ 'us-east-1': 'ami-0fedcba9876543210' }),
  });
  const cdn = new GatewayDistribution(stack, 'Cdn', {
    edge: { ...config.edge, customDomain },
    instance,
    webAclArn: WEB_ACL,
    originVerifyValue: 'not-a-secret-in-this-test',
    name: 'openclaw-test-prod',
    auditBucketArn: AUDIT,
  });
  return { stack, cdn, template: Template.fromStack(stack) };
}
const one = (t: Template, type: string) => {
  const all = Object.entries(t.findResources(type));
  expect(all).toHaveLength(1);
  return { id: all[0]![0], props: all[0]![1].Properties as Record<string, unknown> };
};

describe('default certificate (no edge.customDomain)', () => {
  const { stack, template } = synth(undefined);
  const dist = () => one(template, 'AWS::CloudFront::Distribution').props.DistributionConfig as Record<string, unknown>;

  test('the config read here: proxy port 8080, header x-origin-verify', () => {
    expect([config.edge.proxyPort, config.edge.originVerifyHeader]).toEqual([8080, 'x-origin-verify']);
  });

  test('security response headers: HSTS two years with subdomains, nosniff, DENY framing, strict referrer, XSS block; Server and X-Powered-By removed', () => {
    expect(one(template, 'AWS::CloudFront::ResponseHeadersPolicy').props).toEqual({
      ResponseHeadersPolicyConfig: {
        Name: 'openclaw-test-prod-security-headers',
        SecurityHeadersConfig: {
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Preload: false, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
          XSSProtection: { Protection: true, ModeBlock: true, Override: true },
        },
        RemoveHeadersConfig: { Items: [{ Header: 'Server' }, { Header: 'X-Powered-By' }] },
      },
    });
  });

  test('the origin gets only the headers the gateway needs, the query string, and no cookies', () => {
    expect(one(template, 'AWS::CloudFront::OriginRequestPolicy').props).toEqual({
      OriginRequestPolicyConfig: {
        Name: 'openclaw-test-prod-origin-request',
        Comment: 'Only the headers the OpenClaw gateway needs',
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: [...FORWARDED_HEADERS] },
        QueryStringsConfig: { QueryStringBehavior: 'all' },
        CookiesConfig: { CookieBehavior: 'none' },
      },
    });
    expect(FORWARDED_HEADERS).toEqual([
      'Origin', 'Sec-WebSocket-Key', 'Sec-WebSocket-Version', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Extensions',
      'Accept', 'Accept-Language', 'Content-Type', 'User-Agent', 'CloudFront-Viewer-Address',
    ]);
  });

  test('viewers over HTTPS only, no caching, the web ACL attached, the origin over the VPC origin with the origin-verify header', () => {
    const d = dist();
    const rhp = one(template, 'AWS::CloudFront::ResponseHeadersPolicy').id;
    const orp = one(template, 'AWS::CloudFront::OriginRequestPolicy').id;
    expect(d.DefaultCacheBehavior).toEqual({
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      Compress: true,
      OriginRequestPolicyId: { Ref: orp },
      ResponseHeadersPolicyId: { Ref: rhp },
      TargetOriginId: expect.any(String),
      ViewerProtocolPolicy: 'https-only',
    });
    expect(d).toMatchObject({ Enabled: true, HttpVersion: 'http2and3', PriceClass: 'PriceClass_100', WebACLId: WEB_ACL, Comment: 'OpenClaw gateway openclaw-test-prod' });
    expect(d.Aliases).toBeUndefined();
    expect(d.ViewerCertificate).toBeUndefined();
    const [origin] = d.Origins as Record<string, unknown>[];
    expect(origin).toMatchObject({
      OriginCustomHeaders: [{ HeaderName: 'x-origin-verify', HeaderValue: 'not-a-secret-in-this-test' }],
      VpcOriginConfig: { OriginReadTimeout: 60, OriginKeepaliveTimeout: 60, VpcOriginId: expect.anything() },
    });
    expect(one(template, 'AWS::CloudFront::VpcOrigin').props.VpcOriginEndpointConfig).toMatchObject({ HTTPPort: 8080, OriginProtocolPolicy: 'http-only' });
  });

  test('the access log records leave out the query string, the Referer (a full URL) and cookies, and keep the 30 other fields of CloudFront\'s reference', () => {
    expect(CLOUDFRONT_LOG_FIELDS).toHaveLength(30);
    expect(new Set(CLOUDFRONT_LOG_FIELDS).size).toBe(30);
    for (const left of ['cs-uri-query', 'cs(Referer)', 'cs(Cookie)']) expect(CLOUDFRONT_LOG_FIELDS).not.toContain(left);
    expect(CLOUDFRONT_LOG_FIELDS.filter((f) => /query|referer|cookie/i.test(f))).toEqual([]);
  });

  test('access logs (standard logging v2) delivered as JSON to the audit bucket', () => {
    const source = one(template, 'AWS::Logs::DeliverySource');
    const destination = one(template, 'AWS::Logs::DeliveryDestination');
    expect(source.props).toMatchObject({ Name: 'openclaw-test-prod-cf-access', LogType: 'ACCESS_LOGS' });
    expect(JSON.stringify(source.props.ResourceArn)).toContain(':cloudfront::123456789012:distribution/');
    expect(destination.props).toEqual({ Name: 'openclaw-test-prod-cf-access-audit', DestinationResourceArn: AUDIT, OutputFormat: 'json' });
    expect(one(template, 'AWS::Logs::Delivery').props).toEqual({
      DeliverySourceName: 'openclaw-test-prod-cf-access',
      DeliveryDestinationArn: { 'Fn::GetAtt': [destination.id, 'Arn'] },
      RecordFields: [...CLOUDFRONT_LOG_FIELDS],
    });
    // The delivery names its source by name, not Ref: without DependsOn CloudFormation could create it first and fail.
    expect((template.toJSON().Resources[one(template, 'AWS::Logs::Delivery').id] as { DependsOn?: string[] }).DependsOn).toEqual([source.id]);
  });

  test('acknowledges exactly the findings it explains, the default-certificate TLS ones only without a custom domain', () => {
    const rules = collectAcknowledgements(stack).filter((a) => a.madeBy === 'blueprint' && a.path === 'Edge/Cdn/Distribution/Resource').map((a) => a.rule);
    expect(rules).toEqual([
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR3',
      'cdk-validator-cfnguard::cloudfront_access_logs_enabled_check',
      'cdk-validator-cfnguard::cloudfront_default_root_object_configured_check',
      'cdk-validator-cfnguard::cloudfront_origin_failover_enabled_check',
      'AwsSolutions-CFR4',
      'cdk-validator-cfnguard::cloudfront_custom_ssl_certificate_check',
      'cdk-validator-cfnguard::cloudfront_sni_enabled_check',
      'cdk-validator-cfnguard::cloudfront_security_policy_check',
    ]);
  });
});

describe('custom domain', () => {
  const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
  const { stack, template } = synth({ domainName: 'agents.example.com', certificateArn: CERT });

  test('TLSv1.2_2021 with SNI on the configured name and certificate', () => {
    const d = one(template, 'AWS::CloudFront::Distribution').props.DistributionConfig as Record<string, unknown>;
    expect(d.Aliases).toEqual(['agents.example.com']);
    expect(d.ViewerCertificate).toEqual({ AcmCertificateArn: CERT, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
  });

  test('no default-certificate TLS finding is acknowledged', () => {
    const rules = collectAcknowledgements(stack).filter((a) => a.madeBy === 'blueprint').map((a) => a.rule);
    expect(rules.filter((r) => /CFR4|custom_ssl|sni_enabled|security_policy/.test(r))).toEqual([]);
    expect(rules).toContain('AwsSolutions-CFR1');
  });
});

test('the viewer TLS policy the compliance report names: TLSv1.2_2021 with a custom domain, TLSv1 (fixed by AWS) on the default certificate', () => {
  expect(viewerTlsPolicy({ customDomain: { domainName: 'agents.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x' } })).toBe('TLSv1.2_2021');
  expect(viewerTlsPolicy({ customDomain: undefined })).toBe('TLSv1');
});
