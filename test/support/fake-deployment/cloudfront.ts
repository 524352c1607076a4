/**
 * CloudFront of the fake deployment: GetDistributionConfig and GetDistribution
 * answer from the templates' AWS::CloudFront::Distribution resources, turned
 * into the API's shapes the way CloudFront reports them (Quantity/Items lists,
 * ViewerCertificate with CertificateSource, TLSv1 and `vip` for the default
 * certificate, WebACLId as the WAFv2 web ACL's ARN). Drift tests change
 * `cloudFrontState(world)`; deleting world.state.cloudfront restores it.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudFrontClient,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  NoSuchDistribution,
  type CacheBehavior,
  type DistributionConfig,
  type ViewerCertificate,
} from '@aws-sdk/client-cloudfront';
import type { FakeWorld, ServiceFake } from './world';

export interface FakeDistribution {
  /** The distribution ID (the template resource's Ref). */
  readonly id: string;
  readonly arn: string;
  /** `d....cloudfront.net` (the resource's DomainName attribute). */
  domainName: string;
  /** `Deployed` once settled. */
  status: string;
  /** What GetDistributionConfig returns; drift tests change it. */
  config: DistributionConfig;
}

const list = <T>(items: readonly T[] | undefined) => ({ Quantity: items?.length ?? 0, ...(items?.length ? { Items: [...items] } : {}) });

type Cfn = Record<string, unknown>;

/** CloudFormation's ViewerCertificate -> the API's, as CloudFront fills it in. */
function viewerCertificate(c: Cfn | undefined): ViewerCertificate {
  if (!c || c.CloudFrontDefaultCertificate === true || (c.AcmCertificateArn === undefined && c.IamCertificateId === undefined)) {
    // The *.cloudfront.net certificate: CloudFront reports TLSv1 and vip whatever was asked.
    return { CloudFrontDefaultCertificate: true, CertificateSource: 'cloudfront', SSLSupportMethod: 'vip', MinimumProtocolVersion: 'TLSv1' };
  }
  const acm = c.AcmCertificateArn as string | undefined;
  return {
    CloudFrontDefaultCertificate: false,
    ...(acm ? { ACMCertificateArn: acm, Certificate: acm, CertificateSource: 'acm' } : { IAMCertificateId: c.IamCertificateId as string, CertificateSource: 'iam' }),
    SSLSupportMethod: (c.SslSupportMethod as ViewerCertificate['SSLSupportMethod']) ?? 'sni-only',
    MinimumProtocolVersion: (c.MinimumProtocolVersion as ViewerCertificate['MinimumProtocolVersion']) ?? 'TLSv1',
  };
}

const behaviour = (b: Cfn) => ({
  ...(b.PathPattern !== undefined ? { PathPattern: b.PathPattern as string } : {}),
  TargetOriginId: b.TargetOriginId as string,
  ViewerProtocolPolicy: b.ViewerProtocolPolicy as CacheBehavior['ViewerProtocolPolicy'],
  AllowedMethods: { ...list(b.AllowedMethods as CacheBehavior['ViewerProtocolPolicy'][] | undefined), CachedMethods: list(['HEAD', 'GET']) },
  CachePolicyId: b.CachePolicyId as string | undefined,
  OriginRequestPolicyId: b.OriginRequestPolicyId as string | undefined,
  ResponseHeadersPolicyId: b.ResponseHeadersPolicyId as string | undefined,
  Compress: (b.Compress as boolean | undefined) ?? false,
});

function distributionsOf(world: FakeWorld): Map<string, FakeDistribution> {
  const out = new Map<string, FakeDistribution>();
  for (const r of world.resources('AWS::CloudFront::Distribution')) {
    const c = (world.properties(r).DistributionConfig ?? {}) as Cfn;
    const id = world.physicalId(r.role, r.logicalId);
    const origins = ((c.Origins as Cfn[] | undefined) ?? []).map((o) => ({
      Id: o.Id as string,
      DomainName: o.DomainName as string,
      CustomHeaders: list(((o.OriginCustomHeaders as Cfn[] | undefined) ?? []).map((h) => ({ HeaderName: h.HeaderName as string, HeaderValue: h.HeaderValue as string }))),
      ...(o.VpcOriginConfig ? { VpcOriginConfig: o.VpcOriginConfig as never } : {}),
    }));
    const config: DistributionConfig = {
      CallerReference: r.logicalId,
      Aliases: list(c.Aliases as string[] | undefined),
      Comment: (c.Comment as string | undefined) ?? '',
      Enabled: c.Enabled as boolean,
      HttpVersion: c.HttpVersion as DistributionConfig['HttpVersion'],
      IsIPV6Enabled: (c.IPV6Enabled as boolean | undefined) ?? false,
      PriceClass: (c.PriceClass as DistributionConfig['PriceClass']) ?? 'PriceClass_All',
      Origins: list(origins) as DistributionConfig['Origins'],
      DefaultCacheBehavior: behaviour((c.DefaultCacheBehavior ?? {}) as Cfn) as DistributionConfig['DefaultCacheBehavior'],
      CacheBehaviors: list(((c.CacheBehaviors as Cfn[] | undefined) ?? []).map(behaviour)) as DistributionConfig['CacheBehaviors'],
      ViewerCertificate: viewerCertificate(c.ViewerCertificate as Cfn | undefined),
      WebACLId: (c.WebACLId as string | undefined) ?? '',
    };
    const domainName = world.resolve(r.role, { 'Fn::GetAtt': [r.logicalId, 'DomainName'] }) as string;
    out.set(id, { id, arn: `arn:aws:cloudfront::${world.account}:distribution/${id}`, domainName, status: 'Deployed', config });
  }
  return out;
}

/** The fake's distributions by ID (built from the templates on first use). */
export function cloudFrontState(world: FakeWorld): Map<string, FakeDistribution> {
  world.state.cloudfront ??= distributionsOf(world);
  return world.state.cloudfront as Map<string, FakeDistribution>;
}

export const cloudFrontFake: ServiceFake = (world) => {
  const cf = mockClient(CloudFrontClient);
  const get = (id: string | undefined) => {
    const d = id === undefined ? undefined : cloudFrontState(world).get(id);
    if (!d) throw new NoSuchDistribution({ message: 'The specified distribution does not exist.', $metadata: { httpStatusCode: 404 } });
    return d;
  };
  cf.on(GetDistributionConfigCommand).callsFake(async (input: { Id?: string }) => {
    const d = get(input.Id);
    return { DistributionConfig: structuredClone(d.config), ETag: `E${d.id.slice(1, 8)}` };
  });
  cf.on(GetDistributionCommand).callsFake(async (input: { Id?: string }) => {
    const d = get(input.Id);
    return {
      Distribution: { Id: d.id, ARN: d.arn, Status: d.status, DomainName: d.domainName, InProgressInvalidationBatches: 0, LastModifiedTime: new Date('2026-11-01T00:00:00Z'), DistributionConfig: structuredClone(d.config) },
      ETag: `E${d.id.slice(1, 8)}`,
    };
  });
  return [cf];
};
