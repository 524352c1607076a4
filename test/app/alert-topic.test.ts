import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AlertTopic, type AlertTopicProps } from '../../lib/alarms/alert-topic';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The alert topic on bare stacks (not the whole app): name and display name per purpose and
// stack part (with their defaults), encrypted with the given key, TLS-only publishing, the
// subscriptions of config.alerts one by one, CloudWatch (this account's alarms named
// <name>-*) and Budgets (allowBudgets) as the only publishers, and the key policy statements
// that let each of them encrypt for this topic only.

const ENV = { account: '123456789012', region: 'eu-west-1' };
type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = Record<string, unknown>;
const partitionArn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
const ROOT = { Action: 'kms:*', Effect: 'Allow', Principal: { AWS: partitionArn(':iam::123456789012:root') }, Resource: '*' };
const NO_ONE: Pick<AlertTopicProps, 'email' | 'sms' | 'https'> = { email: [], sms: [], https: [] };

const build = (define: (stack: Stack, key: kms.Key) => AlertTopic[]) => {
  const stack = new Stack(new App(), 'Core', { env: ENV });
  const key = new kms.Key(stack, 'Key');
  const topics = define(stack, key);
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const id = (c: CfnResource) => stack.getLogicalId(c);
  return { stack, key, topics, resources, id, keyPolicy: (resources[id(key.node.defaultChild as CfnResource)]!.Properties.KeyPolicy as { Statement: Statement[] }).Statement };
};

// The people's topic: every subscription kind, Budgets allowed.
const people = build((stack, key) => {
  const alerts = new AlertTopic(stack, 'Alerts', {
    deploymentName: 'openclaw-test-prod',
    key,
    email: ['ops@example.com', 'oncall@example.com'],
    sms: ['+15555550100'],
    https: ['https://hooks.example.com/alerts'],
  });
  alerts.allowBudgets('openclaw-test-prod');
  return [alerts];
});
// Every combination of purpose and stack part, with the purpose's default.
const named = build((stack, key) => [
  new AlertTopic(stack, 'Shutdown', { deploymentName: 'openclaw-test-prod', key, purpose: 'shutdown', ...NO_ONE }),
  new AlertTopic(stack, 'EdgeAlerts', { deploymentName: 'openclaw-test-prod', key, stackPart: 'edge', ...NO_ONE }),
  new AlertTopic(stack, 'EdgeShutdown', { deploymentName: 'openclaw-test-prod', key, stackPart: 'us-edge', purpose: 'shutdown', ...NO_ONE }),
  new AlertTopic(stack, 'Explicit', { deploymentName: 'openclaw-test-dev', key, purpose: 'alerts', ...NO_ONE }),
]);

const topicId = (b: typeof people, t: AlertTopic) => b.id(t.topic.node.defaultChild as CfnResource);
const topicRef = (b: typeof people, t: AlertTopic) => ({ Ref: topicId(b, t) });
const tlsOnly = (b: typeof people, t: AlertTopic): Statement => ({
  Sid: 'AllowPublishThroughSSLOnly',
  Action: 'sns:Publish',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  Effect: 'Deny',
  Principal: '*',
  Resource: topicRef(b, t),
});
const cloudWatchPublishes = (b: typeof people, t: AlertTopic, deploymentName: string): Statement => ({
  Sid: 'AllowCloudwatchToPublish',
  Action: 'sns:Publish',
  Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': partitionArn(`:cloudwatch:eu-west-1:123456789012:alarm:${deploymentName}-*`) } },
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Resource: topicRef(b, t),
});
const cloudWatchEncrypts = (id: string, topicName: string): Statement => ({
  Sid: `AllowCloudWatchAlarmsToPublishTo${id}`,
  Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  Condition: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': partitionArn(`:sns:eu-west-1:123456789012:${topicName}`) } },
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Resource: '*',
});

describe('the people\'s topic (default purpose, subscriptions, Budgets)', () => {
  const [alerts] = people.topics as [AlertTopic];
  const policyId = people.id(alerts.topic.node.findChild('Policy').node.defaultChild as CfnResource);
  const subscriptionIds = Object.keys(people.resources).filter((k) => people.resources[k]!.Type === 'AWS::SNS::Subscription');

  test('the topic: named <name>-alerts, displayed as such, encrypted with the key', () => {
    expect(alerts.topicNameLiteral).toBe('openclaw-test-prod-alerts');
    expect(people.resources[topicId(people, alerts)]).toEqual({
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: 'openclaw-test-prod-alerts', DisplayName: 'OpenClaw openclaw-test-prod alerts', KmsMasterKeyId: { 'Fn::GetAtt': [people.id(people.key.node.defaultChild as CfnResource), 'Arn'] } },
    });
  });

  test('one subscription per address of config.alerts: each email, each SMS number, each HTTPS URL', () => {
    expect(subscriptionIds.map((k) => people.resources[k])).toEqual(
      [
        ['ops@example.com', 'email'],
        ['oncall@example.com', 'email'],
        ['+15555550100', 'sms'],
        ['https://hooks.example.com/alerts', 'https'],
      ].map(([Endpoint, Protocol]) => ({ Type: 'AWS::SNS::Subscription', Properties: { Endpoint, Protocol, TopicArn: topicRef(people, alerts) } })),
    );
  });

  test('the topic policy: publishing over TLS only; CloudWatch for this account\'s <name>-* alarms and Budgets for its <name>-* budgets only', () => {
    expect(people.resources[policyId]).toEqual({
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [topicRef(people, alerts)],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            tlsOnly(people, alerts),
            cloudWatchPublishes(people, alerts, 'openclaw-test-prod'),
            {
              Sid: 'AllowBudgetsToPublish',
              Action: 'sns:Publish',
              Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': partitionArn(':budgets::123456789012:budget/openclaw-test-prod-*') } },
              Effect: 'Allow',
              Principal: { Service: 'budgets.amazonaws.com' },
              Resource: topicRef(people, alerts),
            },
          ],
        },
      },
    });
  });

  test('the key policy: CloudWatch and Budgets (from this account) may encrypt for this topic only', () => {
    expect(people.keyPolicy).toEqual([
      ROOT,
      cloudWatchEncrypts('Alerts', 'openclaw-test-prod-alerts'),
      {
        Sid: 'AllowBudgetsToPublishToAlerts',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Condition: { StringEquals: { 'aws:SourceAccount': '123456789012', 'kms:EncryptionContext:aws:sns:topicArn': partitionArn(':sns:eu-west-1:123456789012:openclaw-test-prod-alerts') } },
        Effect: 'Allow',
        Principal: { Service: 'budgets.amazonaws.com' },
        Resource: '*',
      },
    ]);
  });

  test('the stack holds only the key, the topic, its policy and the subscriptions; nothing acknowledged', () => {
    expect(Object.keys(people.resources).sort()).toEqual([people.id(people.key.node.defaultChild as CfnResource), topicId(people, alerts), policyId, ...subscriptionIds].sort());
    expect(collectAcknowledgements(people.stack)).toEqual([]);
  });
});

describe('purpose and stack part', () => {
  const [shutdown, edgeAlerts, edgeShutdown, explicit] = named.topics as [AlertTopic, AlertTopic, AlertTopic, AlertTopic];

  test('names: <name>-<purpose>, <name>-<stackPart>-<purpose>, the purpose alerts by default', () => {
    expect(named.topics.map((t) => [t.topicNameLiteral, named.resources[topicId(named, t)]!.Properties.TopicName, named.resources[topicId(named, t)]!.Properties.DisplayName])).toEqual([
      ['openclaw-test-prod-shutdown', 'openclaw-test-prod-shutdown', 'OpenClaw openclaw-test-prod shutdown'],
      ['openclaw-test-prod-edge-alerts', 'openclaw-test-prod-edge-alerts', 'OpenClaw openclaw-test-prod edge alerts'],
      ['openclaw-test-prod-us-edge-shutdown', 'openclaw-test-prod-us-edge-shutdown', 'OpenClaw openclaw-test-prod us edge shutdown'],
      ['openclaw-test-dev-alerts', 'openclaw-test-dev-alerts', 'OpenClaw openclaw-test-dev alerts'],
    ]);
  });

  test('no subscriptions when config.alerts lists none', () => {
    expect(Object.values(named.resources).filter((r) => r.Type === 'AWS::SNS::Subscription')).toEqual([]);
  });

  test('without allowBudgets: CloudWatch alone publishes (over TLS), and alone may encrypt, for each topic by its own name', () => {
    const policies = Object.values(named.resources).filter((r) => r.Type === 'AWS::SNS::TopicPolicy').map((r) => r.Properties);
    expect(policies).toEqual(
      [
        [shutdown, 'openclaw-test-prod'],
        [edgeAlerts, 'openclaw-test-prod'],
        [edgeShutdown, 'openclaw-test-prod'],
        [explicit, 'openclaw-test-dev'],
      ].map(([t, name]) => ({
        Topics: [topicRef(named, t as AlertTopic)],
        PolicyDocument: { Version: '2012-10-17', Statement: [tlsOnly(named, t as AlertTopic), cloudWatchPublishes(named, t as AlertTopic, name as string)] },
      })),
    );
    expect(named.keyPolicy).toEqual([
      ROOT,
      cloudWatchEncrypts('Shutdown', 'openclaw-test-prod-shutdown'),
      cloudWatchEncrypts('EdgeAlerts', 'openclaw-test-prod-edge-alerts'),
      cloudWatchEncrypts('EdgeShutdown', 'openclaw-test-prod-us-edge-shutdown'),
      cloudWatchEncrypts('Explicit', 'openclaw-test-dev-alerts'),
    ]);
  });
});

test('allowPublisher: one more service, from this account and the given source only, its statement named after the service', () => {
  const b = build((stack, key) => {
    const t = new AlertTopic(stack, 'Alerts', { deploymentName: 'openclaw-test-prod', key, ...NO_ONE });
    t.allowPublisher(new iam.ServicePrincipal('events.amazonaws.com'), 'arn:aws:events:eu-west-1:123456789012:rule/openclaw-test-prod-*');
    return [t];
  });
  const [t] = b.topics as [AlertTopic];
  const policy = Object.values(b.resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy')!;
  expect((policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.slice(2)).toEqual([
    {
      Sid: 'AllowEventsToPublish',
      Action: 'sns:Publish',
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:123456789012:rule/openclaw-test-prod-*' } },
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Resource: topicRef(b, t),
    },
  ]);
});
