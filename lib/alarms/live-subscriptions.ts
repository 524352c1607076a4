/**
 * The subscriptions of the deployment's SNS topics as SNS lists them
 * (ListSubscriptionsByTopic, every page). An unconfirmed subscription (an
 * e-mail or HTTPS endpoint that never confirmed) has SubscriptionArn
 * `PendingConfirmation`; SNS deletes it after 3 days, after which it is
 * simply missing.
 */
import { ListSubscriptionsByTopicCommand, SNSClient, type Subscription } from '@aws-sdk/client-sns';
import type { VerifyContext } from '../verify/verify-context';

export const PENDING = 'PendingConfirmation';

/** Every subscription of `topicArn` (in its region, the fourth field of the ARN). */
export function liveSubscriptions(ctx: VerifyContext, topicArn: string): Promise<readonly Subscription[]> {
  return ctx.memo(`sns:subscriptions:${topicArn}`, async () => {
    const sns = ctx.client(SNSClient, topicArn.split(':')[3]);
    const out: Subscription[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
      out.push(...(page.Subscriptions ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  });
}

/**
 * What SNS lists, until it drops it, for a subscription its recipient left (the
 * unsubscribe link of an e-mail): SNS no longer delivers to it.
 */
export const DELETED = 'Deleted';

/**
 * Whether SNS delivers to `s`: a confirmed subscription is listed with its ARN; anything else
 * (PendingConfirmation, Deleted, an answer without one) is not confirmed.
 */
export const isConfirmed = (s: Subscription) => s.SubscriptionArn?.startsWith('arn:') === true;

/** The state of a subscription for evidence: `confirmed (<arn>)`, `PendingConfirmation`, `Deleted`, `(no SubscriptionArn)`. */
export const subscriptionState = (s: Subscription) => (isConfirmed(s) ? `confirmed (${s.SubscriptionArn})` : (s.SubscriptionArn ?? '(no SubscriptionArn)'));

/**
 * The one of `matches` (the listed subscriptions of one endpoint) to judge: a confirmed one if
 * any (after an unsubscribe and a new subscription SNS lists both for a while), else the first.
 */
export const bestMatch = (matches: readonly Subscription[]): Subscription | undefined => matches.find(isConfirmed) ?? matches[0];
