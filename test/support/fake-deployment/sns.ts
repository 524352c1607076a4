/**
 * SNS of the fake deployment: ListSubscriptionsByTopic answers with the
 * AWS::SNS::Subscription resources of the templates (a correct deployment:
 * every one confirmed), Publish is recorded and delivered to the topic's
 * Lambda subscribers asynchronously, as SNS invokes them (Event invocation).
 * Drift: world.state['sns.subscriptions'] (subscriptionDrift) marks one
 * `pending` (SubscriptionArn PendingConfirmation), `unsubscribed` (its recipient
 * followed the unsubscribe link: SNS lists it with SubscriptionArn `Deleted`
 * until it drops it, and delivers nothing to it) or `deleted` (gone).
 */
import { createHash } from 'crypto';
import { mockClient } from 'aws-sdk-client-mock';
import { ListSubscriptionsByTopicCommand, NotFoundException, PublishCommand, SNSClient, type Subscription } from '@aws-sdk/client-sns';
import { deliverToFunction } from './lambda';
import type { FakeWorld, ServiceFake } from './world';

/** Drift of one subscription, keyed `<topicArn>|<protocol>|<endpoint>`. */
export function subscriptionDrift(world: FakeWorld): Map<string, 'pending' | 'unsubscribed' | 'deleted'> {
  return ((world.state['sns.subscriptions'] as Map<string, 'pending' | 'unsubscribed' | 'deleted'> | undefined) ??= new Map());
}

/** Messages published through the fake, in order. */
export function published(world: FakeWorld): { readonly topicArn: string; readonly subject?: string; readonly message: string }[] {
  return ((world.state['sns.published'] as { topicArn: string; subject?: string; message: string }[] | undefined) ??= []);
}

/** Deliveries to Lambda still running (a test awaits them). */
export function deliveries(world: FakeWorld): Promise<unknown>[] {
  return ((world.state['sns.deliveries'] as Promise<unknown>[] | undefined) ??= []);
}

function topics(world: FakeWorld): Map<string, string> {
  return new Map(world.resources('AWS::SNS::Topic').map((r) => [world.physicalId(r.role, r.logicalId), world.stack(r.role).region]));
}

/** The subscriptions SNS has for `topicArn` (every one the templates define, less the deleted ones). */
export function subscriptionsOf(world: FakeWorld, topicArn: string): Subscription[] {
  return world.resources('AWS::SNS::Subscription').flatMap((r) => {
    const p = world.properties(r);
    if (p.TopicArn !== topicArn) return [];
    const protocol = String(p.Protocol);
    const endpoint = String(p.Endpoint);
    const drift = subscriptionDrift(world).get(`${topicArn}|${protocol}|${endpoint}`);
    if (drift === 'deleted') return [];
    const id = createHash('sha256').update(`${topicArn}|${protocol}|${endpoint}`).digest('hex');
    const uuid = `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`;
    const arn = drift === 'pending' ? 'PendingConfirmation' : drift === 'unsubscribed' ? 'Deleted' : `${topicArn}:${uuid}`;
    return [{ SubscriptionArn: arn, Owner: world.account, Protocol: protocol, Endpoint: endpoint, TopicArn: topicArn }];
  });
}

const notFound = () => new NotFoundException({ message: 'Topic does not exist', $metadata: { httpStatusCode: 404 } });

export const snsFake: ServiceFake = (world) => {
  const sns = mockClient(SNSClient);
  sns.on(ListSubscriptionsByTopicCommand).callsFake(async (input: { TopicArn?: string }, getClient: () => SNSClient) => {
    const region = await getClient().config.region();
    if (topics(world).get(input.TopicArn ?? '') !== region) throw notFound();
    return { Subscriptions: subscriptionsOf(world, input.TopicArn!) };
  });
  sns.on(PublishCommand).callsFake(async (input: { TopicArn?: string; Subject?: string; Message?: string }, getClient: () => SNSClient) => {
    const region = await getClient().config.region();
    const topicArn = input.TopicArn ?? '';
    if (topics(world).get(topicArn) !== region) throw notFound();
    const message = input.Message ?? '';
    published(world).push({ topicArn, subject: input.Subject, message });
    const MessageId = createHash('sha256').update(`${published(world).length}|${message}`).digest('hex').slice(0, 32);
    for (const s of subscriptionsOf(world, topicArn)) {
      if (s.Protocol !== 'lambda' || s.SubscriptionArn === 'PendingConfirmation' || s.SubscriptionArn === 'Deleted') continue;
      const event = {
        Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: s.SubscriptionArn, Sns: { Type: 'Notification', MessageId, TopicArn: topicArn, Subject: input.Subject ?? null, Message: message, Timestamp: new Date().toISOString() } }],
      };
      deliveries(world).push(deliverToFunction(world, s.Endpoint!, event));
    }
    return { MessageId };
  });
  return [sns];
};
