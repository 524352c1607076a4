import type { SynthesizedTemplate } from '../compliance/evaluate';

/** The viewer TLS security policy CloudFront applies to one distribution. */
export interface ViewerTls {
  /** `<stackName>/<logicalId>` of the distribution. */
  readonly distribution: string;
  /** The security policy in force, e.g. `TLSv1.2_2021`, or `TLSv1` with the default certificate. */
  readonly policy: string;
  /** How the policy comes about, for the report. */
  readonly basis: string;
}

interface ViewerCertificate {
  readonly AcmCertificateArn?: unknown;
  readonly IamCertificateId?: unknown;
  readonly CloudFrontDefaultCertificate?: unknown;
  readonly MinimumProtocolVersion?: unknown;
}

/**
 * Reads the viewer TLS policy from the synthesized templates the way
 * CloudFront applies it: with the default *.cloudfront.net certificate
 * (no ViewerCertificate, or CloudFrontDefaultCertificate) AWS fixes the
 * policy at TLSv1 whatever MinimumProtocolVersion says; with an ACM (or IAM)
 * certificate the distribution's MinimumProtocolVersion applies, TLSv1 when unset.
 */
export function viewerTlsInForce(templates: readonly SynthesizedTemplate[]): ViewerTls[] {
  const out: ViewerTls[] = [];
  for (const t of templates) {
    for (const [logicalId, r] of Object.entries(t.template.Resources ?? {})) {
      if (r.Type !== 'AWS::CloudFront::Distribution') continue;
      const config = (r.Properties?.DistributionConfig ?? {}) as { ViewerCertificate?: ViewerCertificate; Aliases?: unknown };
      const cert = config.ViewerCertificate;
      const id = `${t.stackName}/${logicalId}`;
      if (!cert || cert.CloudFrontDefaultCertificate === true || (cert.AcmCertificateArn === undefined && cert.IamCertificateId === undefined)) {
        out.push({ distribution: id, policy: 'TLSv1', basis: 'CloudFront default *.cloudfront.net certificate, whose security policy AWS fixes at TLSv1' });
      } else {
        const policy = typeof cert.MinimumProtocolVersion === 'string' ? cert.MinimumProtocolVersion : 'TLSv1';
        const aliases = Array.isArray(config.Aliases) ? config.Aliases.join(', ') : '';
        out.push({ distribution: id, policy, basis: `custom domain ${aliases} with its ACM certificate (SNI), security policy ${policy}` });
      }
    }
  }
  return out;
}
