import { z } from 'zod';

// A check without an error of its own (int, max; the CIDR syntax below) reports
// the schema's error: the tests pin each message.
const port = (what: string) =>
  z
    .number({ error: `${what}: a TCP port number from 1024 to 65535` })
    .int()
    .min(1024, { error: `${what}: a TCP port number from 1024 to 65535 (no privileged ports)` })
    .max(65535);

const hostname = z
  .string({ error: 'a DNS name such as agents.example.com' })
  .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { error: 'a lowercase DNS name such as agents.example.com, no wildcard' });

const origin = z
  .string({ error: 'an origin such as https://agents.example.com' })
  .refine((o) => !o.includes('*'), { error: 'an exact origin; a wildcard would let any site drive the gateway from a browser' })
  .refine((o) => /^https:\/\/([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(:\d{1,5})?$/.test(o), {
    error: 'an https origin such as https://agents.example.com (scheme, host and optional port; no path)',
  });

const OPEN_RANGES = new Set(['0.0.0.0/0', '::/0']);
const cidr = z
  .string({ error: 'an IPv4 or IPv6 CIDR such as 203.0.113.0/24' })
  .refine((c) => !OPEN_RANGES.has(c), {
    error: 'a specific range: 0.0.0.0/0 or ::/0 allows everyone, which is no allowlist. Leave the list empty to admit all viewers (WAF rules still apply), or name your ranges',
  })
  .refine((c) => /^(\d{1,3}\.){3}\d{1,3}\/(\d|[12]\d|3[0-2])$/.test(c) || /^[0-9a-f:]+\/(\d|[1-9]\d|1[01]\d|12[0-8])$/i.test(c))
  // IPv4 and IPv6 alike: two /1 ranges would otherwise admit everyone, as 0.0.0.0/0 or ::/0 does.
  // Neither syntax above admits a prefix length with a leading zero (/05), so one digit is the width.
  .refine((c) => !/\/[0-7]$/.test(c), { error: 'a range no wider than /8' });

export const edgeSchema = z
  .strictObject({
    proxyPort: port('proxyPort').describe('Port nginx listens on for CloudFront (the only inbound port of the instance).'),
    gatewayPort: port('gatewayPort').describe('Port of the OpenClaw gateway, bound to 127.0.0.1 only.'),
    customDomain: z
      .strictObject({
        domainName: hostname.describe('Viewer-facing domain name, e.g. agents.example.com.'),
        certificateArn: z
          .string({ error: 'an ACM certificate ARN in us-east-1' })
          .regex(/^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/, {
            error: 'an ACM certificate ARN in us-east-1 (CloudFront only uses certificates from us-east-1)',
          })
          .describe('ACM certificate for domainName, in us-east-1.'),
      })
      .optional()
      .describe(
        'Custom domain: CloudFront then enforces the TLSv1.2_2021 security policy. Without it viewers use the *.cloudfront.net certificate, ' +
          'whose policy AWS fixes at TLSv1; required in production (every environment but dev and staging) unless an exception for ' +
          'viewer-tls-default-certificate is approved.',
      ),
    allowedOrigins: z
      .array(origin)
      .describe('Browser origins allowed to open the gateway, besides the custom domain and the CloudFront domain (added automatically).'),
    originVerifyHeader: z
      .string({ error: 'an HTTP header name such as x-origin-verify' })
      .regex(/^x-[a-z0-9-]{3,40}$/, { error: 'a lowercase header name starting with x-, such as x-origin-verify' })
      .describe('Header CloudFront adds to every origin request; nginx refuses requests without its secret value.'),
    maxBodyKiB: z
      .number({ error: 'a whole number of KiB from 1 to 102400' })
      .int()
      .min(1, { error: 'at least 1 KiB' })
      .max(102400, { error: 'at most 102400 KiB (100 MiB)' })
      .describe('Largest request body nginx accepts.'),
    rateLimit: z
      .strictObject({
        requestsPerSecond: z.number().int().min(1).max(1000).describe('Sustained requests per second per viewer at nginx.'),
        burst: z.number().int().min(0).max(10000).describe('Requests per viewer allowed above the sustained rate before nginx answers 429.'),
        connectionsPerViewer: z
          .number({ error: 'a whole number of connections from 1 to 1000' })
          .int()
          .min(1, { error: 'at least 1 connection' })
          .max(1000, { error: 'at most 1000 connections' })
          .describe('Requests one viewer may have in progress at once at nginx (each open WebSocket is one) before nginx answers 429.'),
      })
      .describe(
        'Per-viewer limits at the local proxy, keyed on the viewer address CloudFront reports: an IPv4 address, or the /64 of an IPv6 address ' +
          '(one subscriber usually holds a whole /64).',
      ),
    hostLimit: z
      .strictObject({
        requestsPerSecond: z
          .number({ error: 'a whole number of requests from 10 to 100000' })
          .int()
          .min(10, { error: 'at least 10 requests per second' })
          .max(100000)
          .describe('Sustained requests per second over all viewers together, before nginx answers 429 (sized from the measured gateway: npm run bench:load).'),
        burst: z.number({ error: 'a whole number of requests from 0 to 100000' }).int().min(0).max(100000).describe('Requests over all viewers allowed above the sustained rate.'),
        websocketsPerSecond: z
          .number({ error: 'a whole number of WebSocket openings from 1 to 10000' })
          .int()
          .min(1, { error: 'at least 1 WebSocket opening per second' })
          .max(10000)
          .describe('New WebSockets per second over all viewers together (each one an authenticated gateway session, the expensive request), burst the same.'),
        connections: z
          .number({ error: 'a whole number of connections from 16 to 50000' })
          .int()
          .min(16, { error: 'at least 16 connections' })
          .max(50000)
          .describe('Requests in progress at once over all viewers (each open WebSocket is one): the WebSocket capacity of one host. nginx is sized for it.'),
      })
      .describe('Limits over all viewers together at the local proxy, so that a flood from many viewers cannot saturate the single-threaded gateway.'),
    waf: z
      .strictObject({
        rateLimitPer5Min: z
          .number({ error: 'a whole number of requests from 10 to 2000000000' })
          .int()
          .min(10, { error: 'at least 10 (the WAF minimum)' })
          .max(2000000000)
          .describe('Requests per viewer IP per 5 minutes before WAF blocks it.'),
        anonymousIpList: z.boolean({ error: 'true or false' }).describe('Block VPNs, Tor and hosting providers (AWS managed anonymous IP list, +$1/month).'),
        botControl: z.boolean({ error: 'true or false' }).describe('AWS managed Bot Control, common level (+$10/month + requests).'),
        ipAllowlist: z.array(cidr).describe('If not empty, only these viewer ranges reach the gateway.'),
        geoAllowlist: z
          .array(z.string().regex(/^[A-Z]{2}$/, { error: 'a two-letter ISO 3166 country code such as DE' }))
          .describe('If not empty, only viewers in these countries reach the gateway.'),
      })
      .describe('AWS WAF web ACL in front of CloudFront (in us-east-1).'),
  })
  .describe('The viewer path: CloudFront, WAF and the local reverse proxy.');

export type EdgeConfig = z.infer<typeof edgeSchema>;
