import { z } from 'zod';
import { amiIdSchema, currentAmiCommand } from '../config/ami';

/** Model providers whose API endpoints the gateway may reach (egress allowlist defaults). */
export const PROVIDERS = ['anthropic', 'openai', 'google', 'openrouter', 'bedrock', 'mistral', 'groq', 'xai'] as const;
/** Chat platforms whose APIs the gateway may reach (egress allowlist defaults). */
export const CHANNELS = ['telegram', 'slack', 'discord', 'whatsapp', 'msteams'] as const;

/** CloudWatch Logs retention values. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const PRIVATE_CIDR = /^(10\.\d{1,3}|172\.(1[6-9]|2\d|3[01])|192\.168)\.\d{1,3}\.\d{1,3}\/(1[6-9]|2[0-4])$/;
const PRIVATE_CIDR_EXPECTED = 'a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24';

/** `a.b.c.d/p` with the host bits cleared (for a CIDR the regex and octet check accepted). */
function networkAddress(cidr: string): string {
  const [address, prefix] = cidr.split('/') as [string, string];
  const value = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(prefix));
  const network = value - (value % size);
  return `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.')}/${prefix}`;
}

const domain = z
  .string({ error: 'a DNS name such as api.example.com' })
  .regex(/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    error: 'a lowercase DNS name such as api.example.com (a leading "*." allows its subdomains)',
  })
  .refine((d) => d.split('.').length >= (d.startsWith('*.') ? 3 : 2), { error: 'a wildcard only below a registered domain, e.g. *.example.com' });

const AUDIT_RETENTION_DAYS = LOG_RETENTION_DAYS.filter((d) => d >= 365);

/** Log groups keep at least a year: an audit trail (and Control Tower CT.CLOUDWATCH.PR.2) needs it. */
export const logsSchema = z
  .strictObject({
    retentionDays: z
      .number({ error: `one of the CloudWatch Logs retention values from a year up: ${AUDIT_RETENTION_DAYS.join(', ')}` })
      // without an error of its own, the refine reports the number's (the same text)
      .refine((n) => (AUDIT_RETENTION_DAYS as readonly number[]).includes(n))
      .describe('Days the KMS-encrypted log groups (VPC flow logs, WAF and CloudFront access logs) are kept; at least 365.'),
  })
  .describe('CloudWatch Logs settings shared by every log group of the deployment.');

export const networkSchema = z
  .strictObject({
    vpcCidr: z
      .string({ error: 'a private IPv4 range such as 10.40.0.0/16' })
      .regex(PRIVATE_CIDR, { error: PRIVATE_CIDR_EXPECTED, abort: true })
      // each octet at most 255 and without a leading zero: the host and the VPC parse it as an
      // address (10.300.0.0/16 would fail at synth; 10.040.0.0/16 reaches a security group as written)
      .refine((c) => c.split(/[./]/, 4).every((octet) => /^(0|[1-9]\d*)$/.test(octet) && Number(octet) <= 255), { error: PRIVATE_CIDR_EXPECTED, abort: true })
      // the range's own address, host bits 0: CDK, EC2 (security groups) and the host firewall would
      // each read 10.40.1.0/16 differently (10.41.0.0/16, 10.40.0.0/16...)
      .refine((c) => networkAddress(c) === c, { error: (issue) => `the range's network address, ${networkAddress(String(issue.input))} (host bits 0)` })
      .describe('IPv4 range of the VPC, written as its network address (10.40.0.0/16, not 10.40.1.0/16): two AZs, a public and a private subnet in each. Pick a distinct one per client if VPCs may be peered.'),
    natMode: z
      .enum(['instance', 'gateway'], { error: 'instance (cheapest, ~$3/month) or gateway (managed, ~$33/month)' })
      .describe('How the private subnet reaches the internet: a NAT instance (t4g.nano, ~$3/month) or a managed NAT gateway (~$33/month + data).'),
    natInstanceType: z
      .string({ error: 'an EC2 instance type such as t4g.nano' })
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/)
      .describe('Instance type of the NAT instance, when natMode is instance (Graviton types keep it cheap).'),
    natAmiId: amiIdSchema
      .describe(
        'AMI of the NAT instance: Amazon Linux 2023 for arm64 in aws.region (AMI IDs are regional), pinned so that a new AMI is taken ' +
          'deliberately. Required when natMode is instance. Changing it replaces the NAT instance (a brief egress outage). Current ID: ' +
          currentAmiCommand('<region>'),
      ),
    egress: z
      .strictObject({
        providers: z
          .array(z.enum(PROVIDERS, { error: `one of: ${PROVIDERS.join(', ')}` }))
          .describe('Model providers the agents use; their API domains are allowed out.'),
        channels: z
          .array(z.enum(CHANNELS, { error: `one of: ${CHANNELS.join(', ')}` }))
          .describe('Chat platforms the agents use; their API domains are allowed out.'),
        extraDomains: z.array(domain).describe('Further domains the gateway may resolve and reach (HTTPS only).'),
      })
      .describe('Outbound allowlist: the instance resolves only these domains (Route 53 Resolver DNS Firewall) and reaches only port 443.'),
  })
  .describe('VPC, NAT and egress of the gateway host.');

export type NetworkConfig = z.infer<typeof networkSchema>;
