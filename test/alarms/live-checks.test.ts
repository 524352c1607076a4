import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  DescribeAlarmsCommand,
  InvalidNextToken,
  type CompositeAlarm,
  type DescribeAlarmsCommandInput,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, NotFoundException, SNSClient, type ListSubscriptionsByTopicCommandInput, type Subscription } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { alarmActions, alarmHasData, alertsSubscribed, ALARMS_LIVE_CHECKS } from '../../lib/alarms/live-checks';
import type { LiveAlarm } from '../../lib/alarms/live-alarms';
import { alarmsLiveSettings, type AlarmsLiveSettings } from '../../lib/alarms/live-settings';
import type { TemplateResource } from '../../lib/compliance/control';
import { loadConfig } from '../../lib/config/load';
import type { CheckResult } from '../../lib/verify/live-check';
import type { DeployedStack, StackRole } from '../../lib/verify/deployed-stacks';
import type { VerifySettings } from '../../lib/verify/settings';
import { VerifyContext } from '../../lib/verify/verify-context';
import { CONFIG_DIR, NOW } from '../support/config-fixture';
import { answerStackResources } from '../support/stack-resources';

// The alarms live checks (lib/alarms/live-checks.ts, live-alarms.ts, live-subscriptions.ts) on
// hand-made core, gateway and edge stacks, answer by answer. CloudWatch's DescribeAlarms answers as
// the API does: only the alarms named, in the client's region, metric alarms only unless AlarmTypes
// asks for composite ones, at most 100 names, pages of MaxRecords (50 by default) chained by
// NextToken. SNS's ListSubscriptionsByTopic answers in the topic's region only (NotFoundException
// elsewhere), pages of 100, an unconfirmed subscription's SubscriptionArn `PendingConfirmation`, one
// its recipient left `Deleted`. Physical IDs come from CloudFormation's ListStackResources. The
// synthesized example/prod runs in test/verify/alarms-live-checks.test.ts.

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const EDGE_REGION = 'us-east-1';
const NAME = 'openclaw-example-prod';
const stackName = (role: StackRole) => `${NAME}-${role}`;
const CORE = stackName('core');

const topicArn = (region: string, topic: string) => `arn:aws:sns:${region}:${ACCOUNT}:${topic}`;
const ALERTS = topicArn(REGION, `${NAME}-alerts`);
const EDGE_ALERTS = topicArn(EDGE_REGION, `${NAME}-edge-alerts`);
const SHUTDOWN = topicArn(REGION, `${NAME}-shutdown`);
const KILL_SWITCH_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${NAME}-kill-switch`;
const REBOOT = `arn:aws:automate:${REGION}:ec2:reboot`;
const EMAIL = 'oncall@example.com';

/** alarmsLiveSettings of example/prod (pinned in its own describe below). */
const PROD: AlarmsLiveSettings = {
  alertTopicNames: [`${NAME}-alerts`, `${NAME}-edge-alerts`],
  alertEndpoints: [{ protocol: 'email', endpoint: EMAIL }],
  warmUp: { minimumMinutes: 60, windows: 3 },
};

const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const iso = (minutes: number) => ago(minutes).toISOString();

// ---------------------------------------------------------------- templates

const topic = (name: string): TemplateResource => ({ Type: 'AWS::SNS::Topic', Properties: { TopicName: name } });
/** A subscription to the topic of logical ID `topicRef` (Ref), or to a literal ARN. */
const subscription = (topicRef: string, protocol: string, endpoint: unknown): TemplateResource => ({
  Type: 'AWS::SNS::Subscription',
  Properties: { TopicArn: topicRef.startsWith('arn:') ? topicRef : { Ref: topicRef }, Protocol: protocol, Endpoint: endpoint },
});
const alarm = (properties: Record<string, unknown>): TemplateResource => ({ Type: 'AWS::CloudWatch::Alarm', Properties: properties });
const composite = (properties: Record<string, unknown>): TemplateResource => ({ Type: 'AWS::CloudWatch::CompositeAlarm', Properties: properties });

/** A status-check alarm as CDK renders it: AWS/EC2, breaching, a 2-minute window, both actions to the alerts topic. */
const ec2Props = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Namespace: 'AWS/EC2',
  MetricName: 'StatusCheckFailed',
  Dimensions: [{ Name: 'InstanceId', Value: 'i-0123456789abcdef0' }],
  Statistic: 'Maximum',
  Period: 60,
  EvaluationPeriods: 2,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  TreatMissingData: 'breaching',
  AlarmActions: [{ Ref: 'AlertsTopic' }],
  OKActions: [{ Ref: 'AlertsTopic' }],
  ...extra,
});
/** `o` without `keys`: a template without a property, an answer without a field. */
const without = <T extends object>(o: T, ...keys: string[]): T => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k))) as T;

const BASE: Partial<Record<StackRole, Record<string, TemplateResource>>> = {
  core: {
    AlertsTopic: topic(`${NAME}-alerts`),
    ShutdownTopic: topic(`${NAME}-shutdown`),
    KillSwitch: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: `${NAME}-kill-switch` } },
    KillSwitchSubscription: subscription('ShutdownTopic', 'lambda', { 'Fn::GetAtt': ['KillSwitch', 'Arn'] }),
  },
  gateway: {},
  edge: { EdgeAlertsTopic: topic(`${NAME}-edge-alerts`) },
};
const REGIONS: Record<string, string> = { core: REGION, gateway: REGION, edge: EDGE_REGION };

/** The physical ID CloudFormation reports: a topic's ARN, a function's name, an alarm's AlarmName, else a generated name. */
function physicalOf(stack: DeployedStack, id: string, r: TemplateResource): string {
  const p = r.Properties ?? {};
  if (r.Type === 'AWS::SNS::Topic' && typeof p.TopicName === 'string') return topicArn(stack.region, p.TopicName);
  if (r.Type === 'AWS::Lambda::Function' && typeof p.FunctionName === 'string') return p.FunctionName;
  if (r.Type.startsWith('AWS::CloudWatch::') && typeof p.AlarmName === 'string') return p.AlarmName;
  return `${stack.stackName}-${id}-1A2B3C4D5E6F`;
}

// ---------------------------------------------------------------- live answers

const alarmArn = (region: string, name: string) => `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${name}`;

/** DescribeAlarms' MetricAlarm for an alarm as ec2Props renders it, OK for a day. */
const liveMetric = (region: string, name: string, over: Partial<MetricAlarm> = {}): MetricAlarm => ({
  AlarmName: name,
  AlarmArn: alarmArn(region, name),
  AlarmConfigurationUpdatedTimestamp: ago(3 * 1440),
  ActionsEnabled: true,
  OKActions: [ALERTS],
  AlarmActions: [ALERTS],
  InsufficientDataActions: [],
  StateValue: 'OK',
  StateReason: 'Threshold Crossed: 2 datapoints [0.0 (21/11/26 11:58:00), 0.0 (21/11/26 11:57:00)] were not greater than or equal to the threshold (1.0).',
  StateUpdatedTimestamp: ago(1440),
  StateTransitionedTimestamp: ago(1440),
  MetricName: 'StatusCheckFailed',
  Namespace: 'AWS/EC2',
  Statistic: 'Maximum',
  Dimensions: [{ Name: 'InstanceId', Value: 'i-0123456789abcdef0' }],
  Period: 60,
  EvaluationPeriods: 2,
  Threshold: 1,
  ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  TreatMissingData: 'breaching',
  ...over,
});

/** DescribeAlarms' CompositeAlarm. */
const liveComposite = (region: string, name: string, over: Partial<CompositeAlarm> = {}): CompositeAlarm => ({
  AlarmName: name,
  AlarmArn: alarmArn(region, name),
  AlarmRule: `ALARM("${NAME}-gateway-unhealthy") OR ALARM("${NAME}-nat-unhealthy")`,
  AlarmConfigurationUpdatedTimestamp: ago(3 * 1440),
  ActionsEnabled: true,
  AlarmActions: [ALERTS],
  OKActions: [],
  InsufficientDataActions: [],
  StateValue: 'OK',
  StateReason: 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:x transitioned to OK',
  StateUpdatedTimestamp: ago(1440),
  StateTransitionedTimestamp: ago(1440),
  ...over,
});
const isComposite = (a: LiveAlarm) => 'AlarmRule' in a;

let subscriptionIds = 0;
/** ListSubscriptionsByTopic's Subscription; a confirmed one's ARN is the topic's ARN and an ID. */
const sub = (topic: string, protocol: string, endpoint: string, state: 'confirmed' | 'PendingConfirmation' | 'Deleted' = 'confirmed'): Subscription => ({
  SubscriptionArn: state === 'confirmed' ? `${topic}:0b1c2d3e-0000-4000-8000-${String(++subscriptionIds).padStart(12, '0')}` : state,
  Owner: ACCOUNT,
  Protocol: protocol,
  Endpoint: endpoint,
  TopicArn: topic,
});

// ---------------------------------------------------------------- the fakes

const cfn = mockClient(CloudFormationClient);
const cw = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
afterAll(() => {
  cfn.restore();
  cw.restore();
  sns.restore();
});

/** Every request made, with the region of the client that made it. */
let alarmRequests: { region: string; input: DescribeAlarmsCommandInput }[] = [];
let subscriptionRequests: { region: string; input: ListSubscriptionsByTopicCommandInput }[] = [];

interface Setup {
  /** Template resources added to (or replacing) the base ones of each stack. */
  readonly core?: Record<string, TemplateResource>;
  readonly gateway?: Record<string, TemplateResource>;
  readonly edge?: Record<string, TemplateResource>;
  /** Logical IDs ListStackResources does not list (never created, or rolled back). */
  readonly absent?: readonly string[];
  /** DescribeAlarms: the alarms of each region. */
  readonly alarms?: Partial<Record<string, LiveAlarm[]>>;
  /** ListSubscriptionsByTopic: the subscriptions of each topic (a topic not listed does not exist). */
  readonly subscriptions?: Partial<Record<string, Subscription[]>>;
  readonly subscriptionsPerPage?: number;
  readonly settings?: Partial<AlarmsLiveSettings>;
  readonly now?: Date;
}

const cwError = (name: string, message: string, status = 400) => new CloudWatchServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: status } });

/** A context on the core, gateway and edge stacks; CloudFormation, CloudWatch and SNS answer from `s`. */
function context(s: Setup = {}): VerifyContext {
  cfn.reset();
  cw.reset();
  sns.reset();
  alarmRequests = [];
  subscriptionRequests = [];
  const stacks: DeployedStack[] = (['core', 'gateway', 'edge'] as const).map((role) => ({
    stackName: stackName(role),
    role,
    region: REGIONS[role]!,
    template: { Resources: { ...BASE[role], ...s[role] } },
  }));
  for (const stack of stacks) {
    answerStackResources(cfn, stack, (id, r) => physicalOf(stack, id, r), s.absent);
  }
  cw.on(DescribeAlarmsCommand).callsFake(async (input: DescribeAlarmsCommandInput, getClient) => {
    const region = await getClient().config.region();
    alarmRequests.push({ region, input });
    const names = input.AlarmNames ?? [];
    if (names.length > 100) throw cwError('ValidationError', "1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100");
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    const all = (s.alarms?.[region] ?? [])
      .filter((a) => names.length === 0 || names.includes(a.AlarmName!))
      .filter((a) => types.includes(isComposite(a) ? 'CompositeAlarm' : 'MetricAlarm'))
      .sort((a, b) => a.AlarmName!.localeCompare(b.AlarmName!));
    const size = input.MaxRecords ?? 50;
    const start = input.NextToken === undefined ? 0 : Number(/^token-(\d+)$/.exec(input.NextToken)?.[1] ?? NaN);
    if (Number.isNaN(start)) throw new InvalidNextToken({ message: 'The service returned an invalid next token.', $metadata: {} });
    const page = all.slice(start, start + size);
    return {
      MetricAlarms: page.filter((a) => !isComposite(a)),
      ...(types.includes('CompositeAlarm') ? { CompositeAlarms: page.filter(isComposite) } : {}),
      ...(start + size < all.length ? { NextToken: `token-${start + size}` } : {}),
    };
  });
  sns.on(ListSubscriptionsByTopicCommand).callsFake(async (input: ListSubscriptionsByTopicCommandInput, getClient) => {
    const region = await getClient().config.region();
    subscriptionRequests.push({ region, input });
    const subs = s.subscriptions?.[input.TopicArn!];
    if (!subs || input.TopicArn!.split(':')[3] !== region) throw new NotFoundException({ message: 'Topic does not exist', $metadata: {} });
    const size = s.subscriptionsPerPage ?? 100;
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken.replace('token-', ''));
    return { Subscriptions: subs.slice(start, start + size), ...(start + size < subs.length ? { NextToken: `token-${start + size}` } : {}) };
  });
  const settings = { alarms: { ...PROD, ...s.settings } } as unknown as VerifySettings;
  return new VerifyContext({ name: NAME, account: ACCOUNT, region: REGION, stacks, settings, options: { writeProbes: false, now: s.now ?? NOW } });
}

const pass = (check: typeof alarmActions, resource: string, evidence: string): CheckResult => ({ check: check.id, control: check.control, status: 'pass', resource, evidence });
const fail = (check: typeof alarmActions, resource: string, evidence: string): CheckResult => ({ check: check.id, control: check.control, status: 'fail', resource, evidence });

// ---------------------------------------------------------------- settings and metadata

describe('alarmsLiveSettings', () => {
  const loaded = (env: string) => loadConfig({ configDir: CONFIG_DIR, client: 'example', env, now: NOW }).config;

  it('prod: the two alert topics of the deployment, config.alerts (one e-mail), an hour or three windows of warm-up', () => {
    expect(alarmsLiveSettings(loaded('prod'))).toEqual(PROD);
  });

  it('dev: the same, named for dev', () => {
    expect(alarmsLiveSettings(loaded('dev'))).toEqual({
      alertTopicNames: ['openclaw-example-dev-alerts', 'openclaw-example-dev-edge-alerts'],
      alertEndpoints: [{ protocol: 'email', endpoint: EMAIL }],
      warmUp: { minimumMinutes: 60, windows: 3 },
    });
  });

  it('every e-mail, then every phone number, then every URL of config.alerts, each with its SNS protocol', () => {
    const config = loaded('prod');
    const alerts = { ...config.alerts, email: ['a@example.com', 'b@example.com'], sms: ['+15555550100'], https: ['https://hooks.example.com/alarms', 'https://pager.example.com/x'] };
    expect(alarmsLiveSettings({ ...config, alerts }).alertEndpoints).toEqual([
      { protocol: 'email', endpoint: 'a@example.com' },
      { protocol: 'email', endpoint: 'b@example.com' },
      { protocol: 'sms', endpoint: '+15555550100' },
      { protocol: 'https', endpoint: 'https://hooks.example.com/alarms' },
      { protocol: 'https', endpoint: 'https://pager.example.com/x' },
    ]);
  });
});

test("each check's id, control, title, concern, schedule and actions, exactly", () => {
  expect(ALARMS_LIVE_CHECKS.map((c) => ({ id: c.id, control: c.control, title: c.title, concern: c.concern, daily: c.daily, iam: c.iam, needs: c.needs }))).toEqual([
    { id: 'alarms.alarm-actions', control: 'alarm-actions', title: 'Every alarm of the templates exists, its actions enabled and wired as deployed', concern: 'alarms', daily: true, iam: ['cloudwatch:DescribeAlarms'] },
    { id: 'alarms.alarm-has-data', control: 'alarm-has-data', title: 'No alarm is stuck in INSUFFICIENT_DATA after its warm-up', concern: 'alarms', daily: true, iam: ['cloudwatch:DescribeAlarms'] },
    { id: 'alarms.alerts-subscribed', control: 'alerts-subscribed', title: 'Every subscription of the alert and shutdown topics exists and is confirmed', concern: 'alarms', daily: true, iam: ['sns:ListSubscriptionsByTopic'] },
  ]);
});

// ---------------------------------------------------------------- alarms.alarm-actions

const UNHEALTHY = `${NAME}-gateway-unhealthy`;
const SPEND_PHYSICAL = `${CORE}-SpendLimit-1A2B3C4D5E6F`;
const spendProps = { Namespace: `OpenClaw/${NAME}`, MetricName: 'ModelSpend', Statistic: 'Maximum', Period: 3600, EvaluationPeriods: 1, Threshold: 50, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [{ Ref: 'AlertsTopic' }, { Ref: 'ShutdownTopic' }] };

describe('alarms.alarm-actions', () => {
  it('passes on each alarm as the templates wire it, named by AlarmName or else its physical ID, in template order; one DescribeAlarms by sorted name', async () => {
    const c = context({
      core: { Unhealthy: alarm(ec2Props({ AlarmName: UNHEALTHY })), SpendLimit: alarm(spendProps) },
      alarms: { [REGION]: [liveMetric(REGION, UNHEALTHY), liveMetric(REGION, SPEND_PHYSICAL, { AlarmActions: [ALERTS, SHUTDOWN], OKActions: [] }), liveMetric(REGION, 'another-teams-alarm')] },
    });
    expect(await alarmActions.run(c)).toEqual([
      pass(alarmActions, `${UNHEALTHY} (eu-west-1)`, `ActionsEnabled true; AlarmActions ${ALERTS}; OKActions ${ALERTS}`),
      pass(alarmActions, `${SPEND_PHYSICAL} (eu-west-1)`, `ActionsEnabled true; AlarmActions ${ALERTS}, ${SHUTDOWN}; OKActions (none)`),
    ]);
    // Metric alarms only: no AlarmTypes (asking for composite alarms needs more than the role has).
    expect(alarmRequests).toEqual([{ region: REGION, input: { AlarmNames: [SPEND_PHYSICAL, UNHEALTHY] } }]);
    expect(Object.keys(alarmRequests[0]!.input).sort()).toEqual(['AlarmNames', 'NextToken']);
  });

  it('the same actions in another order are the same set (both orders unsorted), shown in template order', async () => {
    const c = context({
      core: { Unhealthy: alarm(ec2Props({ AlarmName: UNHEALTHY, AlarmActions: [SHUTDOWN, REBOOT, { Ref: 'AlertsTopic' }] })) },
      alarms: { [REGION]: [liveMetric(REGION, UNHEALTHY, { AlarmActions: [ALERTS, SHUTDOWN, REBOOT] })] },
    });
    expect(await alarmActions.run(c)).toEqual([pass(alarmActions, `${UNHEALTHY} (eu-west-1)`, `ActionsEnabled true; AlarmActions ${SHUTDOWN}, ${REBOOT}, ${ALERTS}; OKActions ${ALERTS}`)]);
  });

  it('an alarm CloudWatch does not have fails with the actions it should have; a same-named alarm of another region does not count', async () => {
    const c = context({
      core: { Unhealthy: alarm(ec2Props({ AlarmName: UNHEALTHY, AlarmActions: [{ Ref: 'AlertsTopic' }, { Ref: 'ShutdownTopic' }] })), Silent: alarm(without(ec2Props({ AlarmName: `${NAME}-silent` }), 'AlarmActions')) },
      alarms: { [EDGE_REGION]: [liveMetric(EDGE_REGION, UNHEALTHY), liveMetric(EDGE_REGION, `${NAME}-silent`)] },
    });
    expect(await alarmActions.run(c)).toEqual([
      fail(alarmActions, `${UNHEALTHY} (eu-west-1)`, `no alarm of that name in CloudWatch; expected it with AlarmActions ${ALERTS}, ${SHUTDOWN}`),
      fail(alarmActions, `${NAME}-silent (eu-west-1)`, 'no alarm of that name in CloudWatch; expected it with AlarmActions (none)'),
    ]);
  });

  it('actions disabled and each list that differs are all named, in order, in one result', async () => {
    const c = context({
      core: {
        Unhealthy: alarm(ec2Props({ AlarmName: UNHEALTHY })),
        Nat: alarm(ec2Props({ AlarmName: `${NAME}-nat-unhealthy`, InsufficientDataActions: [{ Ref: 'AlertsTopic' }] })),
      },
      alarms: {
        [REGION]: [
          liveMetric(REGION, UNHEALTHY, { ActionsEnabled: false, AlarmActions: [], OKActions: [ALERTS, SHUTDOWN], InsufficientDataActions: [ALERTS] }),
          liveMetric(REGION, `${NAME}-nat-unhealthy`),
        ],
      },
    });
    expect(await alarmActions.run(c)).toEqual([
      fail(alarmActions, `${UNHEALTHY} (eu-west-1)`, `ActionsEnabled false; expected true; AlarmActions (none); expected ${ALERTS}; OKActions ${ALERTS}, ${SHUTDOWN}; expected ${ALERTS}; InsufficientDataActions ${ALERTS}; expected (none)`),
      fail(alarmActions, `${NAME}-nat-unhealthy (eu-west-1)`, `InsufficientDataActions (none); expected ${ALERTS}`),
    ]);
  });

  it('an answer without ActionsEnabled is not enabled; an action replaced by another (as many actions) is a difference', async () => {
    const noFlag = without(liveMetric(REGION, UNHEALTHY), 'ActionsEnabled');
    const c = context({
      core: { Unhealthy: alarm(ec2Props({ AlarmName: UNHEALTHY })), Nat: alarm(ec2Props({ AlarmName: `${NAME}-nat-unhealthy` })) },
      alarms: { [REGION]: [noFlag, liveMetric(REGION, `${NAME}-nat-unhealthy`, { AlarmActions: [SHUTDOWN] })] },
    });
    expect(await alarmActions.run(c)).toEqual([
      fail(alarmActions, `${UNHEALTHY} (eu-west-1)`, 'ActionsEnabled undefined; expected true'),
      fail(alarmActions, `${NAME}-nat-unhealthy (eu-west-1)`, `AlarmActions ${SHUTDOWN}; expected ${ALERTS}`),
    ]);
  });

  it('an answer without its action lists has none: it matches a template without actions, not one with them', async () => {
    const bare = (name: string) => without(liveMetric(REGION, name), 'AlarmActions', 'OKActions', 'InsufficientDataActions');
    const c = context({
      core: {
        Quiet: alarm(without(ec2Props({ AlarmName: `${NAME}-quiet` }), 'AlarmActions', 'OKActions')),
        Unhealthy: alarm(ec2Props({ AlarmName: UNHEALTHY })),
      },
      alarms: { [REGION]: [bare(`${NAME}-quiet`), bare(UNHEALTHY)] },
    });
    expect(await alarmActions.run(c)).toEqual([
      pass(alarmActions, `${NAME}-quiet (eu-west-1)`, 'ActionsEnabled true; AlarmActions (none); OKActions (none)'),
      fail(alarmActions, `${UNHEALTHY} (eu-west-1)`, `AlarmActions (none); expected ${ALERTS}; OKActions (none); expected ${ALERTS}`),
    ]);
  });

  it('composite alarms are checked too, asked for with AlarmTypes only when a template has one', async () => {
    const rollup = `${NAME}-gateway-rollup`;
    const c = context({
      core: {
        Unhealthy: alarm(ec2Props({ AlarmName: UNHEALTHY })),
        Rollup: composite({ AlarmName: rollup, AlarmRule: `ALARM("${UNHEALTHY}")`, AlarmActions: [{ Ref: 'AlertsTopic' }] }),
      },
      alarms: { [REGION]: [liveMetric(REGION, UNHEALTHY), liveComposite(REGION, rollup)] },
    });
    expect(await alarmActions.run(c)).toEqual([
      pass(alarmActions, `${UNHEALTHY} (eu-west-1)`, `ActionsEnabled true; AlarmActions ${ALERTS}; OKActions ${ALERTS}`),
      pass(alarmActions, `${rollup} (eu-west-1)`, `ActionsEnabled true; AlarmActions ${ALERTS}; OKActions (none)`),
    ]);
    expect(alarmRequests).toEqual([{ region: REGION, input: { AlarmNames: [rollup, UNHEALTHY], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] } }]);
  });

  it('an answer without MetricAlarms, or without CompositeAlarms, has none of that kind', async () => {
    const rollup = `${NAME}-gateway-rollup`;
    const core = { Unhealthy: alarm(ec2Props({ AlarmName: UNHEALTHY })), Rollup: composite({ AlarmName: rollup, AlarmRule: `ALARM("${UNHEALTHY}")` }) };
    const c = context({ core });
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [liveMetric(REGION, UNHEALTHY)] });
    expect((await alarmActions.run(c)).map((r) => [r.resource, r.status])).toEqual([
      [`${UNHEALTHY} (eu-west-1)`, 'pass'],
      [`${rollup} (eu-west-1)`, 'fail'],
    ]);
    const c2 = context({ core });
    cw.on(DescribeAlarmsCommand).resolves({ CompositeAlarms: [liveComposite(REGION, rollup, { AlarmActions: [] })] });
    expect((await alarmActions.run(c2)).map((r) => [r.resource, r.status])).toEqual([
      [`${UNHEALTHY} (eu-west-1)`, 'fail'],
      [`${rollup} (eu-west-1)`, 'pass'],
    ]);
  });

  it("the edge stack's alarms are asked for in us-east-1, the others in the main region, each region with its own names", async () => {
    const spike = `${NAME}-waf-blocks-spike`;
    const c = context({
      core: { Unhealthy: alarm(ec2Props({ AlarmName: UNHEALTHY })) },
      edge: { Spike: alarm(ec2Props({ AlarmName: spike, Namespace: 'AWS/WAFV2', AlarmActions: [{ Ref: 'EdgeAlertsTopic' }], OKActions: [] })) },
      alarms: {
        [REGION]: [liveMetric(REGION, UNHEALTHY), liveMetric(REGION, spike, { ActionsEnabled: false })],
        [EDGE_REGION]: [liveMetric(EDGE_REGION, spike, { AlarmActions: [EDGE_ALERTS], OKActions: [] }), liveMetric(EDGE_REGION, UNHEALTHY, { ActionsEnabled: false })],
      },
    });
    expect(await alarmActions.run(c)).toEqual([
      pass(alarmActions, `${UNHEALTHY} (eu-west-1)`, `ActionsEnabled true; AlarmActions ${ALERTS}; OKActions ${ALERTS}`),
      pass(alarmActions, `${spike} (us-east-1)`, `ActionsEnabled true; AlarmActions ${EDGE_ALERTS}; OKActions (none)`),
    ]);
    expect(alarmRequests).toEqual([
      { region: REGION, input: { AlarmNames: [UNHEALTHY] } },
      { region: EDGE_REGION, input: { AlarmNames: [spike] } },
    ]);
  });

  it('follows NextToken to the last page, asking again for the same names', async () => {
    const names = [`${NAME}-a`, `${NAME}-b`, `${NAME}-c`];
    const c = context({
      core: Object.fromEntries(names.map((n, i) => [`A${i}`, alarm(ec2Props({ AlarmName: n }))])),
      alarms: { [REGION]: names.map((n) => liveMetric(REGION, n)) },
    });
    // One alarm per page (CloudWatch decides a page's size).
    cw.on(DescribeAlarmsCommand).callsFake(async (input: DescribeAlarmsCommandInput, getClient) => {
      alarmRequests.push({ region: await getClient().config.region(), input });
      const i = input.NextToken === undefined ? 0 : Number(input.NextToken.replace('token-', ''));
      return { MetricAlarms: [liveMetric(REGION, input.AlarmNames![i]!)], ...(i + 1 < input.AlarmNames!.length ? { NextToken: `token-${i + 1}` } : {}) };
    });
    expect((await alarmActions.run(c)).map((r) => [r.resource, r.status])).toEqual(names.map((n) => [`${n} (eu-west-1)`, 'pass']));
    expect(alarmRequests).toEqual([
      { region: REGION, input: { AlarmNames: names } },
      { region: REGION, input: { AlarmNames: names, NextToken: 'token-1' } },
      { region: REGION, input: { AlarmNames: names, NextToken: 'token-2' } },
    ]);
  });

  const many = (n: number) => Array.from({ length: n }, (_, i) => `${NAME}-host-${String(i).padStart(3, '0')}`);
  const manyAlarms = (names: string[]) => ({
    // In reverse order: the requests are sorted by name.
    gateway: Object.fromEntries([...names].reverse().map((n, i) => [`Host${i}`, alarm(ec2Props({ AlarmName: n, AlarmActions: [ALERTS], OKActions: [ALERTS] }))])),
    alarms: { [REGION]: names.map((n) => liveMetric(REGION, n)) },
  });

  it('100 alarms: one request of 100 names (two pages of 50)', async () => {
    const names = many(100);
    const results = await alarmActions.run(context(manyAlarms(names)));
    expect(results.filter((r) => r.status === 'pass')).toHaveLength(100);
    expect(alarmRequests).toEqual([
      { region: REGION, input: { AlarmNames: names } },
      { region: REGION, input: { AlarmNames: names, NextToken: 'token-50' } },
    ]);
  });

  it('101 alarms: 100 names, then the 101st (DescribeAlarms takes at most 100 names)', async () => {
    const names = many(101);
    const results = await alarmActions.run(context(manyAlarms(names)));
    expect(results.filter((r) => r.status === 'pass')).toHaveLength(101);
    expect(alarmRequests).toEqual([
      { region: REGION, input: { AlarmNames: names.slice(0, 100) } },
      { region: REGION, input: { AlarmNames: names.slice(0, 100), NextToken: 'token-50' } },
      { region: REGION, input: { AlarmNames: names.slice(100) } },
    ]);
  });

  it("the template's AlarmName resolved (Fn::Sub), even when CloudFormation does not list the alarm; an alarm without properties is named by its physical ID", async () => {
    const disk = `${CORE}-disk-full`;
    const c = context({
      core: { Disk: alarm(ec2Props({ AlarmName: { 'Fn::Sub': '${AWS::StackName}-disk-full' } })), Bare: { Type: 'AWS::CloudWatch::Alarm' } },
      absent: ['Disk'],
      alarms: { [REGION]: [liveMetric(REGION, `${CORE}-Bare-1A2B3C4D5E6F`, { AlarmActions: [], OKActions: [] })] },
    });
    expect(await alarmActions.run(c)).toEqual([
      fail(alarmActions, `${disk} (eu-west-1)`, `no alarm of that name in CloudWatch; expected it with AlarmActions ${ALERTS}`),
      pass(alarmActions, `${CORE}-Bare-1A2B3C4D5E6F (eu-west-1)`, 'ActionsEnabled true; AlarmActions (none); OKActions (none)'),
    ]);
  });

  it('an alarm without AlarmName that CloudFormation does not list, and a refused DescribeAlarms, are errors of the run', async () => {
    const c = context({ core: { Cpu: alarm(ec2Props()) }, absent: ['Cpu'] });
    await expect(alarmActions.run(c)).rejects.toThrow(`${CORE} has no live AWS::CloudWatch::Alarm Cpu`);
    const c2 = context({ core: { Unhealthy: alarm(ec2Props({ AlarmName: UNHEALTHY })) } });
    const denied = cwError('AccessDenied', `User: arn:aws:sts::${ACCOUNT}:assumed-role/verify/x is not authorized to perform: cloudwatch:DescribeAlarms`, 403);
    cw.on(DescribeAlarmsCommand).rejects(denied);
    await expect(alarmActions.run(c2)).rejects.toBe(denied);
  });
});

// ---------------------------------------------------------------- alarms.alarm-has-data

const SUBJECT = `${NAME}-subject`;

/** alarm-has-data on `resource`, the one alarm of the core stack, CloudWatch answering `live` (null: no such alarm). */
async function judged(resource: TemplateResource, live: LiveAlarm | null, s: Setup = {}): Promise<CheckResult> {
  const out = await alarmHasData.run(context({ ...s, core: { Subject: resource }, alarms: { [REGION]: live ? [live] : [] } }));
  expect(out).toHaveLength(1);
  return out[0]!;
}
const stuck = (minutes: number | undefined, over: Partial<MetricAlarm> = {}) =>
  liveMetric(REGION, SUBJECT, { StateValue: 'INSUFFICIENT_DATA', StateTransitionedTimestamp: minutes === undefined ? undefined : ago(minutes), StateUpdatedTimestamp: minutes === undefined ? undefined : ago(minutes), ...over });
const RES = `${SUBJECT} (eu-west-1)`;

describe('alarms.alarm-has-data', () => {
  const ec2 = alarm(ec2Props({ AlarmName: SUBJECT }));

  it('any state but INSUFFICIENT_DATA passes, since its last transition (else its last update, else no time)', async () => {
    expect(await judged(ec2, liveMetric(REGION, SUBJECT, { StateTransitionedTimestamp: ago(3 * 1440), StateUpdatedTimestamp: ago(5) }))).toEqual(
      pass(alarmHasData, RES, `StateValue OK since ${iso(3 * 1440)}`),
    );
    expect(await judged(ec2, liveMetric(REGION, SUBJECT, { StateValue: 'ALARM', StateTransitionedTimestamp: undefined, StateUpdatedTimestamp: ago(5) }))).toEqual(
      pass(alarmHasData, RES, `StateValue ALARM since ${iso(5)}`),
    );
    expect((await judged(ec2, liveMetric(REGION, SUBJECT, { StateTransitionedTimestamp: undefined, StateUpdatedTimestamp: undefined }))).evidence).toBe('StateValue OK');
    expect((await judged(ec2, liveMetric(REGION, SUBJECT, { StateValue: undefined }))).evidence).toBe(`StateValue (none) since ${iso(1440)}`);
  });

  it('an alarm CloudWatch does not have fails', async () => {
    expect(await judged(ec2, null)).toEqual(fail(alarmHasData, RES, 'no alarm of that name in CloudWatch: it cannot have data'));
  });

  it('INSUFFICIENT_DATA passes up to the minimum warm-up (an hour beats three 2-minute windows), rounded to the minute, and fails after', async () => {
    expect(await judged(ec2, stuck(60))).toEqual(pass(alarmHasData, RES, `INSUFFICIENT_DATA for 60 min (since ${iso(60)})`));
    expect((await judged(ec2, stuck(60.49))).status).toBe('pass');
    expect(await judged(ec2, stuck(61))).toEqual(fail(alarmHasData, RES, `INSUFFICIENT_DATA for 61 min (since ${iso(61)}); expected data within the warm-up of 60 min (TreatMissingData breaching)`));
  });

  it('the age counts from the last transition, else the last update', async () => {
    expect((await judged(ec2, stuck(61, { StateUpdatedTimestamp: ago(1) }))).evidence).toBe(
      `INSUFFICIENT_DATA for 61 min (since ${iso(61)}); expected data within the warm-up of 60 min (TreatMissingData breaching)`,
    );
    expect((await judged(ec2, stuck(undefined, { StateUpdatedTimestamp: ago(61) }))).evidence).toBe(
      `INSUFFICIENT_DATA for 61 min (since ${iso(61)}); expected data within the warm-up of 60 min (TreatMissingData breaching)`,
    );
  });

  it('three windows when longer: Period 3600 x 2 periods allows 360 min', async () => {
    const hourly = alarm(ec2Props({ AlarmName: SUBJECT, Period: 3600, EvaluationPeriods: 2 }));
    expect((await judged(hourly, stuck(360))).status).toBe('pass');
    expect((await judged(hourly, stuck(361))).evidence).toBe(`INSUFFICIENT_DATA for 361 min (since ${iso(361)}); expected data within the warm-up of 360 min (TreatMissingData breaching)`);
  });

  it("the warm-up comes from the settings: their minimum, or their number of windows", async () => {
    expect((await judged(ec2, stuck(31), { settings: { warmUp: { minimumMinutes: 30, windows: 3 } } })).evidence).toBe(
      `INSUFFICIENT_DATA for 31 min (since ${iso(31)}); expected data within the warm-up of 30 min (TreatMissingData breaching)`,
    );
    expect((await judged(ec2, stuck(41), { settings: { warmUp: { minimumMinutes: 30, windows: 20 } } })).evidence).toBe(
      `INSUFFICIENT_DATA for 41 min (since ${iso(41)}); expected data within the warm-up of 40 min (TreatMissingData breaching)`,
    );
  });

  it('metric math: the longest period of its metrics (MetricStat, or the query itself), the expression having none', async () => {
    const metric = (id: string, period: number) => ({
      Id: id,
      MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: [{ Name: 'LoadBalancer', Value: 'app/x/1' }] }, Period: period, Stat: 'Sum' },
      ReturnData: false,
    });
    const math = alarm({
      AlarmName: SUBJECT,
      Metrics: [{ Id: 'e1', Expression: 'm1 / m2 * 100', Label: 'error rate', ReturnData: true }, metric('m1', 3600), metric('m2', 300)],
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: 'AlertsTopic' }],
    });
    expect((await judged(math, stuck(180))).status).toBe('pass');
    // No Namespace at the top: not a metric published only on events, so INSUFFICIENT_DATA is not expected.
    expect((await judged(math, stuck(181))).evidence).toBe(`INSUFFICIENT_DATA for 181 min (since ${iso(181)}); expected data within the warm-up of 180 min (TreatMissingData missing)`);
    const insights = alarm({
      AlarmName: SUBJECT,
      Metrics: [{ Id: 'q1', Expression: 'SELECT MAX(CPUUtilization) FROM SCHEMA("AWS/EC2", InstanceId)', Period: 7200, ReturnData: true }],
      EvaluationPeriods: 1,
      Threshold: 90,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect((await judged(insights, stuck(360))).status).toBe('pass');
    expect((await judged(insights, stuck(361))).evidence).toBe(`INSUFFICIENT_DATA for 361 min (since ${iso(361)}); expected data within the warm-up of 360 min (TreatMissingData notBreaching)`);
  });

  it('a composite alarm has no window of its own: the minimum warm-up', async () => {
    const rollup = composite({ AlarmName: SUBJECT, AlarmRule: `ALARM("${UNHEALTHY}")` });
    const live = (minutes: number) => liveComposite(REGION, SUBJECT, { StateValue: 'INSUFFICIENT_DATA', StateTransitionedTimestamp: ago(minutes), StateUpdatedTimestamp: ago(minutes) });
    expect(await judged(rollup, live(60))).toEqual(pass(alarmHasData, RES, `INSUFFICIENT_DATA for 60 min (since ${iso(60)})`));
    expect(await judged(rollup, live(61))).toEqual(fail(alarmHasData, RES, `INSUFFICIENT_DATA for 61 min (since ${iso(61)}); expected data within the warm-up of 60 min (TreatMissingData missing)`));
  });

  it("INSUFFICIENT_DATA is expected, however long, of an event metric (own namespace) whose missing data stays missing (the default, missing or ignore)", async () => {
    const own = (extra: Record<string, unknown>) => alarm({ ...without(ec2Props({ AlarmName: SUBJECT, Namespace: `OpenClaw/${NAME}`, MetricName: 'PreflightFailed' }), 'TreatMissingData'), ...extra });
    expect(await judged(own({}), stuck(2880))).toEqual(
      pass(alarmHasData, RES, `INSUFFICIENT_DATA for 2880 min (since ${iso(2880)}): expected, TreatMissingData missing on OpenClaw/${NAME}`),
    );
    expect((await judged(own({ TreatMissingData: 'missing' }), stuck(2880))).evidence).toBe(`INSUFFICIENT_DATA for 2880 min (since ${iso(2880)}): expected, TreatMissingData missing on OpenClaw/${NAME}`);
    expect((await judged(own({ TreatMissingData: 'ignore' }), stuck(2880))).evidence).toBe(`INSUFFICIENT_DATA for 2880 min (since ${iso(2880)}): expected, TreatMissingData ignore on OpenClaw/${NAME}`);
    expect((await judged(own({}), stuck(undefined))).evidence).toBe(`INSUFFICIENT_DATA for an unknown time: expected, TreatMissingData missing on OpenClaw/${NAME}`);
  });

  it('it is not expected of breaching or notBreaching alarms, nor of an AWS/ namespace', async () => {
    const own = (treat: string) => alarm(ec2Props({ AlarmName: SUBJECT, Namespace: `OpenClaw/${NAME}`, TreatMissingData: treat }));
    expect(await judged(own('breaching'), stuck(61))).toEqual(fail(alarmHasData, RES, `INSUFFICIENT_DATA for 61 min (since ${iso(61)}); expected data within the warm-up of 60 min (TreatMissingData breaching)`));
    expect((await judged(own('notBreaching'), stuck(61))).evidence).toBe(`INSUFFICIENT_DATA for 61 min (since ${iso(61)}); expected data within the warm-up of 60 min (TreatMissingData notBreaching)`);
    const lambda = alarm(without(ec2Props({ AlarmName: SUBJECT, Namespace: 'AWS/Lambda', MetricName: 'Errors' }), 'TreatMissingData'));
    expect((await judged(lambda, stuck(61))).evidence).toBe(`INSUFFICIENT_DATA for 61 min (since ${iso(61)}); expected data within the warm-up of 60 min (TreatMissingData missing)`);
  });

  it('INSUFFICIENT_DATA since an unknown time fails when not expected', async () => {
    expect(await judged(ec2, stuck(undefined))).toEqual(fail(alarmHasData, RES, 'INSUFFICIENT_DATA for an unknown time; expected data within the warm-up of 60 min (TreatMissingData breaching)'));
  });

  it('the age runs to the run\'s "now"', async () => {
    const later = new Date(NOW.getTime() + 30 * 60_000);
    expect((await judged(ec2, stuck(31), { now: later })).evidence).toBe(`INSUFFICIENT_DATA for 61 min (since ${iso(31)}); expected data within the warm-up of 60 min (TreatMissingData breaching)`);
  });
});

// ---------------------------------------------------------------- alarms.alerts-subscribed

const SUB_PENDING = 'PendingConfirmation; expected confirmed: the recipient must click the link in the confirmation message, or remove it from';
const SUB_DELETED = 'Deleted; expected confirmed: the recipient unsubscribed: subscribe the endpoint again, or remove it from';

describe('alarms.alerts-subscribed', () => {
  const confirmedAll = () => ({
    [ALERTS]: [sub(ALERTS, 'email', EMAIL)],
    [EDGE_ALERTS]: [sub(EDGE_ALERTS, 'email', EMAIL)],
    [SHUTDOWN]: [sub(SHUTDOWN, 'lambda', KILL_SWITCH_ARN)],
  });

  it("config.alerts on both alert topics (each in its region), the template's subscriptions on their own topic, in template order", async () => {
    const subs = confirmedAll();
    expect(await alertsSubscribed.run(context({ subscriptions: subs }))).toEqual([
      pass(alertsSubscribed, `${NAME}-alerts email:${EMAIL}`, `confirmed (${subs[ALERTS]![0]!.SubscriptionArn})`),
      pass(alertsSubscribed, `${NAME}-shutdown lambda:${KILL_SWITCH_ARN}`, `confirmed (${subs[SHUTDOWN]![0]!.SubscriptionArn})`),
      pass(alertsSubscribed, `${NAME}-edge-alerts email:${EMAIL}`, `confirmed (${subs[EDGE_ALERTS]![0]!.SubscriptionArn})`),
    ]);
    expect(subscriptionRequests).toEqual([
      { region: REGION, input: { TopicArn: ALERTS } },
      { region: REGION, input: { TopicArn: SHUTDOWN } },
      { region: EDGE_REGION, input: { TopicArn: EDGE_ALERTS } },
    ]);
  });

  it('every endpoint of config.alerts, then the template subscriptions; a template subscription config.alerts also asks for is checked once, as the template\'s', async () => {
    const settings = { alertEndpoints: [{ protocol: 'email', endpoint: EMAIL }, { protocol: 'sms', endpoint: '+15555550100' }, { protocol: 'https', endpoint: 'https://hooks.example.com/alarms' }] } as const;
    const core = { AlertsTopicEmail: subscription('AlertsTopic', 'email', EMAIL), AlertsTopicPager: subscription('AlertsTopic', 'https', 'https://pager.example.com/hook') };
    const subscriptions = {
      [ALERTS]: [sub(ALERTS, 'email', EMAIL, 'PendingConfirmation'), sub(ALERTS, 'sms', '+15555550100'), sub(ALERTS, 'https', 'https://hooks.example.com/alarms', 'PendingConfirmation'), sub(ALERTS, 'https', 'https://pager.example.com/hook', 'PendingConfirmation')],
      [EDGE_ALERTS]: [sub(EDGE_ALERTS, 'email', EMAIL, 'PendingConfirmation'), sub(EDGE_ALERTS, 'sms', '+15555550100')],
      [SHUTDOWN]: [sub(SHUTDOWN, 'lambda', KILL_SWITCH_ARN)],
    };
    const results = await alertsSubscribed.run(context({ settings, core, subscriptions }));
    expect(results.map((r) => [r.status, r.resource, r.evidence])).toEqual([
      ['fail', `${NAME}-alerts email:${EMAIL}`, `${SUB_PENDING} template AlertsTopicEmail`],
      ['pass', `${NAME}-alerts sms:+15555550100`, `confirmed (${subscriptions[ALERTS]![1]!.SubscriptionArn})`],
      ['fail', `${NAME}-alerts https:https://hooks.example.com/alarms`, `${SUB_PENDING} config alerts`],
      ['fail', `${NAME}-alerts https:https://pager.example.com/hook`, `${SUB_PENDING} template AlertsTopicPager`],
      ['pass', `${NAME}-shutdown lambda:${KILL_SWITCH_ARN}`, `confirmed (${subscriptions[SHUTDOWN]![0]!.SubscriptionArn})`],
      ['fail', `${NAME}-edge-alerts email:${EMAIL}`, `${SUB_PENDING} config alerts`],
      ['pass', `${NAME}-edge-alerts sms:+15555550100`, `confirmed (${subscriptions[EDGE_ALERTS]![1]!.SubscriptionArn})`],
      ['fail', `${NAME}-edge-alerts https:https://hooks.example.com/alarms`, 'no such subscription (the topic has email:oncall@example.com PendingConfirmation, sms:+15555550100 confirmed); expected it confirmed (config alerts)'],
    ]);
  });

  it('a missing subscription names what the topic has: another address, the same address over another protocol, none', async () => {
    const subscriptions = {
      ...confirmedAll(),
      [ALERTS]: [sub(ALERTS, 'email', 'other@example.com'), sub(ALERTS, 'email-json', EMAIL, 'PendingConfirmation'), sub(ALERTS, 'sms', '+15555550199', 'Deleted')],
      [EDGE_ALERTS]: [],
    };
    expect(await alertsSubscribed.run(context({ subscriptions }))).toEqual([
      fail(
        alertsSubscribed,
        `${NAME}-alerts email:${EMAIL}`,
        'no such subscription (the topic has email:other@example.com confirmed, email-json:oncall@example.com PendingConfirmation, sms:+15555550199 Deleted); expected it confirmed (config alerts)',
      ),
      pass(alertsSubscribed, `${NAME}-shutdown lambda:${KILL_SWITCH_ARN}`, `confirmed (${subscriptions[SHUTDOWN]![0]!.SubscriptionArn})`),
      fail(alertsSubscribed, `${NAME}-edge-alerts email:${EMAIL}`, 'no such subscription (the topic has none); expected it confirmed (config alerts)'),
    ]);
  });

  it('PendingConfirmation and Deleted (the recipient unsubscribed) are not confirmed, each with its remedy', async () => {
    const subscriptions = { ...confirmedAll(), [ALERTS]: [sub(ALERTS, 'email', EMAIL, 'PendingConfirmation')], [SHUTDOWN]: [sub(SHUTDOWN, 'lambda', KILL_SWITCH_ARN, 'Deleted')] };
    const results = await alertsSubscribed.run(context({ subscriptions }));
    expect(results.slice(0, 2)).toEqual([
      fail(alertsSubscribed, `${NAME}-alerts email:${EMAIL}`, `${SUB_PENDING} config alerts`),
      fail(alertsSubscribed, `${NAME}-shutdown lambda:${KILL_SWITCH_ARN}`, `${SUB_DELETED} template KillSwitchSubscription`),
    ]);
    expect(results[2]!.status).toBe('pass');
  });

  it('an endpoint unsubscribed and subscribed again is listed twice for a while (Deleted, then confirmed): the confirmed one counts', async () => {
    const again = [sub(ALERTS, 'email', EMAIL, 'Deleted'), sub(ALERTS, 'email', EMAIL)];
    const results = await alertsSubscribed.run(context({ subscriptions: { ...confirmedAll(), [ALERTS]: again } }));
    expect(results[0]).toEqual(pass(alertsSubscribed, `${NAME}-alerts email:${EMAIL}`, `confirmed (${again[1]!.SubscriptionArn})`));
  });

  it('an answer without Protocol, Endpoint or SubscriptionArn: shown as ?; a found one without an ARN is not confirmed', async () => {
    const noArn = without(sub(SHUTDOWN, 'lambda', KILL_SWITCH_ARN), 'SubscriptionArn');
    const subscriptions = { ...confirmedAll(), [EDGE_ALERTS]: [{ SubscriptionArn: `${EDGE_ALERTS}:0b1c2d3e-0000-4000-8000-00000000ffff`, Owner: ACCOUNT, TopicArn: EDGE_ALERTS }], [SHUTDOWN]: [noArn] };
    const results = await alertsSubscribed.run(context({ subscriptions }));
    expect(results.slice(1)).toEqual([
      fail(alertsSubscribed, `${NAME}-shutdown lambda:${KILL_SWITCH_ARN}`, '(no SubscriptionArn); expected confirmed: SNS lists it without a subscription ARN: subscribe the endpoint again, or remove it from template KillSwitchSubscription'),
      fail(alertsSubscribed, `${NAME}-edge-alerts email:${EMAIL}`, 'no such subscription (the topic has ?:? confirmed); expected it confirmed (config alerts)'),
    ]);
  });

  it('follows NextToken to the last page of a topic', async () => {
    const subscriptions = { ...confirmedAll(), [ALERTS]: [sub(ALERTS, 'email', 'a@example.com'), sub(ALERTS, 'email', 'b@example.com'), sub(ALERTS, 'email', EMAIL)] };
    const results = await alertsSubscribed.run(context({ subscriptions, subscriptionsPerPage: 1 }));
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
    expect(subscriptionRequests.filter((r) => r.input.TopicArn === ALERTS)).toEqual([
      { region: REGION, input: { TopicArn: ALERTS } },
      { region: REGION, input: { TopicArn: ALERTS, NextToken: 'token-1' } },
      { region: REGION, input: { TopicArn: ALERTS, NextToken: 'token-2' } },
    ]);
  });

  it('an answer without Subscriptions lists none', async () => {
    const c = context();
    sns.on(ListSubscriptionsByTopicCommand).resolves({});
    expect((await alertsSubscribed.run(c)).map((r) => r.evidence)).toEqual([
      'no such subscription (the topic has none); expected it confirmed (config alerts)',
      'no such subscription (the topic has none); expected it confirmed (template KillSwitchSubscription)',
      'no such subscription (the topic has none); expected it confirmed (config alerts)',
    ]);
  });

  it('topics without wanted subscriptions give no result; a subscription to a topic outside the deployment is not looked at', async () => {
    const core = { Internal: topic(`${NAME}-internal`), Foreign: subscription('arn:aws:sns:eu-west-1:999988887777:other-team', 'email', 'x@example.com') };
    const subscriptions = { ...confirmedAll(), [topicArn(REGION, `${NAME}-internal`)]: [] };
    expect((await alertsSubscribed.run(context({ core, subscriptions }))).map((r) => r.resource)).toEqual([`${NAME}-alerts email:${EMAIL}`, `${NAME}-shutdown lambda:${KILL_SWITCH_ARN}`, `${NAME}-edge-alerts email:${EMAIL}`]);
  });

  it('the alert topics are the ones the settings name', async () => {
    const subscriptions = { ...confirmedAll(), [SHUTDOWN]: [sub(SHUTDOWN, 'lambda', KILL_SWITCH_ARN)] };
    const results = await alertsSubscribed.run(context({ subscriptions, settings: { alertTopicNames: [`${NAME}-shutdown`] } }));
    expect(results.map((r) => [r.status, r.resource])).toEqual([
      ['fail', `${NAME}-shutdown email:${EMAIL}`],
      ['pass', `${NAME}-shutdown lambda:${KILL_SWITCH_ARN}`],
    ]);
  });

  it('a topic SNS does not have (NotFoundException), one CloudFormation does not list, a subscription without properties: errors of the run', async () => {
    const noEdge = without(confirmedAll(), EDGE_ALERTS);
    await expect(alertsSubscribed.run(context({ subscriptions: noEdge }))).rejects.toMatchObject({ name: 'NotFoundException', message: 'Topic does not exist' });
    await expect(alertsSubscribed.run(context({ subscriptions: confirmedAll(), absent: ['ShutdownTopic'] }))).rejects.toThrow(`${CORE} has no live AWS::SNS::Topic ShutdownTopic`);
    await expect(alertsSubscribed.run(context({ subscriptions: confirmedAll(), core: { Odd: { Type: 'AWS::SNS::Subscription' } } }))).rejects.toThrow(`undefined of ${CORE} does not resolve to a string`);
  });
});
