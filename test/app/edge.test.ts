import { Match, Template } from 'aws-cdk-lib/assertions';
import type { BuiltApp } from '../../lib/app';
import { FORWARDED_HEADERS } from '../../lib/edge/gateway-distribution';
import type { GateFinding } from '../../lib/gate/finding';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';
import { buildForTest, gateFindings } from '../support/build';

// One synth of example/prod; assertions on the us-east-1 edge stack.
let built: BuiltApp;
let findings: GateFinding[];
let edge: Template;

beforeAll(() => {
  built = buildForTest({ client: 'example', env: 'prod' });
  findings = gateFindings(built);
  edge = Template.fromStack(built.deployments[0]!.stage.edge);
});

test('example/prod passes the gate', () => {
  expect(findings).toEqual([]);
});

test('the edge stack deploys to us-east-1, as CLOUDFRONT-scope WAF requires', () => {
  expect(built.deployments[0]!.stage.edge.region).toBe('us-east-1');
  expect(built.deployments[0]!.stage.edge.stackName).toBe('openclaw-example-prod-edge');
});

describe('WAF web ACL', () => {
  const rules = () => (Object.values(edge.findResources('AWS::WAFv2::WebACL'))[0]!.Properties.Rules as Record<string, unknown>[]);

  test('is CLOUDFRONT-scoped and attached to the distribution', () => {
    edge.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
    edge.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebAcl'), 'Arn'] } }),
    });
  });

  test('blocks per-IP floods at the configured rate', () => {
    expect(rules()).toContainEqual(
      expect.objectContaining({ Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } } }),
    );
  });

  test('runs the IP reputation, known bad inputs and common rule groups, and no optional ones by default', () => {
    const groups = rules().map((r) => (r.Statement as { ManagedRuleGroupStatement?: { Name: string } }).ManagedRuleGroupStatement?.Name).filter(Boolean);
    expect(groups).toEqual(['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesCommonRuleSet']);
  });

  test('logs to the object-locked us-east-1 audit bucket (aws-waf-logs-...) with credentials and query strings redacted', () => {
    const [bucketId, bucket] = Object.entries(edge.findResources('AWS::S3::Bucket', { Properties: { BucketName: 'aws-waf-logs-openclaw-example-prod-210987654321' } }))[0]!;
    expect(bucket.Properties.ObjectLockEnabled).toBe(true);
    edge.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LogDestinationConfigs: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }],
      RedactedFields: [
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'cookie' } },
        { SingleHeader: { Name: 'x-origin-verify' } },
        { QueryString: {} },
      ],
    });
  });
});

describe('CloudFront', () => {
  const config = () => Object.values(edge.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;

  test('serves viewers over HTTPS only, with no caching', () => {
    expect(config().DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'https-only',
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
    });
  });

  test('reaches the private instance through a VPC origin on the proxy port', () => {
    edge.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: Match.objectLike({ HTTPPort: 8080, OriginProtocolPolicy: 'http-only', Arn: Match.anyValue() }),
    });
    expect(config().Origins[0].VpcOriginConfig).toEqual(expect.objectContaining({ VpcOriginId: expect.anything() }));
  });

  test('sends the origin-verify header with the value from Secrets Manager, never a literal', () => {
    const [header] = config().Origins[0].OriginCustomHeaders;
    expect(header.HeaderName).toBe('x-origin-verify');
    expect(JSON.stringify(header.HeaderValue)).toMatch(/\{\{resolve:secretsmanager:/);
    edge.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: { Name: 'openclaw/example/prod/origin-verify', KmsKeyId: Match.anyValue(), GenerateSecretString: Match.objectLike({ PasswordLength: 48 }) },
    });
  });

  test('forwards only the headers the gateway needs, and no cookies', () => {
    edge.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: Match.objectLike({
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: [...FORWARDED_HEADERS] },
        CookiesConfig: { CookieBehavior: 'none' },
      }),
    });
  });

  test('adds security response headers', () => {
    edge.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
        }),
      }),
    });
  });

  test('delivers access logs (standard logging v2) to the object-locked audit bucket', () => {
    edge.hasResourceProperties('AWS::Logs::DeliverySource', { LogType: 'ACCESS_LOGS' });
    edge.resourceCountIs('AWS::Logs::Delivery', 1);
    const [bucketId] = Object.keys(edge.findResources('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true } }));
    edge.resourceCountIs('AWS::Logs::DeliveryDestination', 1);
    edge.hasResourceProperties('AWS::Logs::DeliveryDestination', { DestinationResourceArn: { 'Fn::GetAtt': [bucketId, 'Arn'] } });
  });

  test('example/prod has a custom domain: no default-certificate TLS finding is acknowledged, TLSv1.2_2021 is set', () => {
    const tls = collectAcknowledgements(built.app).filter((a) => a.path === 'example-prod/Edge/Cdn/Distribution/Resource' && /CFR4|security_policy|custom_ssl|sni/.test(a.rule));
    expect(tls).toEqual([]);
    expect(config().ViewerCertificate).toEqual(expect.objectContaining({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' }));
  });
});
