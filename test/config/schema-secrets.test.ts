import { z } from 'zod';
import { breakGlassSchema, secretsSchema } from '../../lib/secrets/config-schema';
import { problemsOf, undescribed, withValue } from '../support/schema-cases';

// The secrets and breakGlass sections of the schema, parsed directly (no
// files, no synth): each constraint with a value just inside and just outside
// it, and the exact message (key path: expected).

const NO_ROLE = { enabled: false, trustedPrincipalArns: [], maxSessionHours: 1 };

test('every key of the secrets and breakGlass sections has a description', () => {
  expect(undescribed(z.toJSONSchema(secretsSchema, { io: 'input' }) as Record<string, unknown>)).toEqual([]);
  expect(undescribed(z.toJSONSchema(breakGlassSchema, { io: 'input' }) as Record<string, unknown>)).toEqual([]);
});

test('an unknown key is refused in both sections', () => {
  expect(secretsSchema.safeParse({ rotationDays: 30, extra: 1 }).error?.issues.map((i) => i.code)).toEqual(['unrecognized_keys']);
  expect(breakGlassSchema.safeParse({ roleName: 'r', createRole: NO_ROLE, extra: 1 }).error?.issues.map((i) => i.code)).toEqual(['unrecognized_keys']);
  expect(breakGlassSchema.safeParse({ roleName: 'r', createRole: { ...NO_ROLE, extra: 1 } }).error?.issues.map((i) => i.code)).toEqual(['unrecognized_keys']);
});

test('every key is required', () => {
  expect(problemsOf(secretsSchema, {})).toEqual(['rotationDays: a whole number of days from 1 to 90']);
  expect(problemsOf(breakGlassSchema, { createRole: NO_ROLE })).toEqual(['roleName: an IAM role name, e.g. openclaw-break-glass']);
  expect(problemsOf(breakGlassSchema, { roleName: 'r', createRole: {} })).toEqual([
    'createRole.enabled: true or false',
    'createRole.trustedPrincipalArns: a list of IAM principal ARNs (use [] when the role is not created)',
    'createRole.maxSessionHours: a whole number of hours from 1 to 12',
  ]);
});

describe('secrets', () => {
  const base = (_field?: string) => ({ rotationDays: 30 });
  test.each<[unknown, string[]]>([
    [1, []],
    [0, ["rotationDays: at least 1 day"]],
    [90, []],
    [91, ["rotationDays: at most 90 days (AWS Foundational Security Best Practices SecretsManager.4): a secret that rarely rotates is a standing credential"]],
    [30.5, ["rotationDays: a whole number of days from 1 to 90"]],
    ["30", ["rotationDays: a whole number of days from 1 to 90"]],
  ])('rotationDays: 1-90 whole days: %j', (value, expected) => {
    expect(problemsOf(secretsSchema, withValue(base('rotationDays'), ['rotationDays'], value))).toEqual(expected);
  });
});

describe('breakGlass', () => {
  const base = (_field?: string) => ({ roleName: 'openclaw-break-glass', createRole: NO_ROLE });
  test.each<[unknown, string[]]>([
    ["openclaw-break-glass", []],
    ["a", []],
    ["A+=,.@_-9", []],
    ["rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr", []],
    ["rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr", ["roleName: an IAM role name (1-64 letters, digits or +=,.@_-; no path), e.g. openclaw-break-glass"]],
    ["", ["roleName: an IAM role name (1-64 letters, digits or +=,.@_-; no path), e.g. openclaw-break-glass"]],
    ["ops/break-glass", ["roleName: an IAM role name (1-64 letters, digits or +=,.@_-; no path), e.g. openclaw-break-glass"]],
    ["arn:aws:iam::123456789012:role/x", ["roleName: an IAM role name (1-64 letters, digits or +=,.@_-; no path), e.g. openclaw-break-glass"]],
    ["break glass", ["roleName: an IAM role name (1-64 letters, digits or +=,.@_-; no path), e.g. openclaw-break-glass"]],
    ["break-glass ", ["roleName: an IAM role name (1-64 letters, digits or +=,.@_-; no path), e.g. openclaw-break-glass"]],
    [" break-glass", ["roleName: an IAM role name (1-64 letters, digits or +=,.@_-; no path), e.g. openclaw-break-glass"]],
    ["role!", ["roleName: an IAM role name (1-64 letters, digits or +=,.@_-; no path), e.g. openclaw-break-glass"]],
    [5, ["roleName: an IAM role name, e.g. openclaw-break-glass"]],
  ])('roleName: an IAM role name of 1-64 characters, no path: %j', (value, expected) => {
    expect(problemsOf(breakGlassSchema, withValue(base('roleName'), ['roleName'], value))).toEqual(expected);
  });
});

describe('breakGlass.createRole', () => {
  const base = () => ({ roleName: 'openclaw-break-glass', createRole: { enabled: true, trustedPrincipalArns: ['arn:aws:iam::123456789012:root'], maxSessionHours: 1 } });
  test.each<[unknown, string[]]>([
    [1, []],
    [12, []],
    [0, ['createRole.maxSessionHours: at least 1 hour (IAM\'s minimum)']],
    [13, ['createRole.maxSessionHours: at most 12 hours (IAM\'s maximum)']],
    [1.5, ['createRole.maxSessionHours: a whole number of hours from 1 to 12']],
  ])('maxSessionHours: 1-12 whole hours: %j', (value, expected) => {
    expect(problemsOf(breakGlassSchema, withValue(base(), ['createRole', 'maxSessionHours'], value))).toEqual(expected);
  });
  test.each<[unknown, string[]]>([
    [['arn:aws:iam::123456789012:root'], []],
    [['arn:aws:iam::123456789012:role/ops/sso-admins', 'arn:aws:iam::123456789012:user/alice'], []],
    [[], ['createRole.trustedPrincipalArns: at least one principal ARN when enabled is true: nobody could assume the role']],
    [['*'], ['createRole.trustedPrincipalArns.0: an IAM principal ARN: arn:aws:iam::<12 digits>:root, :role/<name> or :user/<name>']],
    [['123456789012'], ['createRole.trustedPrincipalArns.0: an IAM principal ARN: arn:aws:iam::<12 digits>:root, :role/<name> or :user/<name>']],
    [['arn:aws:iam::123456789012:group/ops'], ['createRole.trustedPrincipalArns.0: an IAM principal ARN: arn:aws:iam::<12 digits>:root, :role/<name> or :user/<name>']],
  ])('trustedPrincipalArns: IAM principal ARNs, at least one when enabled: %j', (value, expected) => {
    expect(problemsOf(breakGlassSchema, withValue(base(), ['createRole', 'trustedPrincipalArns'], value))).toEqual(expected);
  });
  test('no principal is needed while the role is not created', () => {
    expect(problemsOf(breakGlassSchema, { roleName: 'r', createRole: NO_ROLE })).toEqual([]);
  });
});
