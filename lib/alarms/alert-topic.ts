import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  /** `<prefix>-<client>-<env>`: names the topic `<name>-<purpose>` and the alarms it accepts (`<name>-*`). */
  readonly deploymentName: string;
  /**
   * `alerts`: people are told (subscriptions from config.alerts). `shutdown`:
   * the kill switch listens (no people; the budgets' and alarms' 100 % signals).
   * @default 'alerts'
   */
  readonly purpose?: 'alerts' | 'shutdown';
  /**
   * Set when another stack of the deployment can hold a topic of the same
   * purpose in the same account and region: the topic is then named
   * `<name>-<stackPart>-<purpose>`. The edge stack sets `edge`: it is always
   * in us-east-1, so with aws.region us-east-1 it shares the region with the
   * core stack's `<name>-alerts`, and a second topic of that name would fail
   * the deploy. Topic names are unique per account and region.
   * @default - none: the topic is named `<name>-<purpose>`
   */
  readonly stackPart?: string;
  /** The customer-managed key the topic is encrypted with (this construct lets CloudWatch use it for this topic only). */
  readonly key: kms.Key;
  /** config.alerts.email: addresses subscribed by email (each confirms once), outside the agent system. */
  readonly email: readonly string[];
  /** config.alerts.sms: phone numbers subscribed by SMS. */
  readonly sms: readonly string[];
  /** config.alerts.https: HTTPS endpoints subscribed. */
  readonly https: readonly string[];
}

/**
 * The alert topic of one client x environment in one region: KMS-encrypted,
 * TLS-only, with the subscriptions of config.alerts. Its policy lets
 * CloudWatch publish only for this account's alarms named `<name>-*`;
 * further publishers (budgets, the kill switch) are added one by one with
 * allowPublisher. Alarms can notify only a topic in their own region, so the
 * regional stacks and the us-east-1 edge stack each have one.
 */
export class AlertTopic extends Construct {
  readonly topic: sns.Topic;
  /** The topic name (a plain string: key policies name the topic without referencing it). */
  readonly topicNameLiteral: string;
  private readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const purpose = props.stackPart ? `${props.stackPart}-${props.purpose ?? 'alerts'}` : (props.purpose ?? 'alerts');
    const topicName = `${props.deploymentName}-${purpose}`;
    this.key = props.key;
    this.topicNameLiteral = topicName;
    this.topic = new sns.Topic(this, 'Topic', {
      topicName,
      displayName: `OpenClaw ${props.deploymentName} ${purpose.replace(/-/g, ' ')}`,
      masterKey: props.key,
      enforceSSL: true,
    });
    for (const address of props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    for (const number of props.sms) this.topic.addSubscription(new subscriptions.SmsSubscription(number));
    for (const url of props.https) this.topic.addSubscription(new subscriptions.UrlSubscription(url, { protocol: sns.SubscriptionProtocol.HTTPS }));
    this.allowPublisher(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:${props.deploymentName}-*`);
    // CloudWatch encrypts what it publishes to this topic with the key: only for this topic.
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowCloudWatchAlarmsToPublishTo${id}`,
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // The ARN by name, not a reference: the topic already depends on the key.
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': `arn:${stack.partition}:sns:${stack.region}:${stack.account}:${topicName}` } },
      }),
    );
  }

  /**
   * Lets AWS Budgets publish this deployment's budget notifications (budgets
   * named `<name>-*` of this account), encrypting with the topic's key.
   * Without this, Budgets drops its notifications silently.
   */
  allowBudgets(deploymentName: string): void {
    const stack = Stack.of(this);
    this.allowPublisher(new iam.ServicePrincipal('budgets.amazonaws.com'), `arn:${stack.partition}:budgets::${stack.account}:budget/${deploymentName}-*`);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `AllowBudgetsToPublishTo${this.node.id}`,
        principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'kms:EncryptionContext:aws:sns:topicArn': `arn:${stack.partition}:sns:${stack.region}:${stack.account}:${this.topicNameLiteral}`,
          },
        },
      }),
    );
  }

  /** Lets one AWS service publish, only from this account and only from `sourceArn` (a pattern such as this deployment's alarms). */
  allowPublisher(principal: iam.ServicePrincipal, sourceArn: string): void {
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: `Allow${principal.service.split('.')[0]!.replace(/^./, (c) => c.toUpperCase())}ToPublish`,
        principals: [principal],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': sourceArn } },
      }),
    );
  }
}
