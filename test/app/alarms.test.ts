import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ALARMS, RUNBOOKS_FILE, SPEND_THRESHOLDS, agentBreakerAlarm, modelSpendAlarm, type AlarmSpec } from '../../lib/alarms/alarm-catalogue';
import { buildForTest } from '../support/build';
import { REPO_ROOT } from '../support/config-fixture';
import { deploymentPolicies, type DeploymentPolicies, type StackPolicies } from '../support/deployment-policies';
import { resolveIntrinsics } from '../support/iam-intrinsics';
import { ENCRYPTION_CONTEXT, overPlainHttp, serviceActor, serviceCall } from '../support/request-context';
import { simulate } from '../support/simulator';
import type { PolicyDocument } from '../support/template-policies';

// Every alarm of example/prod: from the catalogue, wired to its region's alert topic on ALARM and
// OK, with a runbook section; the topics: encrypted, TLS-only, subscribed from config, and
// publishable only by this deployment's alarms.

const NAME = 'openclaw-example-prod';
const ACCOUNT = '210987654321';
let p: DeploymentPolicies;
let stacks: Record<'core' | 'network' | 'gateway' | 'edge' | 'spend', Template>;
/** Every alarm a deployment has: the catalogue and the model-spend thresholds. */
const CATALOGUE: AlarmSpec[] = [
  ...Object.values(ALARMS),
  ...(['daily', 'monthly'] as const).flatMap((period) => SPEND_THRESHOLDS.map((pct) => modelSpendAlarm(period, pct))),
  // One breaker alarm per gateway: the example's agents ops and support.
  ...['ops', 'support'].map(agentBreakerAlarm),
];

beforeAll(() => {
  const built = buildForTest({ client: 'example', env: 'prod' });
  const { config, stage } = built.deployments[0]!;
  p = deploymentPolicies(config, stage);
  stacks = {
    core: Template.fromStack(stage.core),
    network: Template.fromStack(stage.network),
    gateway: Template.fromStack(stage.gateway),
    edge: Template.fromStack(stage.edge),
    spend: Template.fromStack(stage.spend),
  };
});

type AlarmResource = { Properties: { AlarmName: string; AlarmDescription: string; AlarmActions: unknown[]; OKActions?: unknown[]; ActionsEnabled?: boolean; ComparisonOperator?: string } };
const alarmsOf = (t: Template) => Object.values(t.findResources('AWS::CloudWatch::Alarm')) as AlarmResource[];
const allAlarms = () => Object.values(stacks).flatMap(alarmsOf);
const topicIds = (t: Template) => Object.keys(t.findResources('AWS::SNS::Topic'));

describe('every alarm', () => {
  test('is one of the catalogue, named <deployment>-<id>, and every catalogue alarm exists exactly once', () => {
    const names = allAlarms().map((a) => a.Properties.AlarmName).sort();
    expect(names).toEqual(CATALOGUE.map((a) => `${NAME}-${a.id}`).sort());
  });

  test('notifies the alert topic of its own region on ALARM and on OK', () => {
    const coreTopic = Object.keys(stacks.core.findResources('AWS::SNS::Topic', { Properties: { TopicName: `${NAME}-alerts` } }))[0]!;
    for (const stack of ['network', 'gateway', 'spend'] as const) {
      for (const a of alarmsOf(stacks[stack])) {
        const topicRef = { 'Fn::ImportValue': expect.stringContaining(coreTopic) };
        expect([a.Properties.AlarmName, a.Properties.AlarmActions]).toEqual([a.Properties.AlarmName, expect.arrayContaining([topicRef])]);
        expect([a.Properties.AlarmName, a.Properties.OKActions]).toEqual([a.Properties.AlarmName, [topicRef]]);
      }
    }
    const edgeTopic = topicIds(stacks.edge)[0]!;
    for (const a of [...alarmsOf(stacks.edge), ...alarmsOf(stacks.core)]) {
      const stackTopic = alarmsOf(stacks.edge).includes(a) ? edgeTopic : coreTopic;
      expect(a.Properties.AlarmActions).toContainEqual({ Ref: stackTopic });
      expect(a.Properties.OKActions).toEqual([{ Ref: stackTopic }]);
    }
    for (const a of allAlarms()) expect(a.Properties.ActionsEnabled).toBe(true);
  });

  test('says what fired and what to do first, and points at its runbook section, which exists', () => {
    const runbooks = fs.readFileSync(path.join(REPO_ROOT, RUNBOOKS_FILE), 'utf8');
    const sections = [...runbooks.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    for (const spec of CATALOGUE) {
      const alarm = allAlarms().find((a) => a.Properties.AlarmName === `${NAME}-${spec.id}`)!;
      expect(alarm.Properties.AlarmDescription).toBe(`${spec.fired} First: ${spec.firstAction} Runbook: ${RUNBOOKS_FILE}#${spec.runbook}`);
      expect(sections).toContain(spec.runbook);
      // A section says what fired and what to do first.
      const body = runbooks.split(/^## /m).find((s) => s.startsWith(`${spec.runbook}\n`))!;
      expect(body).toMatch(/\*\*What fired\.\*\*/);
      expect(body).toMatch(/\*\*First\.\*\*/);
    }
    // No stale runbook sections either.
    expect(sections.sort()).toEqual([...new Set(CATALOGUE.map((a) => a.runbook))].sort());
  });

  test('an alarm that fires when the metric reaches its threshold (>=) never says "more than" the threshold', () => {
    const atThreshold = allAlarms().filter((a) => a.Properties.ComparisonOperator === 'GreaterThanOrEqualToThreshold');
    expect(atThreshold.length).toBeGreaterThan(0);
    const saysMoreThan = atThreshold.filter((a) => /\bmore\b[^.]*\bthan\b/.test(a.Properties.AlarmDescription)).map((a) => a.Properties.AlarmName);
    expect(saysMoreThan).toEqual([]);
  });
});

describe('the alert topics', () => {
  const topicPolicy = (stack: StackPolicies, purpose: 'alerts' | 'edge-alerts' | 'shutdown' = 'alerts'): PolicyDocument => {
    const topic = Object.entries(stack.template.Resources!).find(([, r]) => r.Type === 'AWS::SNS::Topic' && r.Properties!.TopicName === `${NAME}-${purpose}`)![0];
    const [policy] = Object.values(stack.template.Resources!).filter((r) => r.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(r.Properties!.Topics) === JSON.stringify([{ Ref: topic }]));
    return resolveIntrinsics(policy!.Properties!.PolicyDocument, stack.ctx) as PolicyDocument;
  };

  // The edge stack's is <name>-edge-alerts: with aws.region us-east-1 both stacks are in one region.
  test('one per region: KMS-encrypted with the deployment key, subscribed from config.alerts', () => {
    for (const [t, topicName] of [
      [stacks.core, `${NAME}-alerts`],
      [stacks.edge, `${NAME}-edge-alerts`],
    ] as const) {
      expect(Object.keys(t.findResources('AWS::SNS::Topic', { Properties: { TopicName: topicName } }))).toHaveLength(1);
      t.hasResourceProperties('AWS::SNS::Topic', { TopicName: topicName, KmsMasterKeyId: Match.anyValue() });
      t.resourceCountIs('AWS::SNS::Subscription', 1);
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    }
  });

  test('only CloudWatch may publish, only for this account\'s alarms of this deployment, and only over TLS', async () => {
    for (const [stack, region, purpose] of [
      [p.core, 'eu-west-1', 'alerts'],
      [p.edge, 'us-east-1', 'edge-alerts'],
    ] as const) {
      const doc = topicPolicy(stack, purpose);
      const topicArn = `arn:aws:sns:${region}:${ACCOUNT}:${NAME}-${purpose}`;
      // CloudWatch sends the alarm's ARN and account (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-sns-topic-policy).
      const publish = (service: string, sourceArn: string) => serviceCall(serviceActor(service), { action: 'sns:Publish', resource: topicArn }, { source: { arn: sourceArn } });
      const decide = async (call: ReturnType<typeof publish>) => simulate(call.request, { ...call.policies, resource: doc });
      const ownAlarm = `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${NAME}-gateway-unhealthy`;
      expect(await decide(publish('cloudwatch.amazonaws.com', ownAlarm))).toBe('Allow');
      expect(await decide(publish('cloudwatch.amazonaws.com', `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:openclaw-other-prod-gateway-unhealthy`))).toBe('ImplicitDeny');
      expect(await decide(publish('cloudwatch.amazonaws.com', `arn:aws:cloudwatch:${region}:999999999999:alarm:${NAME}-gateway-unhealthy`))).toBe('ImplicitDeny');
      expect(await decide(overPlainHttp(publish('cloudwatch.amazonaws.com', ownAlarm)))).toBe('ExplicitDeny');
      expect(await decide(publish('events.amazonaws.com', `arn:aws:events:${region}:${ACCOUNT}:rule/x`))).toBe('ImplicitDeny');
    }
  });

  test('CloudWatch may use the key for the alert topic only', async () => {
    for (const [stack, region, purpose] of [
      [p.core, 'eu-west-1', 'alerts'],
      [p.edge, 'us-east-1', 'edge-alerts'],
    ] as const) {
      const key = Object.entries(stack.template.Resources!).find(([, r]) => r.Type === 'AWS::KMS::Key')![0];
      const doc = resolveIntrinsics(stack.template.Resources![key]!.Properties!.KeyPolicy, stack.ctx) as PolicyDocument;
      // SNS asks KMS for a data key as the publisher, with the topic as encryption context
      // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
      const use = async (topic: string) => {
        const call = serviceCall(serviceActor('cloudwatch.amazonaws.com'), { action: 'kms:GenerateDataKey', resource: `arn:aws:kms:${region}:${ACCOUNT}:key/k` }, { encryptionContext: ENCRYPTION_CONTEXT.sns(topic) });
        return simulate(call.request, { ...call.policies, resource: doc });
      };
      expect(await use(`arn:aws:sns:${region}:${ACCOUNT}:${NAME}-${purpose}`)).toBe('Allow');
      expect(await use(`arn:aws:sns:${region}:${ACCOUNT}:someone-elses-topic`)).toBe('ImplicitDeny');
    }
  });
});

describe('what each alarm watches', () => {
  const alarm = (t: Template, id: string) => {
    const found = Object.values(t.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: `${NAME}-${id}` } }));
    expect(found).toHaveLength(1);
    return (found[0] as { Properties: Record<string, unknown> }).Properties;
  };

  test('host failures: any boot preflight or secret failure, any integrity failure, 10 minutes unhealthy or silent', () => {
    const ns = `OpenClaw/${NAME}`;
    expect(alarm(stacks.gateway, 'boot-preflight-failed')).toMatchObject({ Namespace: ns, MetricName: 'BootPreflightFailed', Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarm(stacks.gateway, 'boot-preflight-failed').Dimensions).toBeUndefined();
    expect(alarm(stacks.gateway, 'secret-retrieval-failed')).toMatchObject({ Namespace: ns, MetricName: 'SecretRetrievalFailed', Statistic: 'Sum', Threshold: 1 });
    expect(alarm(stacks.gateway, 'secret-retrieval-failed').Dimensions).toBeUndefined();
    expect(alarm(stacks.gateway, 'agent-files-integrity')).toMatchObject({ Namespace: ns, MetricName: 'AgentFilesIntegrity', Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold' });
    expect(alarm(stacks.gateway, 'gateway-unhealthy')).toMatchObject({
      Namespace: ns,
      MetricName: 'GatewayHealthy',
      Period: 60,
      EvaluationPeriods: 10,
      DatapointsToAlarm: 10,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('egress: EgressHealthy (published only on success) missing for 10 minutes alarms, to the alert topic', () => {
    const props = alarm(stacks.gateway, 'egress-unhealthy');
    expect({ ...props, Tags: undefined }).toEqual({
      Tags: undefined,
      AlarmName: `${NAME}-egress-unhealthy`,
      AlarmDescription: expect.stringMatching(/Runbook: docs\/runbooks\.md#egress-unhealthy$/),
      Namespace: `OpenClaw/${NAME}`,
      MetricName: 'EgressHealthy',
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 10,
      DatapointsToAlarm: 10,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      ActionsEnabled: true,
      AlarmActions: [expect.anything()],
      OKActions: [expect.anything()],
    });
    expect(props.AlarmActions).toEqual(alarm(stacks.gateway, 'gateway-unhealthy').AlarmActions);
  });

  test('proxy auth failures: 401 and 403 in the nginx access log group, threshold from config', () => {
    stacks.gateway.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: Match.anyValue(),
      FilterPattern: '{ ($.status = "401") || ($.status = "403") }',
      MetricTransformations: [Match.objectLike({ MetricNamespace: `OpenClaw/${NAME}`, MetricName: 'ProxyAuthFailures', MetricValue: '$.weight' })],
    });
    expect(alarm(stacks.gateway, 'proxy-auth-failures')).toMatchObject({ MetricName: 'ProxyAuthFailures', Threshold: 50, Period: 300 });
    expect(alarm(stacks.edge, 'waf-blocks-spike')).toMatchObject({
      Namespace: 'AWS/WAFV2',
      MetricName: 'BlockedRequests',
      Dimensions: [
        { Name: 'Rule', Value: 'ALL' },
        { Name: 'WebACL', Value: NAME },
      ],
      Threshold: 1000,
    });
  });

  test('secret-policy and KMS-key changes: CloudTrail events through metric filters on the trail log group', () => {
    const patterns = Object.values(stacks.core.findResources('AWS::Logs::MetricFilter')).map((f) => (f as { Properties: { FilterPattern: string } }).Properties.FilterPattern);
    const secrets = patterns.find((p) => p.includes('secretsmanager.amazonaws.com'))!;
    for (const e of ['PutResourcePolicy', 'DeleteResourcePolicy', 'UpdateSecret', 'DeleteSecret', 'RestoreSecret', 'CancelRotateSecret']) expect(secrets).toContain(`($.eventName = "${e}")`);
    const keys = patterns.find((p) => p.includes('kms.amazonaws.com'))!;
    for (const e of ['DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy', 'DisableKeyRotation']) expect(keys).toContain(`($.eventName = "${e}")`);
    expect(alarm(stacks.core, 'secret-policy-changed')).toMatchObject({ MetricName: 'SecretPolicyChanges', Threshold: 1 });
    expect(alarm(stacks.core, 'kms-key-changed')).toMatchObject({ MetricName: 'KmsKeyChanges', Threshold: 1 });
  });
});
