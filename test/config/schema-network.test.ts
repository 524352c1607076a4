import { z } from 'zod';
import { CHANNELS, LOG_RETENTION_DAYS, logsSchema, networkSchema, PROVIDERS } from '../../lib/network/config-schema';
import { problemsOf, undescribed, withValue } from '../support/schema-cases';

// The network and logs sections of the schema, parsed directly (no files, no
// synth): each constraint with a value just inside and just outside it, and
// the exact message (key path: expected).

/** base.yaml's network section, with the example client's NAT AMI. */
const BASE = {
  vpcCidr: '10.40.0.0/16',
  natMode: 'instance',
  natInstanceType: 't4g.nano',
  natAmiId: 'ami-0123456789abcdef0',
  egress: { providers: ['anthropic'], channels: ['telegram'], extraDomains: [] },
};
const base = (_field?: string) => BASE;

test('base.yaml\'s network values parse unchanged; the NAT AMI may be left out (checkAmis reports it with the region)', () => {
  expect(networkSchema.parse(BASE)).toEqual(BASE);
  expect(networkSchema.parse(withValue(BASE, ['natAmiId'], undefined))).toEqual(withValue(BASE, ['natAmiId'], undefined));
});

test('the provider and chat platform lists, exactly', () => {
  expect([...PROVIDERS]).toEqual(['anthropic', 'openai', 'google', 'openrouter', 'bedrock', 'mistral', 'groq', 'xai']);
  expect([...CHANNELS]).toEqual(['telegram', 'slack', 'discord', 'whatsapp', 'msteams']);
});

test('every other key is required, each with its own message', () => {
  expect(problemsOf(networkSchema, {})).toEqual([
    'vpcCidr: a private IPv4 range such as 10.40.0.0/16',
    'natMode: instance (cheapest, ~$3/month) or gateway (managed, ~$33/month)',
    'natInstanceType: an EC2 instance type such as t4g.nano',
    'egress: Invalid input: expected object, received undefined',
  ]);
  expect(problemsOf(networkSchema, { ...BASE, egress: {} })).toEqual([
    'egress.providers: Invalid input: expected array, received undefined',
    'egress.channels: Invalid input: expected array, received undefined',
    'egress.extraDomains: Invalid input: expected array, received undefined',
  ]);
});

test.each([[[]], [['egress']]])('an unknown key in network%j is refused', (at) => {
  const r = networkSchema.safeParse(withValue(BASE, [...at, 'extra'], 1));
  expect(r.error?.issues.map((i) => ({ code: i.code, path: i.path, keys: (i as { keys?: string[] }).keys }))).toEqual([
    { code: 'unrecognized_keys', path: at, keys: ['extra'] },
  ]);
});

test('every key of the network and logs sections has a description', () => {
  expect(undescribed(z.toJSONSchema(networkSchema, { io: 'input' }) as Record<string, unknown>)).toEqual([]);
  expect(undescribed(z.toJSONSchema(logsSchema, { io: 'input' }) as Record<string, unknown>)).toEqual([]);
});

describe('logs.retentionDays: a CloudWatch Logs retention value of at least a year', () => {
  const YEAR_UP = '365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653';
  const refused = [`retentionDays: one of the CloudWatch Logs retention values from a year up: ${YEAR_UP}`];

  test('the CloudWatch Logs retention values, exactly', () => {
    expect([...LOG_RETENTION_DAYS]).toEqual([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]);
  });

  test.each<[unknown, string[]]>([
    [365, []],
    [400, []],
    [3653, []],
    [180, refused],
    [1, refused],
    [364, refused],
    [366, refused],
    [3654, refused],
    ['365', refused],
  ])('%j', (value, expected) => {
    expect(problemsOf(logsSchema, { retentionDays: value })).toEqual(expected);
  });

  test('an unknown key is refused', () => {
    expect(logsSchema.safeParse({ retentionDays: 365, extra: 1 }).error?.issues.map((i) => i.code)).toEqual(['unrecognized_keys']);
  });
});

describe('constraints', () => {
  test.each<[unknown, string[]]>([
    ["10.0.0.0/16", []],
    ["10.255.0.0/24", []],
    ["10.40.0.0/15", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["10.40.0.0/25", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["10.40.0.0/8", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["172.16.0.0/16", []],
    ["172.31.0.0/16", []],
    ["172.15.0.0/16", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["172.32.0.0/16", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["172.20.0.0/20", []],
    ["192.168.0.0/16", []],
    ["192.169.0.0/16", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["11.0.0.0/16", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["100.64.0.0/16", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    [" 10.0.0.0/16", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["10.0.0.0/16 ", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["10.0.0/16", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["10.0.0.0", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["10.1234.0.0/16", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["10.0.0.0/19", []],
    ["10.40.128.0/17", []],
    ["10.40.255.0/24", []],
    ["10.40.0.0/24", []],
    ["10.255.255.0/24", []],
    ["172.31.240.0/20", []],
    ["192.168.0.0/16", []],
    ["10.40.1.0/16", ["vpcCidr: the range's network address, 10.40.0.0/16 (host bits 0)"]],
    ["10.40.0.16/24", ["vpcCidr: the range's network address, 10.40.0.0/24 (host bits 0)"]],
    ["10.40.0.160/24", ["vpcCidr: the range's network address, 10.40.0.0/24 (host bits 0)"]],
    ["10.255.255.255/24", ["vpcCidr: the range's network address, 10.255.255.0/24 (host bits 0)"]],
    ["10.40.192.0/17", ["vpcCidr: the range's network address, 10.40.128.0/17 (host bits 0)"]],
    ["172.31.241.0/20", ["vpcCidr: the range's network address, 172.31.240.0/20 (host bits 0)"]],
    ["192.168.0.1/16", ["vpcCidr: the range's network address, 192.168.0.0/16 (host bits 0)"]],
    ["10.040.0.0/16", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["10.40.00.0/24", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["10.40.0.00/24", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["010.40.0.0/16", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["10.256.0.0/16", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["10.40.300.0/24", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    ["192.168.1.999/24", ["vpcCidr: a private IPv4 range (10/8, 172.16/12 or 192.168/16) with a prefix of /16 to /24"]],
    [42, ["vpcCidr: a private IPv4 range such as 10.40.0.0/16"]],
  ])('vpcCidr: a private IPv4 range (10/8, 172.16/12, 192.168/16), /16 to /24, anchored: %j', (value, expected) => {
    expect(problemsOf(networkSchema, withValue(base('vpcCidr'), ['vpcCidr'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["instance", []],
    ["gateway", []],
    ["none", ["natMode: instance (cheapest, ~$3/month) or gateway (managed, ~$33/month)"]],
    ["Instance", ["natMode: instance (cheapest, ~$3/month) or gateway (managed, ~$33/month)"]],
  ])('natMode: instance or gateway: %j', (value, expected) => {
    expect(problemsOf(networkSchema, withValue(base('natMode'), ['natMode'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["t4g.nano", []],
    ["c7gn.medium", []],
    ["u-3tb1.56xlarge", []],
    ["T4g.nano", ["natInstanceType: an EC2 instance type such as t4g.nano"]],
    ["t4g", ["natInstanceType: an EC2 instance type such as t4g.nano"]],
    ["4g.nano", ["natInstanceType: an EC2 instance type such as t4g.nano"]],
    ["t4g.nano ", ["natInstanceType: an EC2 instance type such as t4g.nano"]],
    [" t4g.nano", ["natInstanceType: an EC2 instance type such as t4g.nano"]],
    ["t4g..nano", ["natInstanceType: an EC2 instance type such as t4g.nano"]],
    ["t4g.Nano", ["natInstanceType: an EC2 instance type such as t4g.nano"]],
    [1, ["natInstanceType: an EC2 instance type such as t4g.nano"]],
  ])('natInstanceType: an instance type family.size, anchored: %j', (value, expected) => {
    expect(problemsOf(networkSchema, withValue(base('natInstanceType'), ['natInstanceType'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    ["ami-0123456789abcdef0", []],
    ["ami-01234567", []],
    [undefined, []],
    ["ami-0123456", ["natAmiId: an AMI ID: \"ami-\" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0"]],
    ["ami-012345678", ["natAmiId: an AMI ID: \"ami-\" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0"]],
    ["ami-0123456789abcdef", ["natAmiId: an AMI ID: \"ami-\" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0"]],
    ["ami-0123456789abcdef01", ["natAmiId: an AMI ID: \"ami-\" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0"]],
    ["ami-0123456789ABCDEF0", ["natAmiId: an AMI ID: \"ami-\" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0"]],
    ["xami-01234567", ["natAmiId: an AMI ID: \"ami-\" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0"]],
    ["ami-01234567 ", ["natAmiId: an AMI ID: \"ami-\" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0"]],
    ["ami-0123456g", ["natAmiId: an AMI ID: \"ami-\" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0"]],
    [1234, ["natAmiId: an AMI ID such as ami-0123456789abcdef0, quoted or not"]],
  ])('natAmiId: ami- and 8 or 17 lowercase hex digits, optional: %j', (value, expected) => {
    expect(problemsOf(networkSchema, withValue(base('natAmiId'), ['natAmiId'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["anthropic","openai","google","openrouter","bedrock","mistral","groq","xai"], []],
    [[], []],
    [["cohere"], ["egress.providers.0: one of: anthropic, openai, google, openrouter, bedrock, mistral, groq, xai"]],
    ["anthropic", ["egress.providers: Invalid input: expected array, received string"]],
  ])('egress.providers: the known model providers only: %j', (value, expected) => {
    expect(problemsOf(networkSchema, withValue(base('egress.providers'), ['egress','providers'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["telegram","slack","discord","whatsapp","msteams"], []],
    [[], []],
    [["signal"], ["egress.channels.0: one of: telegram, slack, discord, whatsapp, msteams"]],
  ])('egress.channels: the known chat platforms only: %j', (value, expected) => {
    expect(problemsOf(networkSchema, withValue(base('egress.channels'), ['egress','channels'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["api.example.com"], []],
    [["example.com"], []],
    [["*.example.com"], []],
    [["a.io"], []],
    [["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com"], []],
    [["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [["*.com"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)","egress.extraDomains.0: a wildcard only below a registered domain, e.g. *.example.com"]],
    [["*"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)","egress.extraDomains.0: a wildcard only below a registered domain, e.g. *.example.com"]],
    [["*.*.example.com"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [["a.*.example.com"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [["API.example.com"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [["example"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)","egress.extraDomains.0: a wildcard only below a registered domain, e.g. *.example.com"]],
    [["-a.example.com"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [["a-.example.com"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [["x.c"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [["x.c0m"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [[" api.example.com"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [["api.example.com "], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [["api.example.com."], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [["https://api.example.com"], ["egress.extraDomains.0: a lowercase DNS name such as api.example.com (a leading \"*.\" allows its subdomains)"]],
    [[3], ["egress.extraDomains.0: a DNS name such as api.example.com"]],
  ])('egress.extraDomains: lowercase DNS names, a wildcard only as a leading *. below a registered domain: %j', (value, expected) => {
    expect(problemsOf(networkSchema, withValue(base('egress.extraDomains'), ['egress','extraDomains'], value))).toEqual(expected);
  });
});
