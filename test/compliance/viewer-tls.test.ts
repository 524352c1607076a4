import type { SynthesizedTemplate } from '../../lib/compliance/evaluate';
import { viewerTlsInForce } from '../../lib/edge/viewer-tls';

// The viewer TLS policy CloudFront applies: fixed at TLSv1 with the default certificate
// whatever MinimumProtocolVersion says; the distribution's MinimumProtocolVersion (TLSv1 when unset) with an ACM or IAM certificate.
const DEFAULT_BASIS = 'CloudFront default *.cloudfront.net certificate, whose security policy AWS fixes at TLSv1';
const template = (stackName: string, resources?: SynthesizedTemplate['template']['Resources']): SynthesizedTemplate => ({
  stackName,
  templateFile: `${stackName}.template.json`,
  template: resources === undefined ? {} : { Resources: resources },
});
const dist = (config?: Record<string, unknown>) => ({ Type: 'AWS::CloudFront::Distribution', ...(config === undefined ? {} : { Properties: { DistributionConfig: config } }) });

test('the default certificate in every form gives TLSv1, whatever MinimumProtocolVersion says', () => {
  expect(
    viewerTlsInForce([
      template('edge', {
        NoProps: dist(),
        NoCert: dist({}),
        Flag: dist({ ViewerCertificate: { CloudFrontDefaultCertificate: true, MinimumProtocolVersion: 'TLSv1.2_2021' } }),
        FlagAndAcm: dist({ ViewerCertificate: { CloudFrontDefaultCertificate: true, AcmCertificateArn: 'arn:cert', MinimumProtocolVersion: 'TLSv1.2_2021' } }),
        NeitherCert: dist({ ViewerCertificate: { MinimumProtocolVersion: 'TLSv1.2_2021' } }),
      }),
    ]),
  ).toEqual(['NoProps', 'NoCert', 'Flag', 'FlagAndAcm', 'NeitherCert'].map((id) => ({ distribution: `edge/${id}`, policy: 'TLSv1', basis: DEFAULT_BASIS })));
});

test('an ACM or IAM certificate applies MinimumProtocolVersion, TLSv1 when unset or not a string, and names the aliases', () => {
  expect(
    viewerTlsInForce([
      template('edge', {
        Acm: dist({ Aliases: ['a.example.com', 'b.example.com'], ViewerCertificate: { AcmCertificateArn: 'arn:cert', MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' } }),
        Iam: dist({ Aliases: ['c.example.com'], ViewerCertificate: { IamCertificateId: 'cert-id', CloudFrontDefaultCertificate: false } }),
        Token: dist({ ViewerCertificate: { AcmCertificateArn: 'arn:cert', MinimumProtocolVersion: { Ref: 'Policy' } } }),
        AliasToken: dist({ Aliases: { Ref: 'Aliases' }, ViewerCertificate: { AcmCertificateArn: 'arn:cert', MinimumProtocolVersion: 'TLSv1.2_2019' } }),
      }),
    ]),
  ).toEqual([
    { distribution: 'edge/Acm', policy: 'TLSv1.2_2021', basis: 'custom domain a.example.com, b.example.com with its ACM certificate (SNI), security policy TLSv1.2_2021' },
    { distribution: 'edge/Iam', policy: 'TLSv1', basis: 'custom domain c.example.com with its ACM certificate (SNI), security policy TLSv1' },
    { distribution: 'edge/Token', policy: 'TLSv1', basis: 'custom domain  with its ACM certificate (SNI), security policy TLSv1' },
    { distribution: 'edge/AliasToken', policy: 'TLSv1.2_2019', basis: 'custom domain  with its ACM certificate (SNI), security policy TLSv1.2_2019' },
  ]);
});

test('only distributions are read, in every template, in order; a template without resources gives none', () => {
  expect(
    viewerTlsInForce([
      template('core'),
      template('edge-1', { Bucket: { Type: 'AWS::S3::Bucket', Properties: { DistributionConfig: {} } }, D: dist() }),
      template('edge-2', { D: dist({ ViewerCertificate: { AcmCertificateArn: 'arn:cert', MinimumProtocolVersion: 'TLSv1.2_2021' }, Aliases: ['x.example.com'] }) }),
    ]),
  ).toEqual([
    { distribution: 'edge-1/D', policy: 'TLSv1', basis: DEFAULT_BASIS },
    { distribution: 'edge-2/D', policy: 'TLSv1.2_2021', basis: 'custom domain x.example.com with its ACM certificate (SNI), security policy TLSv1.2_2021' },
  ]);
  expect(viewerTlsInForce([])).toEqual([]);
});
