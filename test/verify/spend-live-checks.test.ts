/**
 * The live checks of the spend concern against the fake of a correct
 * example/prod, and each against its drifts: a budget deleted or its limit
 * changed, the cost allocation tag inactive or never seen, the kill switch
 * throttled to zero, its trigger subscription removed, its state killed.
 */
import { NOW } from '../support/config-fixture';
import { budgetDrift } from '../support/fake-deployment/budgets';
import { costTagDrift } from '../support/fake-deployment/cost-explorer';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { parameters } from '../support/fake-deployment/kill-world';
import { functionDrift } from '../support/fake-deployment/lambda';
import { subscriptionDrift } from '../support/fake-deployment/sns';
import { synthesizeFixture } from '../support/fake-deployment/world';
import { budgetsPresent, costTagActive, SPEND_LIVE_CHECKS } from '../../lib/spend/live-checks';
import { killSwitchArmed } from '../../lib/spend/live-kill-switch';
import type { LiveCheck } from '../../lib/verify/live-check';
import { runChecks } from '../../lib/verify/run-checks';

let fake: InstalledFake;
beforeAll(() => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
}, 180_000);
afterAll(() => fake.restore());

const ctx = () =>
  fake.world.verifyContext({ now: NOW });
const run = (check: LiveCheck) => runChecks([check], ctx());

async function drifted(check: LiveCheck, drift: () => void, undo: () => void) {
  drift();
  try {
    return await run(check);
  } finally {
    undo();
  }
}

const failures = (results: readonly { status: string; control: string; resource: string; evidence: string }[]) =>
  results.filter((r) => r.status === 'fail').map((r) => [r.control, r.resource, r.evidence]);

const name = () => fake.world.name;
const shutdown = () => `arn:aws:sns:eu-west-1:${fake.world.account}:${name()}-shutdown`;
const killSwitch = () => `${name()}-kill-switch`;

describe('on the fake of a correct example/prod', () => {
  it.each(SPEND_LIVE_CHECKS.map((c) => [c.id, c] as const))('%s passes', async (_id, check) => {
    const results = await run(check);
    expect(failures(results)).toEqual([]);
    expect(results.length).toBeGreaterThan(0);
  });

  it('kill-switch-armed looks at the function, its trigger, both limit alarms, both budgets at 100 % and its state', async () => {
    const resources = (await run(killSwitchArmed)).map((r) => r.resource);
    expect(resources).toEqual([
      killSwitch(),
      `${killSwitch()} concurrency`,
      `${name()}-shutdown -> ${killSwitch()}`,
      `${name()}-model-spend-daily-limit -> shutdown`,
      `${name()}-model-spend-monthly-limit -> shutdown`,
      `${name()}-monthly ACTUAL GREATER_THAN 100 PERCENTAGE -> shutdown`,
      `${name()}-daily ACTUAL GREATER_THAN 100 PERCENTAGE -> shutdown`,
      `/openclaw/${name()}/kill-switch`,
    ]);
  });

  it('cost-tag-active asks for the tag the budgets filter on', async () => {
    expect((await run(costTagActive)).map((r) => [r.resource, r.evidence])).toEqual([['tag openclaw:deployment', 'Active (UserDefined, last used 2026-12-01T00:00:00Z)']]);
  });
});

describe('drifts', () => {
  it('a budget deleted fails budgets-present', async () => {
    const r = await drifted(budgetsPresent, () => budgetDrift(fake.world).set(`${name()}-daily`, { deleted: true }), () => budgetDrift(fake.world).clear());
    expect(failures(r)).toEqual([['budgets-present', `${name()}-daily`, `no budget of that name in account ${fake.world.account}; expected 5 USD DAILY COST`]]);
  });

  it('a limit changed fails budgets-present', async () => {
    const r = await drifted(budgetsPresent, () => budgetDrift(fake.world).set(`${name()}-monthly`, { limitAmount: '500.0' }), () => budgetDrift(fake.world).clear());
    expect(failures(r)).toEqual([['budgets-present', `${name()}-monthly`, 'limit 500 USD MONTHLY COST; expected 60 USD MONTHLY COST']]);
  });

  it('a subscriber removed from the 100 % notification fails budgets-present and kill-switch-armed', async () => {
    const drift = () => budgetDrift(fake.world).set(`${name()}-monthly`, { removedSubscribers: [shutdown()] });
    const r = await drifted(budgetsPresent, drift, () => budgetDrift(fake.world).clear());
    expect(failures(r)).toEqual([['budgets-present', `${name()}-monthly`, expect.stringMatching(/^notification ACTUAL GREATER_THAN 100 PERCENTAGE tells SNS:\S+-alerts; expected SNS:\S+-alerts, SNS:\S+-shutdown$/)]]);
    const k = await drifted(killSwitchArmed, drift, () => budgetDrift(fake.world).clear());
    expect(failures(k)).toEqual([['kill-switch-armed', `${name()}-monthly ACTUAL GREATER_THAN 100 PERCENTAGE -> shutdown`, expect.stringMatching(/^subscribers SNS:\S+-alerts; expected SNS:\S+-shutdown among them$/)]]);
  });

  it('the cost allocation tag Inactive fails cost-tag-active', async () => {
    const r = await drifted(costTagActive, () => costTagDrift(fake.world).set('openclaw:deployment', 'Inactive'), () => costTagDrift(fake.world).clear());
    expect(failures(r)).toEqual([['cost-tag-active', 'tag openclaw:deployment', expect.stringMatching(/^Inactive \(UserDefined, last used 2026-12-01T00:00:00Z\); expected Active/)]]);
  });

  it('the cost allocation tag never seen fails cost-tag-active', async () => {
    const r = await drifted(costTagActive, () => costTagDrift(fake.world).set('openclaw:deployment', 'absent'), () => costTagDrift(fake.world).clear());
    expect(failures(r)).toEqual([['cost-tag-active', 'tag openclaw:deployment', expect.stringMatching(/^not among the cost allocation tags: Billing has not seen it/)]]);
  });

  it('concurrency 0 fails kill-switch-armed', async () => {
    const r = await drifted(killSwitchArmed, () => functionDrift(fake.world).set(killSwitch(), { reservedConcurrency: 0 }), () => functionDrift(fake.world).clear());
    expect(failures(r)).toEqual([['kill-switch-armed', `${killSwitch()} concurrency`, expect.stringMatching(/^ReservedConcurrentExecutions 0; expected not 0/)]]);
  });

  it('a function whose last update failed fails kill-switch-armed', async () => {
    const r = await drifted(killSwitchArmed, () => functionDrift(fake.world).set(killSwitch(), { config: { LastUpdateStatus: 'Failed' } }), () => functionDrift(fake.world).clear());
    expect(failures(r)).toEqual([['kill-switch-armed', killSwitch(), 'State Active, LastUpdateStatus Failed; expected State Active, LastUpdateStatus Successful']]);
  });

  it('the trigger subscription removed fails kill-switch-armed', async () => {
    const endpoint = `arn:aws:lambda:eu-west-1:${fake.world.account}:function:${killSwitch()}`;
    const r = await drifted(killSwitchArmed, () => subscriptionDrift(fake.world).set(`${shutdown()}|lambda|${endpoint}`, 'deleted'), () => subscriptionDrift(fake.world).clear());
    expect(failures(r)).toEqual([['kill-switch-armed', `${name()}-shutdown -> ${killSwitch()}`, 'no such subscription: the shutdown topic does not invoke the kill switch; expected it confirmed']]);
  });

  it('a limit alarm dropped from TRIGGER_ALARMS fails kill-switch-armed', async () => {
    const env = { TRIGGER_ALARMS: `${name()}-model-spend-daily-limit` };
    const r = await drifted(killSwitchArmed, () => functionDrift(fake.world).set(killSwitch(), { environment: env }), () => functionDrift(fake.world).clear());
    expect(failures(r)).toEqual([['kill-switch-armed', `${name()}-model-spend-monthly-limit -> shutdown`, expect.stringContaining("NOT in the kill switch's TRIGGER_ALARMS; expected")]]);
  });

  it('the state killed fails kill-switch-armed', async () => {
    const param = `/openclaw/${name()}/kill-switch`;
    const r = await drifted(killSwitchArmed, () => parameters(fake.world).set(param, JSON.stringify({ state: 'killed', at: '2026-12-05T00:00:00Z' })), () => parameters(fake.world).clear());
    expect(failures(r)).toEqual([['kill-switch-armed', param, 'state killed; expected armed or restored: after a kill, review and npm run restore']]);
  });
});
