import { z } from 'zod';
import { alertsSchema, auditSchema } from '../../lib/audit/config-schema';
import { problemsOf, undescribed, withValue } from '../support/schema-cases';

// The audit and alerts sections of the schema, parsed directly (no files, no
// synth): each constraint with a value just inside and just outside it, and
// the exact message (key path: expected).

const unknownKeyIssues = (schema: z.ZodType, value: unknown) =>
  schema.safeParse(value).error?.issues.map((i) => ({ code: i.code, path: i.path, keys: (i as { keys?: string[] }).keys }));

test('every key of the audit and alerts sections has a description', () => {
  expect(undescribed(z.toJSONSchema(auditSchema, { io: 'input' }) as Record<string, unknown>)).toEqual([]);
  expect(undescribed(z.toJSONSchema(alertsSchema, { io: 'input' }) as Record<string, unknown>)).toEqual([]);
});

describe('audit', () => {
  /** base.yaml's audit section. */
  const BASE = { lockRetentionDays: 365, infrequentAccessAfterDays: 30, glacierAfterDays: 90 };
  const base = (field: string) => (field === 'infrequentAccessAfterDays' ? { ...BASE, glacierAfterDays: 90 } : BASE);

  test('base.yaml\'s audit values parse unchanged', () => {
    expect(auditSchema.parse(BASE)).toEqual(BASE);
  });

  test('every key is required, each with its own message', () => {
    expect(problemsOf(auditSchema, {})).toEqual([
      'lockRetentionDays: a whole number of days from 1 to 3650',
      'infrequentAccessAfterDays: a whole number of days, at least 30',
      'glacierAfterDays: a whole number of days, at least 90',
    ]);
  });

  test('an unknown key is refused', () => {
    expect(unknownKeyIssues(auditSchema, { ...BASE, extra: 1 })).toEqual([{ code: 'unrecognized_keys', path: [], keys: ['extra'] }]);
  });

  test('glacierAfterDays is checked against infrequentAccessAfterDays, whatever the values: 130 after 100 is fine, 129 is not', () => {
    expect(problemsOf(auditSchema, { ...BASE, infrequentAccessAfterDays: 100, glacierAfterDays: 130 })).toEqual([]);
    expect(problemsOf(auditSchema, { ...BASE, infrequentAccessAfterDays: 100, glacierAfterDays: 129 })).toEqual([
      'glacierAfterDays: at least 30 days more than audit.infrequentAccessAfterDays: objects stay 30 days in Standard-IA before S3 moves them to Glacier',
    ]);
  });

  test.each<[unknown, string[]]>([
    [1, []],
    [0, ["lockRetentionDays: at least 1 day"]],
    [3650, []],
    [3651, ["lockRetentionDays: at most 3650 days (10 years)"]],
    [1.5, ["lockRetentionDays: a whole number of days from 1 to 3650"]],
    ["365", ["lockRetentionDays: a whole number of days from 1 to 3650"]],
  ])('lockRetentionDays: 1-3650 whole days: %j', (value, expected) => {
    expect(problemsOf(auditSchema, withValue(base('lockRetentionDays'), ['lockRetentionDays'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [30, []],
    [29, ["infrequentAccessAfterDays: at least 30 days (the S3 minimum before STANDARD_IA)"]],
    [60, []],
    [61, ["glacierAfterDays: at least 30 days more than audit.infrequentAccessAfterDays: objects stay 30 days in Standard-IA before S3 moves them to Glacier"]],
    [30.5, ["infrequentAccessAfterDays: a whole number of days, at least 30"]],
    [null, ["infrequentAccessAfterDays: a whole number of days, at least 30"]],
  ])('infrequentAccessAfterDays: at least 30 whole days (and 30 before glacierAfterDays): %j', (value, expected) => {
    expect(problemsOf(auditSchema, withValue(base('infrequentAccessAfterDays'), ['infrequentAccessAfterDays'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [90, []],
    [89, ["glacierAfterDays: at least 90 days"]],
    [59, ["glacierAfterDays: at least 90 days","glacierAfterDays: at least 30 days more than audit.infrequentAccessAfterDays: objects stay 30 days in Standard-IA before S3 moves them to Glacier"]],
    [100000, []],
    [90.5, ["glacierAfterDays: a whole number of days, at least 90"]],
    ["x", ["glacierAfterDays: a whole number of days, at least 90"]],
  ])('glacierAfterDays: at least 90 whole days, and 30 after infrequentAccessAfterDays: %j', (value, expected) => {
    expect(problemsOf(auditSchema, withValue(base('glacierAfterDays'), ['glacierAfterDays'], value))).toEqual(expected);
  });
});

describe('alerts', () => {
  /** base.yaml's alerts section. */
  const BASE = { email: [], sms: [], https: [], thresholds: { wafBlockedRequests: 1000, proxyAuthFailures: 50 } };
  const base = (_field?: string) => BASE;

  test('base.yaml\'s alerts values parse unchanged', () => {
    expect(alertsSchema.parse(BASE)).toEqual(BASE);
  });

  test('every key is required, each with its own message', () => {
    expect(problemsOf(alertsSchema, {})).toEqual([
      'email: a list of e-mail addresses',
      'sms: a list of phone numbers',
      'https: a list of https URLs',
      'thresholds: Invalid input: expected object, received undefined',
    ]);
    expect(problemsOf(alertsSchema, { ...BASE, thresholds: {} })).toEqual([
      'thresholds.wafBlockedRequests: a whole number of requests, at least 10',
      'thresholds.proxyAuthFailures: a whole number of refusals, at least 5',
    ]);
  });

  test.each([[[]], [['thresholds']]])('an unknown key in alerts%j is refused', (at) => {
    expect(unknownKeyIssues(alertsSchema, withValue(BASE, [...at, 'extra'], 1))).toEqual([{ code: 'unrecognized_keys', path: at, keys: ['extra'] }]);
  });

  test.each<[unknown, string[]]>([
    [["oncall@example.com","a@b.c"], []],
    [["oncall@example"], ["email.0: an e-mail address such as oncall@example.com"]],
    [["@example.com"], ["email.0: an e-mail address such as oncall@example.com"]],
    [["oncall@.com"], ["email.0: an e-mail address such as oncall@example.com"]],
    [["on call@example.com"], ["email.0: an e-mail address such as oncall@example.com"]],
    [["oncall@exa mple.com"], ["email.0: an e-mail address such as oncall@example.com"]],
    [["oncall@@example.com"], ["email.0: an e-mail address such as oncall@example.com"]],
    [[" oncall@example.com"], ["email.0: an e-mail address such as oncall@example.com"]],
    [["oncall@example.com "], ["email.0: an e-mail address such as oncall@example.com"]],
    [["oncall@example."], ["email.0: an e-mail address such as oncall@example.com"]],
    [[1], ["email.0: an e-mail address"]],
    ["oncall@example.com", ["email: a list of e-mail addresses"]],
  ])('email: e-mail addresses, anchored: %j', (value, expected) => {
    expect(problemsOf(alertsSchema, withValue(base('email'), ['email'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["+447700900123","+1234567","+123456789012345"], []],
    [["+123456"], ["sms.0: a phone number in E.164 form, e.g. +447700900123"]],
    [["+1234567890123456"], ["sms.0: a phone number in E.164 form, e.g. +447700900123"]],
    [["+0447700900123"], ["sms.0: a phone number in E.164 form, e.g. +447700900123"]],
    [["447700900123"], ["sms.0: a phone number in E.164 form, e.g. +447700900123"]],
    [["+44770090012a"], ["sms.0: a phone number in E.164 form, e.g. +447700900123"]],
    [[" +447700900123"], ["sms.0: a phone number in E.164 form, e.g. +447700900123"]],
    [["+447700900123 "], ["sms.0: a phone number in E.164 form, e.g. +447700900123"]],
    [[447700900123], ["sms.0: a phone number in E.164 form"]],
    ["+447700900123", ["sms: a list of phone numbers"]],
  ])('sms: E.164 phone numbers (+, no leading 0, 7-15 digits): %j', (value, expected) => {
    expect(problemsOf(alertsSchema, withValue(base('sms'), ['sms'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [["https://hooks.example.com/x/y?z=1","https://Hooks.Example.com","https://h.example.com:8443","https://h.example.com/"], []],
    // SNS (CDK's UrlSubscription) refuses a scheme not written in lower case: refused here, with the file and key.
    [["HTTPS://hooks.example.com"], ["https.0: an https:// URL (a paging or chat webhook)"]],
    [["Https://hooks.example.com"], ["https.0: an https:// URL (a paging or chat webhook)"]],
    [["http://hooks.example.com"], ["https.0: an https:// URL (a paging or chat webhook)"]],
    [["https://"], ["https.0: an https:// URL (a paging or chat webhook)"]],
    [["https://hooks.example.com:123456"], ["https.0: an https:// URL (a paging or chat webhook)"]],
    [["https://hooks.example.com/a b"], ["https.0: an https:// URL (a paging or chat webhook)"]],
    [[" https://hooks.example.com"], ["https.0: an https:// URL (a paging or chat webhook)"]],
    [["https://hooks_example.com"], ["https.0: an https:// URL (a paging or chat webhook)"]],
    [["xhttps://hooks.example.com"], ["https.0: an https:// URL (a paging or chat webhook)"]],
    [[1], ["https.0: an https URL"]],
    ["https://hooks.example.com", ["https: a list of https URLs"]],
  ])('https: https:// URLs, anchored: %j', (value, expected) => {
    expect(problemsOf(alertsSchema, withValue(base('https'), ['https'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [10, []],
    [9, ["thresholds.wafBlockedRequests: at least 10: fewer pages a human for background noise"]],
    [1.5, ["thresholds.wafBlockedRequests: a whole number of requests, at least 10"]],
    ["10", ["thresholds.wafBlockedRequests: a whole number of requests, at least 10"]],
  ])('thresholds.wafBlockedRequests: at least 10, whole: %j', (value, expected) => {
    expect(problemsOf(alertsSchema, withValue(base('thresholds.wafBlockedRequests'), ['thresholds','wafBlockedRequests'], value))).toEqual(expected);
  });

  test.each<[unknown, string[]]>([
    [5, []],
    [4, ["thresholds.proxyAuthFailures: at least 5: fewer pages a human for a mistyped token"]],
    [5.5, ["thresholds.proxyAuthFailures: a whole number of refusals, at least 5"]],
    ["5", ["thresholds.proxyAuthFailures: a whole number of refusals, at least 5"]],
  ])('thresholds.proxyAuthFailures: at least 5, whole: %j', (value, expected) => {
    expect(problemsOf(alertsSchema, withValue(base('thresholds.proxyAuthFailures'), ['thresholds','proxyAuthFailures'], value))).toEqual(expected);
  });
});
