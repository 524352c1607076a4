import { z } from 'zod';
import { edgeSchema } from '../../lib/edge/config-schema';
import { problemsOf, undescribed, withValue } from '../support/schema-cases';

// The edge section of the schema, parsed directly (no files, no synth): each
// constraint with a value just inside and just outside it, and the exact
// message (key path: expected). The config loader adds file, line and found.

/** base.yaml's edge section (with a custom domain when the case is about it). */
const BASE = {
  proxyPort: 8080,
  gatewayPort: 18789,
  allowedOrigins: [],
  originVerifyHeader: 'x-origin-verify',
  maxBodyKiB: 1024,
  rateLimit: { requestsPerSecond: 10, burst: 40, connectionsPerViewer: 20 },
  hostLimit: { requestsPerSecond: 500, burst: 500, websocketsPerSecond: 40, connections: 1000 },
  waf: { rateLimitPer5Min: 500, anonymousIpList: false, botControl: false, ipAllowlist: [], geoAllowlist: [] },
};
const CUSTOM_DOMAIN = {
  domainName: 'agents.example.com',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-4111-8111-111111111111',
};
const base = (field: string) => (field.startsWith('customDomain') ? { ...BASE, customDomain: CUSTOM_DOMAIN } : BASE);

test('base.yaml\'s edge values and a custom domain parse unchanged', () => {
  expect(edgeSchema.parse(BASE)).toEqual(BASE);
  expect(edgeSchema.parse({ ...BASE, customDomain: CUSTOM_DOMAIN })).toEqual({ ...BASE, customDomain: CUSTOM_DOMAIN });
});

test('every key is required except customDomain, each with its own message', () => {
  expect(problemsOf(edgeSchema, {})).toEqual([
    'proxyPort: proxyPort: a TCP port number from 1024 to 65535',
    'gatewayPort: gatewayPort: a TCP port number from 1024 to 65535',
    'allowedOrigins: Invalid input: expected array, received undefined',
    'originVerifyHeader: an HTTP header name such as x-origin-verify',
    'maxBodyKiB: a whole number of KiB from 1 to 102400',
    'rateLimit: Invalid input: expected object, received undefined',
    'hostLimit: Invalid input: expected object, received undefined',
    'waf: Invalid input: expected object, received undefined',
  ]);
  expect(problemsOf(edgeSchema, { ...BASE, rateLimit: {}, hostLimit: {} })).toEqual([
    'rateLimit.requestsPerSecond: Invalid input: expected number, received undefined',
    'rateLimit.burst: Invalid input: expected number, received undefined',
    'rateLimit.connectionsPerViewer: a whole number of connections from 1 to 1000',
    'hostLimit.requestsPerSecond: a whole number of requests from 10 to 100000',
    'hostLimit.burst: a whole number of requests from 0 to 100000',
    'hostLimit.websocketsPerSecond: a whole number of WebSocket openings from 1 to 10000',
    'hostLimit.connections: a whole number of connections from 16 to 50000',
  ]);
  expect(problemsOf(edgeSchema, { ...BASE, customDomain: {} })).toEqual([
    'customDomain.domainName: a DNS name such as agents.example.com',
    'customDomain.certificateArn: an ACM certificate ARN in us-east-1',
  ]);
});

test.each([
  [[], 'extra'],
  [['customDomain'], 'extra'],
  [['rateLimit'], 'extra'],
  [['hostLimit'], 'extra'],
  [['waf'], 'extra'],
])('an unknown key in edge%j is refused', (at, key) => {
  const value = withValue(base('customDomain'), [...at, key], 1);
  const r = edgeSchema.safeParse(value);
  expect(r.error?.issues.map((i) => ({ code: i.code, path: i.path, keys: (i as { keys?: string[] }).keys }))).toEqual([
    { code: 'unrecognized_keys', path: at, keys: [key] },
  ]);
});

test('every key of the edge section has a description', () => {
  expect(undescribed(z.toJSONSchema(edgeSchema, { io: 'input' }) as Record<string, unknown>)).toEqual([]);
});

describe('constraints', () => {
  test.each<[unknown, string[]]>([
    [1024, []],
    [1023, ["proxyPort: proxyPort: a TCP port number from 1024 to 65535 (no privileged ports)"]],
    [65535, []],
    [65536, ["proxyPort: proxyPort: a TCP port number from 1024 to 65535"]],
    [8080.5, ["proxyPort: proxyPort: a TCP port number from 1024 to 65535"]],
    ["8080", ["proxyPort: proxyPort: a TCP port number from 1024 to 65535"]],
  ])('proxyPort: 1024-65535, whole numbers (no privileged ports): %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('proxyPort'), ['proxyPort'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [1024, []],
    [1023, ["gatewayPort: gatewayPort: a TCP port number from 1024 to 65535 (no privileged ports)"]],
    [65535, []],
    [65536, ["gatewayPort: gatewayPort: a TCP port number from 1024 to 65535"]],
    [1.5, ["gatewayPort: gatewayPort: a TCP port number from 1024 to 65535"]],
    [null, ["gatewayPort: gatewayPort: a TCP port number from 1024 to 65535"]],
  ])('gatewayPort: 1024-65535, whole numbers: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('gatewayPort'), ['gatewayPort'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["agents.example.com", []],
    ["a.io", []],
    ["a-b.example.com", []],
    ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com", []],
    ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    ["example.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", []],
    ["example.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    ["Agents.example.com", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    ["*.example.com", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    ["example", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    ["a.c", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    ["a.c0m", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    ["-a.example.com", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    ["a-.example.com", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    [" agents.example.com", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    ["agents.example.com.", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    ["agents..example.com", ["customDomain.domainName: a lowercase DNS name such as agents.example.com, no wildcard"]],
    [42, ["customDomain.domainName: a DNS name such as agents.example.com"]],
  ])('customDomain.domainName: a lowercase DNS name, labels of 1-63, no wildcard, anchored: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('customDomain.domainName'), ['customDomain', 'domainName'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-4111-8111-111111111111", []],
    ["arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-4111-8111-111111111111", ["customDomain.certificateArn: an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)"]],
    ["arn:aws:acm:us-east-1:12345678901:certificate/11111111-1111-4111-8111-111111111111", ["customDomain.certificateArn: an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)"]],
    ["arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-4111-8111-11111111111", ["customDomain.certificateArn: an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)"]],
    ["arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-4111-8111-1111111111111", ["customDomain.certificateArn: an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)"]],
    ["arn:aws:acm:us-east-1:123456789012:certificate/1111111G-1111-4111-8111-111111111111", ["customDomain.certificateArn: an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)"]],
    ["xarn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-4111-8111-111111111111", ["customDomain.certificateArn: an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)"]],
    ["arn:aws:acm:us-east-1:123456789012:certificate/11111111-1111-4111-8111-111111111111x", ["customDomain.certificateArn: an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)"]],
    [7, ["customDomain.certificateArn: an ACM certificate ARN in us-east-1"]],
  ])('customDomain.certificateArn: an ACM ARN in us-east-1 only, anchored: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('customDomain.certificateArn'), ['customDomain', 'certificateArn'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["https://agents.example.com"], []],
    [["https://agents.example.com:8443"], []],
    [["https://a.b.example.com"], []],
    [["https://agents.example.com:123456"], ["allowedOrigins.0: an https origin such as https://agents.example.com (scheme, host and optional port; no path)"]],
    [["https://*.example.com"], ["allowedOrigins.0: an exact origin; a wildcard would let any site drive the gateway from a browser","allowedOrigins.0: an https origin such as https://agents.example.com (scheme, host and optional port; no path)"]],
    [["*"], ["allowedOrigins.0: an exact origin; a wildcard would let any site drive the gateway from a browser","allowedOrigins.0: an https origin such as https://agents.example.com (scheme, host and optional port; no path)"]],
    [["http://agents.example.com"], ["allowedOrigins.0: an https origin such as https://agents.example.com (scheme, host and optional port; no path)"]],
    [["https://agents.example.com/"], ["allowedOrigins.0: an https origin such as https://agents.example.com (scheme, host and optional port; no path)"]],
    [["https://Agents.example.com"], ["allowedOrigins.0: an https origin such as https://agents.example.com (scheme, host and optional port; no path)"]],
    [["xhttps://agents.example.com"], ["allowedOrigins.0: an https origin such as https://agents.example.com (scheme, host and optional port; no path)"]],
    [["https://agents.example.com:"], ["allowedOrigins.0: an https origin such as https://agents.example.com (scheme, host and optional port; no path)"]],
    [["https://example"], ["allowedOrigins.0: an https origin such as https://agents.example.com (scheme, host and optional port; no path)"]],
    [["https://-a.example.com"], ["allowedOrigins.0: an https origin such as https://agents.example.com (scheme, host and optional port; no path)"]],
    [["https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com"], ["allowedOrigins.0: an https origin such as https://agents.example.com (scheme, host and optional port; no path)"]],
    [["https://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com"], []],
    [[5], ["allowedOrigins.0: an origin such as https://agents.example.com"]],
    ["https://agents.example.com", ["allowedOrigins: Invalid input: expected array, received string"]],
  ])('allowedOrigins: exact https origins (host, optional port, no path, no wildcard): %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('allowedOrigins'), ['allowedOrigins'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["x-abc", []],
    ["x-ab", ["originVerifyHeader: a lowercase header name starting with x-, such as x-origin-verify"]],
    ["x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", []],
    ["x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ["originVerifyHeader: a lowercase header name starting with x-, such as x-origin-verify"]],
    ["X-origin-verify", ["originVerifyHeader: a lowercase header name starting with x-, such as x-origin-verify"]],
    ["y-origin-verify", ["originVerifyHeader: a lowercase header name starting with x-, such as x-origin-verify"]],
    ["x-origin_verify", ["originVerifyHeader: a lowercase header name starting with x-, such as x-origin-verify"]],
    ["xx-origin-verify", ["originVerifyHeader: a lowercase header name starting with x-, such as x-origin-verify"]],
    ["x-origin-verify ", ["originVerifyHeader: a lowercase header name starting with x-, such as x-origin-verify"]],
    [1, ["originVerifyHeader: an HTTP header name such as x-origin-verify"]],
  ])('originVerifyHeader: x- and 3-40 lowercase letters, digits or hyphens: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('originVerifyHeader'), ['originVerifyHeader'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [1, []],
    [0, ["maxBodyKiB: at least 1 KiB"]],
    [102400, []],
    [102401, ["maxBodyKiB: at most 102400 KiB (100 MiB)"]],
    [1.5, ["maxBodyKiB: a whole number of KiB from 1 to 102400"]],
    ["1", ["maxBodyKiB: a whole number of KiB from 1 to 102400"]],
  ])('maxBodyKiB: 1-102400 whole KiB: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('maxBodyKiB'), ['maxBodyKiB'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [1, []],
    [0, ["rateLimit.requestsPerSecond: Too small: expected number to be >=1"]],
    [1000, []],
    [1001, ["rateLimit.requestsPerSecond: Too big: expected number to be <=1000"]],
    [2.5, ["rateLimit.requestsPerSecond: Invalid input: expected int, received number"]],
  ])('rateLimit.requestsPerSecond: 1-1000 whole: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('rateLimit.requestsPerSecond'), ['rateLimit', 'requestsPerSecond'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [0, []],
    [-1, ["rateLimit.burst: Too small: expected number to be >=0"]],
    [10000, []],
    [10001, ["rateLimit.burst: Too big: expected number to be <=10000"]],
    [0.5, ["rateLimit.burst: Invalid input: expected int, received number"]],
  ])('rateLimit.burst: 0-10000 whole: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('rateLimit.burst'), ['rateLimit', 'burst'], value))).toEqual(expected);
  });

  test.each<[string[], unknown, string[]]>([
    [['rateLimit', 'connectionsPerViewer'], 1, []],
    [['rateLimit', 'connectionsPerViewer'], 0, ['rateLimit.connectionsPerViewer: at least 1 connection']],
    [['rateLimit', 'connectionsPerViewer'], 1000, []],
    [['rateLimit', 'connectionsPerViewer'], 1001, ['rateLimit.connectionsPerViewer: at most 1000 connections']],
    [['rateLimit', 'connectionsPerViewer'], 2.5, ['rateLimit.connectionsPerViewer: a whole number of connections from 1 to 1000']],
    [['hostLimit', 'requestsPerSecond'], 10, []],
    [['hostLimit', 'requestsPerSecond'], 9, ['hostLimit.requestsPerSecond: at least 10 requests per second']],
    [['hostLimit', 'requestsPerSecond'], 100000, []],
    [['hostLimit', 'requestsPerSecond'], 100001, ['hostLimit.requestsPerSecond: a whole number of requests from 10 to 100000']],
    [['hostLimit', 'requestsPerSecond'], 'many', ['hostLimit.requestsPerSecond: a whole number of requests from 10 to 100000']],
    [['hostLimit', 'burst'], 0, []],
    [['hostLimit', 'burst'], -1, ['hostLimit.burst: a whole number of requests from 0 to 100000']],
    [['hostLimit', 'burst'], 100001, ['hostLimit.burst: a whole number of requests from 0 to 100000']],
    [['hostLimit', 'websocketsPerSecond'], 1, []],
    [['hostLimit', 'websocketsPerSecond'], 0, ['hostLimit.websocketsPerSecond: at least 1 WebSocket opening per second']],
    [['hostLimit', 'websocketsPerSecond'], 10001, ['hostLimit.websocketsPerSecond: a whole number of WebSocket openings from 1 to 10000']],
    [['hostLimit', 'connections'], 16, []],
    [['hostLimit', 'connections'], 15, ['hostLimit.connections: at least 16 connections']],
    [['hostLimit', 'connections'], 50000, []],
    [['hostLimit', 'connections'], 50001, ['hostLimit.connections: a whole number of connections from 16 to 50000']],
    [['hostLimit', 'connections'], 1.5, ['hostLimit.connections: a whole number of connections from 16 to 50000']],
  ])('%j = %j', (at, value, expected) => {
    expect(problemsOf(edgeSchema, withValue(BASE, at, value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [10, []],
    [9, ["waf.rateLimitPer5Min: at least 10 (the WAF minimum)"]],
    [2000000000, []],
    [2000000001, ["waf.rateLimitPer5Min: a whole number of requests from 10 to 2000000000"]],
    [10.5, ["waf.rateLimitPer5Min: a whole number of requests from 10 to 2000000000"]],
    ["many", ["waf.rateLimitPer5Min: a whole number of requests from 10 to 2000000000"]],
  ])('waf.rateLimitPer5Min: 10-2000000000 whole: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('waf.rateLimitPer5Min'), ['waf', 'rateLimitPer5Min'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [true, []],
    ["yes", ["waf.anonymousIpList: true or false"]],
  ])('waf.anonymousIpList: a boolean: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('waf.anonymousIpList'), ['waf', 'anonymousIpList'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [true, []],
    ["yes", ["waf.botControl: true or false"]],
  ])('waf.botControl: a boolean: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('waf.botControl'), ['waf', 'botControl'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["203.0.113.0/24"], []],
    [["10.0.0.0/8"], []],
    [["10.0.0.0/7"], ["waf.ipAllowlist.0: a range no wider than /8"]],
    [["10.0.0.0/0"], ["waf.ipAllowlist.0: a range no wider than /8"]],
    [["10.0.0.1/32"], []],
    [["198.51.100.7/32"], []],
    [["198.51.100.17/32"], []],
    [["198.51.100.255/32"], []],
    [["10.0.0.1/33"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["10.0.0.1/19"], []],
    [["10.0.0.1/29"], []],
    [["10.0.0.1/40"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["10.0.0/24"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["1000.0.0.0/24"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["203.0.113.0"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [[" 203.0.113.0/24"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["203.0.113.0/24 "], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["0.0.0.0/0"], ["waf.ipAllowlist.0: a specific range: 0.0.0.0/0 or ::/0 allows everyone, which is no allowlist. Leave the list empty to admit all viewers (WAF rules still apply), or name your ranges","waf.ipAllowlist.0: a range no wider than /8"]],
    [["::/0"], ["waf.ipAllowlist.0: a specific range: 0.0.0.0/0 or ::/0 allows everyone, which is no allowlist. Leave the list empty to admit all viewers (WAF rules still apply), or name your ranges","waf.ipAllowlist.0: a range no wider than /8"]],
    [["2001:db8::/32"], []],
    [["2001:DB8::/32"], []],
    [["2001:db8::/128"], []],
    [["2001:db8::/119"], []],
    [["2001:db8::/129"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["2001:db8::/1"], ["waf.ipAllowlist.0: a range no wider than /8"]],
    [["2001::/8"], []],
    [["8000::/1"], ["waf.ipAllowlist.0: a range no wider than /8"]],
    [["2000::/7"], ["waf.ipAllowlist.0: a range no wider than /8"]],
    // A prefix length with a leading zero is no CIDR (and would slip past the one-digit width check).
    [["::/00"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["::/05"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["8000::/01"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["2001:db8::/032"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["2001:db8::/64"], []],
    [["10.0.0.0/08"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["2001:dg8::/32"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["x2001:db8::/32"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["2001:db8::/32x"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [["2001:db8::"], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
    [[24], ["waf.ipAllowlist.0: an IPv4 or IPv6 CIDR such as 203.0.113.0/24"]],
  ])('waf.ipAllowlist: IPv4/IPv6 CIDRs, never open (0.0.0.0/0, ::/0), none wider than /8: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('waf.ipAllowlist'), ['waf', 'ipAllowlist'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["DE","US"], []],
    [["de"], ["waf.geoAllowlist.0: a two-letter ISO 3166 country code such as DE"]],
    [["D"], ["waf.geoAllowlist.0: a two-letter ISO 3166 country code such as DE"]],
    [["DEU"], ["waf.geoAllowlist.0: a two-letter ISO 3166 country code such as DE"]],
    [[" DE"], ["waf.geoAllowlist.0: a two-letter ISO 3166 country code such as DE"]],
  ])('waf.geoAllowlist: two upper-case letters: %j', (value, expected) => {
    expect(problemsOf(edgeSchema, withValue(base('waf.geoAllowlist'), ['waf', 'geoAllowlist'], value))).toEqual(expected);
  });
});
