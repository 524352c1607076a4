import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EdgeConfig } from './config-schema';
import { acknowledgeFinding } from '../gate/acknowledge';

export interface GatewayDistributionProps {
  /** config.edge: the proxy port, the origin-verify header's name and the optional custom domain. */
  readonly edge: EdgeConfig;
  /** The gateway host, reached through a CloudFront VPC origin. */
  readonly instance: ec2.IInstance;
  /** ARN of the CLOUDFRONT-scope web ACL. */
  readonly webAclArn: string;
  /** The origin-verify value, as a CloudFormation dynamic reference (never a literal). */
  readonly originVerifyValue: string;
  /** Names the distribution's policies. */
  readonly name: string;
  /** The object-locked us-east-1 audit bucket: access logs are delivered there (AWSLogs/<account>/CloudFront/). */
  readonly auditBucketArn: string;
}

/**
 * The viewer TLS security policy CloudFront applies: TLSv1.2_2021 with a
 * custom domain and its ACM certificate (SNI); with the default
 * *.cloudfront.net certificate AWS fixes the policy at TLSv1, whatever the
 * distribution asks for.
 */
export const VIEWER_TLS_POLICY = {
  customDomain: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
  defaultCertificate: cloudfront.SecurityPolicyProtocol.TLS_V1,
} as const;

/** The viewer TLS policy in force for an edge config (for the compliance report and docs/edge.md, "Viewer TLS"). */
export const viewerTlsPolicy = (edge: Pick<EdgeConfig, 'customDomain'>): string =>
  edge.customDomain ? VIEWER_TLS_POLICY.customDomain : VIEWER_TLS_POLICY.defaultCertificate;

/** Viewer headers the gateway needs: WebSocket handshake, Origin check, content negotiation, the viewer address. */
export const FORWARDED_HEADERS = [
  'Origin',
  'Sec-WebSocket-Key',
  'Sec-WebSocket-Version',
  'Sec-WebSocket-Protocol',
  'Sec-WebSocket-Extensions',
  'Accept',
  'Accept-Language',
  'Content-Type',
  'User-Agent',
  'CloudFront-Viewer-Address',
] as const;

/**
 * The fields of CloudFront's access log records (standard logging v2 lets a delivery choose
 * them): the 33 fields of CloudFront's "Log file fields" reference, in its order, without
 * cs-uri-query (the query string: the Control UI's image URLs carry a capability ticket in it,
 * lib/host/nginx-config.ts QUERY_CAPABILITY_PARAMS_PASSED), cs(Referer) (a full URL, query
 * included) and cs(Cookie). A name CloudFront does not know fails the deploy of the delivery
 * (see docs/edge.md, "First deploy").
 */
export const CLOUDFRONT_LOG_FIELDS = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(User-Agent)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
] as const;

/**
 * CloudFront in front of the gateway on its private host: HTTPS only for viewers (TLS 1.2
 * minimum with a custom domain), the WAF ACL attached, no caching, only the
 * headers the gateway needs forwarded, security response headers, an
 * origin-verify header on every origin request, and access logs delivered
 * (CloudWatch Logs standard logging v2) to the object-locked us-east-1 audit
 * bucket.
 */
export class GatewayDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: GatewayDistributionProps) {
    super(scope, id);
    const { edge } = props;
    const origin = origins.VpcOrigin.withEc2Instance(props.instance, {
      httpPort: edge.proxyPort,
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      customHeaders: { [edge.originVerifyHeader]: props.originVerifyValue },
      readTimeout: Duration.seconds(60),
      keepaliveTimeout: Duration.seconds(60),
    });
    const originRequestPolicy = new cloudfront.OriginRequestPolicy(this, 'OriginRequest', {
      originRequestPolicyName: `${props.name}-origin-request`,
      comment: 'Only the headers the OpenClaw gateway needs',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(...FORWARDED_HEADERS),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });
    const responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: `${props.name}-security-headers`,
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: false, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
      },
      removeHeaders: ['Server', 'X-Powered-By'],
    });
    const custom = edge.customDomain;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `OpenClaw gateway ${props.name}`,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy,
        responseHeadersPolicy,
        compress: true,
      },
      domainNames: custom ? [custom.domainName] : undefined,
      certificate: custom ? acm.Certificate.fromCertificateArn(this, 'Certificate', custom.certificateArn) : undefined,
      // Only with a custom certificate: the default *.cloudfront.net certificate's
      // security policy is fixed by AWS at TLSv1 and ignores this setting.
      minimumProtocolVersion: custom ? VIEWER_TLS_POLICY.customDomain : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      webAclId: props.webAclArn,
    });

    const cfn = this.distribution.node.defaultChild as cloudfront.CfnDistribution;
    const ack = (rule: string, reason: string) => acknowledgeFinding(cfn, rule, reason);
    ack('AwsSolutions-CFR1', 'Country restrictions are enforced by the WAF web ACL (edge.waf.geoAllowlist) so that they are logged and counted with the other WAF rules.');
    for (const rule of ['AwsSolutions-CFR3', 'cdk-validator-cfnguard::cloudfront_access_logs_enabled_check']) {
      ack(rule, 'Access logs are delivered by CloudWatch Logs standard logging (v2) to the object-locked audit bucket (AccessLogAuditDelivery), which this rule does not read; legacy S3 logging would need ACLs and SSE-S3.');
    }
    ack('cdk-validator-cfnguard::cloudfront_default_root_object_configured_check', 'The origin is an application proxy, not a bucket: "/" is served by the gateway itself, and a default root object would rewrite it to an object key.');
    ack('cdk-validator-cfnguard::cloudfront_origin_failover_enabled_check', 'One gateway host per client x environment by design (cost); a failover origin would need a second host. Recovery comes from the host being rebuilt with the same controls.');
    if (!custom) {
      const why = 'No custom domain is configured (edge.customDomain), so viewers use the *.cloudfront.net certificate, whose minimum protocol AWS fixes at TLSv1. Configure a custom domain and ACM certificate to enforce TLSv1.2_2021.';
      for (const rule of [
        'AwsSolutions-CFR4',
        'cdk-validator-cfnguard::cloudfront_custom_ssl_certificate_check',
        'cdk-validator-cfnguard::cloudfront_sni_enabled_check',
        'cdk-validator-cfnguard::cloudfront_security_policy_check',
      ]) {
        ack(rule, why);
      }
    }

    const source = new logs.CfnDeliverySource(this, 'AccessLogSource', {
      name: `${props.name}-cf-access`,
      logType: 'ACCESS_LOGS',
      resourceArn: Stack.of(this).formatArn({ service: 'cloudfront', region: '', resource: 'distribution', resourceName: this.distribution.distributionId }),
    });
    // Standard logging (v2) straight to the object-locked audit bucket: the tamper-evident record.
    const auditDestination = new logs.CfnDeliveryDestination(this, 'AccessLogAuditDestination', {
      name: `${props.name}-cf-access-audit`,
      destinationResourceArn: props.auditBucketArn,
      outputFormat: 'json',
    });
    const toAudit = new logs.CfnDelivery(this, 'AccessLogAuditDelivery', {
      deliverySourceName: source.name,
      deliveryDestinationArn: auditDestination.attrArn,
      recordFields: [...CLOUDFRONT_LOG_FIELDS],
    });
    toAudit.addResourceDependency(source);
  }
}
