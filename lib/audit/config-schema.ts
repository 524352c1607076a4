import { z } from 'zod';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;
/**
 * The scheme in lower case: SNS's URL subscription (aws-cdk-lib UrlSubscription) refuses a URL
 * not starting with "https://" as written, and takes the protocol from that prefix.
 */
const HTTPS_URL = /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/\S*)?$/;

export const auditSchema = z
  .strictObject({
    lockRetentionDays: z
      .number({ error: 'a whole number of days from 1 to 3650' })
      .int()
      .min(1, { error: 'at least 1 day' })
      .max(3650, { error: 'at most 3650 days (10 years)' })
      .describe(
        'Days every object in the audit-log buckets is locked (S3 Object Lock default retention) after it is written. ' +
          'The mode follows the environment: COMPLIANCE in prod (nobody, not even the root user, can delete or shorten it), ' +
          'GOVERNANCE in dev and staging (the break-glass role can); the loader derives it as audit.lockMode (`npm run config` shows it), ' +
          'and no file can set it. Set the days per environment in config/environments/<env>.yaml.',
      ),
    infrequentAccessAfterDays: z
      .number({ error: 'a whole number of days, at least 30' })
      .int()
      .min(30, { error: 'at least 30 days (the S3 minimum before STANDARD_IA)' })
      .describe('Days after which audit objects move to S3 Standard-IA (cheaper storage; still locked).'),
    glacierAfterDays: z
      .number({ error: 'a whole number of days, at least 90' })
      .int()
      .min(90, { error: 'at least 90 days' })
      .describe('Days after which audit objects move to S3 Glacier Instant Retrieval (cheapest with millisecond reads; still locked).'),
  })
  .refine((a) => a.glacierAfterDays >= a.infrequentAccessAfterDays + 30, {
    path: ['glacierAfterDays'],
    error: 'at least 30 days more than audit.infrequentAccessAfterDays: objects stay 30 days in Standard-IA before S3 moves them to Glacier',
  })
  .describe('The tamper-evident audit trail: S3 buckets with Object Lock that CloudTrail, VPC flow logs, WAF, CloudFront, SSM sessions and the host logs go to.');

export const alertsSchema = z
  .strictObject({
    email: z
      .array(z.string({ error: 'an e-mail address' }).regex(EMAIL, { error: 'an e-mail address such as oncall@example.com' }), { error: 'a list of e-mail addresses' })
      .describe('E-mail addresses subscribed to the alert topic (each confirms once, from the mail AWS sends).'),
    sms: z
      .array(z.string({ error: 'a phone number in E.164 form' }).regex(E164, { error: 'a phone number in E.164 form, e.g. +447700900123' }), { error: 'a list of phone numbers' })
      .describe('Phone numbers (E.164) that get alarms by SMS.'),
    https: z
      .array(z.string({ error: 'an https URL' }).regex(HTTPS_URL, { error: 'an https:// URL (a paging or chat webhook)' }), { error: 'a list of https URLs' })
      .describe('HTTPS endpoints (paging services, chat webhooks) subscribed to the alert topic.'),
    thresholds: z
      .strictObject({
        wafBlockedRequests: z
          .number({ error: 'a whole number of requests, at least 10' })
          .int()
          .min(10, { error: 'at least 10: fewer pages a human for background noise' })
          .describe('WAF-blocked requests in 5 minutes that raise the WafBlocksSpike alarm.'),
        proxyAuthFailures: z
          .number({ error: 'a whole number of refusals, at least 5' })
          .int()
          .min(5, { error: 'at least 5: fewer pages a human for a mistyped token' })
          .describe('Requests nginx or the gateway refused as unauthenticated (401/403) in 5 minutes that raise the ProxyAuthFailures alarm.'),
      })
      .describe('Alarm thresholds; the defaults page nobody for noise.'),
  })
  .describe(
    'Where alarms go: an SNS topic (KMS-encrypted) with these subscriptions, outside the agent system. prod needs at least one subscription.',
  );
