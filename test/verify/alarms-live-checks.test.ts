/**
 * The live checks of the alarms concern against the fake of a correct
 * example/prod, and each against its drifts: an alarm deleted, its actions
 * disabled or one removed, an alarm without data for 2 days, an e-mail
 * subscription never confirmed, a subscription missing.
 */
import { NOW } from '../support/config-fixture';
import { alarmDrift } from '../support/fake-deployment/cloudwatch';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { subscriptionDrift } from '../support/fake-deployment/sns';
import { synthesizeFixture } from '../support/fake-deployment/world';
import { alarmActions, alarmHasData, alertsSubscribed, ALARMS_LIVE_CHECKS } from '../../lib/alarms/live-checks';
import type { LiveCheck } from '../../lib/verify/live-check';
import { runChecks } from '../../lib/verify/run-checks';
import { verifySettings } from '../../lib/verify/settings';
import { VerifyContext } from '../../lib/verify/verify-context';

let fake: InstalledFake;
beforeAll(() => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
}, 180_000);
afterAll(() => fake.restore());

const ctx = (now = NOW) =>
  new VerifyContext({ name: fake.world.name, account: fake.world.account, region: fake.world.config.aws.region, stacks: fake.world.stacks, settings: verifySettings(fake.world.config), options: { writeProbes: false, now } });
const run = (check: LiveCheck, now?: Date) => runChecks([check], ctx(now));

/** Runs `check` with `drift` applied, then puts the state back. */
async function drifted(check: LiveCheck, drift: () => void, undo: () => void) {
  drift();
  try {
    return await run(check);
  } finally {
    undo();
  }
}

const name = () => fake.world.name;
const alertsTopic = () => `arn:aws:sns:eu-west-1:${fake.world.account}:${name()}-alerts`;

describe('on the fake of a correct example/prod', () => {
  it.each(ALARMS_LIVE_CHECKS.map((c) => [c.id, c] as const))('%s passes, one result per resource', async (_id, check) => {
    const results = await run(check);
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.length).toBeGreaterThan(1);
  });

  it('checks every alarm of the five templates, the edge alarm in us-east-1', async () => {
    const results = await run(alarmActions);
    const templateAlarms = fake.world.stacks.flatMap((s) => Object.values(s.template.Resources ?? {}).filter((r) => r.Type === 'AWS::CloudWatch::Alarm'));
    expect(results).toHaveLength(templateAlarms.length);
    expect(results.map((r) => r.resource)).toContain(`${name()}-waf-blocks-spike (us-east-1)`);
    expect(results.find((r) => r.resource.startsWith(`${name()}-model-spend-daily-limit `))?.evidence).toContain(`${name()}-shutdown`);
  });

  it('checks the e-mail subscription of config.alerts on both alert topics and the kill switch on the shutdown topic', async () => {
    const resources = (await run(alertsSubscribed)).map((r) => r.resource);
    expect(resources).toEqual(
      expect.arrayContaining([`${name()}-alerts email:oncall@example.com`, `${name()}-edge-alerts email:oncall@example.com`, expect.stringMatching(new RegExp(`^${name()}-shutdown lambda:.*:function:${name()}-kill-switch$`))]),
    );
  });
});

describe('drifts', () => {
  const gatewayUnhealthy = () => `${name()}-gateway-unhealthy`;

  it('an alarm deleted fails alarm-actions, naming it', async () => {
    const results = await drifted(alarmActions, () => alarmDrift(fake.world).set(gatewayUnhealthy(), { deleted: true }), () => alarmDrift(fake.world).clear());
    const failed = results.filter((r) => r.status === 'fail');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ control: 'alarm-actions', resource: `${gatewayUnhealthy()} (eu-west-1)` });
    expect(failed[0]!.evidence).toMatch(/^no alarm of that name in CloudWatch; expected it with AlarmActions arn:aws:sns:eu-west-1:\d+:openclaw-example-prod-alerts$/);
  });

  it('actions disabled fail alarm-actions', async () => {
    const results = await drifted(alarmActions, () => alarmDrift(fake.world).set(gatewayUnhealthy(), { ActionsEnabled: false }), () => alarmDrift(fake.world).clear());
    expect(results.filter((r) => r.status === 'fail').map((r) => [r.resource, r.evidence])).toEqual([[`${gatewayUnhealthy()} (eu-west-1)`, 'ActionsEnabled false; expected true']]);
  });

  it('an action removed fails alarm-actions, saying what is left and what was expected', async () => {
    const limit = `${name()}-model-spend-monthly-limit`;
    const results = await drifted(alarmActions, () => alarmDrift(fake.world).set(limit, { AlarmActions: [alertsTopic()] }), () => alarmDrift(fake.world).clear());
    const failed = results.filter((r) => r.status === 'fail');
    expect(failed.map((r) => r.resource)).toEqual([`${limit} (eu-west-1)`]);
    expect(failed[0]!.evidence).toBe(`AlarmActions ${alertsTopic()}; expected ${alertsTopic()}, ${alertsTopic().replace(/alerts$/, 'shutdown')}`);
  });

  it('an alarm INSUFFICIENT_DATA for 2 days fails alarm-has-data; one INSUFFICIENT_DATA for 10 minutes is still warming up', async () => {
    const twoDaysAgo = new Date(NOW.getTime() - 2 * 24 * 3600_000);
    const stuck = { StateValue: 'INSUFFICIENT_DATA' as const, StateTransitionedTimestamp: twoDaysAgo, StateUpdatedTimestamp: twoDaysAgo };
    const results = await drifted(alarmHasData, () => alarmDrift(fake.world).set(gatewayUnhealthy(), stuck), () => alarmDrift(fake.world).clear());
    expect(results.filter((r) => r.status === 'fail').map((r) => [r.control, r.resource, r.evidence])).toEqual([
      ['alarm-has-data', `${gatewayUnhealthy()} (eu-west-1)`, `INSUFFICIENT_DATA for 2880 min (since ${twoDaysAgo.toISOString()}); expected data within the warm-up of 60 min (TreatMissingData breaching)`],
    ]);
    const recent = new Date(NOW.getTime() - 10 * 60_000);
    alarmDrift(fake.world).set(gatewayUnhealthy(), { ...stuck, StateTransitionedTimestamp: recent, StateUpdatedTimestamp: recent });
    try {
      const warming = (await run(alarmHasData)).find((r) => r.resource.startsWith(gatewayUnhealthy()));
      expect(warming).toMatchObject({ status: 'pass', evidence: `INSUFFICIENT_DATA for 10 min (since ${recent.toISOString()})` });
    } finally {
      alarmDrift(fake.world).clear();
    }
  });

  it('an e-mail subscription PendingConfirmation fails alerts-subscribed', async () => {
    const key = `${alertsTopic()}|email|oncall@example.com`;
    const results = await drifted(alertsSubscribed, () => subscriptionDrift(fake.world).set(key, 'pending'), () => subscriptionDrift(fake.world).clear());
    expect(results.filter((r) => r.status === 'fail').map((r) => [r.control, r.resource, r.evidence.split(';')[0]])).toEqual([['alerts-subscribed', `${name()}-alerts email:oncall@example.com`, 'PendingConfirmation']]);
  });

  it('a subscription missing fails alerts-subscribed, saying what the topic has', async () => {
    const edge = `arn:aws:sns:us-east-1:${fake.world.account}:${name()}-edge-alerts`;
    const results = await drifted(alertsSubscribed, () => subscriptionDrift(fake.world).set(`${edge}|email|oncall@example.com`, 'deleted'), () => subscriptionDrift(fake.world).clear());
    expect(results.filter((r) => r.status === 'fail').map((r) => [r.resource, r.evidence])).toEqual([
      [`${name()}-edge-alerts email:oncall@example.com`, 'no such subscription (the topic has none); expected it confirmed (template AlertsTopiconcallexamplecom93E85F7C)'],
    ]);
  });
});

test("each check's id, control, title, concern, schedule and actions, exactly (the list a mutation run found unpinned)", () => {
  expect(ALARMS_LIVE_CHECKS.map((c) => ({ id: c.id, control: c.control, title: c.title, concern: c.concern, daily: c.daily, iam: c.iam }))).toEqual([
      {"id":"alarms.alarm-actions","control":"alarm-actions","title":"Every alarm of the templates exists, its actions enabled and wired as deployed","concern":"alarms","daily":true,"iam":["cloudwatch:DescribeAlarms"]},
      {"id":"alarms.alarm-has-data","control":"alarm-has-data","title":"No alarm is stuck in INSUFFICIENT_DATA after its warm-up","concern":"alarms","daily":true,"iam":["cloudwatch:DescribeAlarms"]},
      {"id":"alarms.alerts-subscribed","control":"alerts-subscribed","title":"Every subscription of the alert and shutdown topics exists and is confirmed","concern":"alarms","daily":true,"iam":["sns:ListSubscriptionsByTopic"]},
  ]);
});
