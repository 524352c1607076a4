import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { synthesizeWithGate } from '../../lib/app';
import { ConfigError } from '../../lib/config/errors';
import { loadConfig } from '../../lib/config/load';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';
import { buildForTest } from '../support/build';
import { configFixture, NOW } from '../support/config-fixture';

// CloudFront's default *.cloudfront.net certificate runs at TLSv1 whatever the
// distribution asks for; only a custom domain with an ACM certificate gets TLSv1.2_2021.
const PROD_NO_DOMAIN = 'aws:\n  account: "210987654321"\n';
const EXCEPTION =
  'exceptions:\n  - control: viewer-tls-default-certificate\n' +
  '    reason: Pilot for one internal team on the CloudFront domain until agents.acme.example is delegated.\n' +
  '    approvedBy: security@agency.example\n    expires: "2027-06-30"\n';

const distribution = (t: Template) => Object.values(t.findResources('AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;

test('prod without edge.customDomain and without an exception: ConfigError naming the file and key', () => {
  const root = configFixture({ 'clients/example/prod.yaml': PROD_NO_DOMAIN });
  const load = () => loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'example', env: 'prod' });
  expect(load).toThrow(ConfigError);
  expect(load).toThrow(
    /config\/clients\/example\/prod\.yaml: edge\.customDomain: not set in any of: config\/base\.yaml, config\/environments\/prod\.yaml, config\/clients\/example\/client\.yaml, config\/clients\/example\/prod\.yaml; the hardened control "viewer-tls-default-certificate" .*Set edge\.customDomain, or add to exceptions/,
  );
  fs.rmSync(root, { recursive: true, force: true });
});

test('dev and staging need no custom domain (not production)', () => {
  for (const env of ['dev', 'staging']) {
    expect(loadConfig({ configDir: path.join(configFixture(), 'config'), now: NOW, client: 'example', env }).config.edge.customDomain).toBeUndefined();
  }
});

test('an exception on a config with a custom domain is stale', () => {
  const root = configFixture({ 'clients/example/prod.yaml': fs.readFileSync(path.join(__dirname, '../../config/clients/example/prod.yaml'), 'utf8') + EXCEPTION });
  expect(() => loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'example', env: 'prod' })).toThrow(
    /exceptions\[0\]\.control: stale exception: "viewer-tls-default-certificate" is not weakened/,
  );
});

test('prod with the exception: synthesizes, no minimumProtocolVersion, and the report says TLSv1 and lists the exception', () => {
  const root = configFixture({ 'clients/example/prod.yaml': PROD_NO_DOMAIN + EXCEPTION });
  const built = buildForTest({ client: 'example', env: 'prod' }, path.join(root, 'config'), root);
  const passed = synthesizeWithGate(built, NOW);
  const cfg = distribution(Template.fromStack(built.deployments[0]!.stage.edge));
  expect(cfg.ViewerCertificate).toBeUndefined();
  expect(cfg.Aliases).toBeUndefined();
  // The default-certificate TLS findings are acknowledged on the distribution, with the way out in the reason.
  const tls = collectAcknowledgements(built.app).filter((a) => a.path === 'example-prod/Edge/Cdn/Distribution/Resource' && /CFR4|security_policy/.test(a.rule));
  expect(tls.map((a) => a.rule)).toEqual(['AwsSolutions-CFR4', 'cdk-validator-cfnguard::cloudfront_security_policy_check']);
  for (const a of tls) expect(a.reason).toMatch(/Configure a custom domain and ACM certificate to enforce TLSv1\.2_2021/);
  const report = fs.readFileSync(passed.reports[0]!, 'utf8');
  expect(report).toMatch(/- Viewer TLS policy in force: \*\*TLSv1\*\* \(CloudFront default \*\.cloudfront\.net certificate, whose security policy AWS fixes at TLSv1; `openclaw-example-prod-edge\/Cdn/);
  expect(report).toMatch(/\| Production viewers connect with TLS 1\.2 or later.*\(`viewer-tls-default-certificate`\) \| `edge\.customDomain` \| Pilot for one internal team/);
  fs.rmSync(root, { recursive: true, force: true });
});

test('prod with the example custom domain: TLSv1.2_2021 and SNI in the template and the report', () => {
  const built = buildForTest({ client: 'example', env: 'prod' });
  const passed = synthesizeWithGate(built, NOW);
  const cfg = distribution(Template.fromStack(built.deployments[0]!.stage.edge));
  expect(cfg.Aliases).toEqual(['agents.example.com']);
  expect(cfg.ViewerCertificate).toEqual({
    AcmCertificateArn: 'arn:aws:acm:us-east-1:210987654321:certificate/00000000-0000-4000-8000-000000000000',
    MinimumProtocolVersion: 'TLSv1.2_2021',
    SslSupportMethod: 'sni-only',
  });
  const report = fs.readFileSync(passed.reports[0]!, 'utf8');
  expect(report).toMatch(/- Viewer TLS policy in force: \*\*TLSv1\.2_2021\*\* \(custom domain agents\.example\.com with its ACM certificate \(SNI\), security policy TLSv1\.2_2021/);
  expect(report).toContain('## Config exceptions\n\nNone');
});
