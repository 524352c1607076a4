import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../lib/config/errors';
import { loadConfig } from '../../lib/config/load';
import { configFixture, NOW } from '../support/config-fixture';

// Overlays that would open the request path are refused with file, key and the reason.
const AWS = 'aws:\n  account: "123456789012"\n  region: eu-west-1\n';
const FILE = 'config/clients/acme/client.yaml';

function problemFor(overlay: string): string {
  const root = configFixture({ 'clients/acme/client.yaml': AWS + overlay });
  try {
    loadConfig({ configDir: path.join(root, 'config'), client: 'acme', env: 'dev', now: NOW, displayBase: root });
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  throw new Error('the overlay was accepted');
}

test.each([
  ['an IPv4 allowlist of 0.0.0.0/0', 'edge:\n  waf:\n    ipAllowlist: [0.0.0.0/0]\n', 'edge.waf.ipAllowlist[0]', /0\.0\.0\.0\/0 or ::\/0 allows everyone/],
  ['an IPv6 allowlist of ::/0', 'edge:\n  waf:\n    ipAllowlist: ["::/0"]\n', 'edge.waf.ipAllowlist[0]', /allows everyone/],
  ['an allowlist range wider than /8', 'edge:\n  waf:\n    ipAllowlist: [10.0.0.0/4]\n', 'edge.waf.ipAllowlist[0]', /no wider than \/8/],
  ['a wildcard allowed origin', 'edge:\n  allowedOrigins: ["*"]\n', 'edge.allowedOrigins[0]', /wildcard would let any site drive the gateway/],
  ['a wildcard subdomain origin', 'edge:\n  allowedOrigins: ["https://*.example.com"]\n', 'edge.allowedOrigins[0]', /wildcard/],
  ['a plain-http origin', 'edge:\n  allowedOrigins: ["http://admin.example.com"]\n', 'edge.allowedOrigins[0]', /an https origin/],
  ['a privileged proxy port', 'edge:\n  proxyPort: 80\n', 'edge.proxyPort', /no privileged ports/],
  ['a public VPC range', 'network:\n  vpcCidr: 8.8.0.0/16\n', 'network.vpcCidr', /a private IPv4 range/],
  ['a certificate outside us-east-1', 'edge:\n  customDomain:\n    domainName: agents.example.com\n    certificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789\n', 'edge.customDomain.certificateArn', /in us-east-1/],
  ['an unknown provider', 'network:\n  egress:\n    providers: [anthropic, everything]\n', 'network.egress.providers[1]', /one of: anthropic, openai/],
  ['secrets that rotate less than every 90 days', 'secrets:\n  rotationDays: 365\n', 'secrets.rotationDays', /at most 90 days/],
  ['secrets that never rotate', 'secrets:\n  rotationDays: 0\n', 'secrets.rotationDays', /at least 1 day/],
  ['a break-glass role given as a path or ARN', 'breakGlass:\n  roleName: arn:aws:iam::123456789012:role/admin\n', 'breakGlass.roleName', /an IAM role name \(1-64 letters, digits or \+=,\.@_-; no path\)/],
  ['a bare wildcard egress domain', 'network:\n  egress:\n    extraDomains: ["*.com"]\n', 'network.egress.extraDomains[0]', /a wildcard only below a registered domain/],
])('%s is rejected', (_what, overlay, keyPath, reason) => {
  const message = problemFor(overlay);
  expect(message).toContain(`${FILE}:`);
  expect(message).toContain(` ${keyPath}: `);
  expect(message).toMatch(reason);
});

test('the gateway port may not be the proxy port', () => {
  const message = problemFor('edge:\n  proxyPort: 18789\n');
  expect(message).toMatch(/edge\.gatewayPort: found number 18789; expected a port different from edge\.proxyPort/);
});
