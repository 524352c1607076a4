import * as fs from 'fs';
import * as path from 'path';
import {
  ALARMS,
  EGRESS_BLOCKED_BURST,
  EGRESS_BLOCKED_MINUTES,
  RUNBOOKS_FILE,
  SPEND_THRESHOLDS,
  agentBreakerAlarm,
  alarmDescription,
  alarmName,
  modelSpendAlarm,
  type AlarmSpec,
} from '../../lib/alarms/alarm-catalogue';
import { EGRESS_BLOCKED_METRIC, EGRESS_HEALTH_METRIC } from '../../lib/shared/metric-names';
import { REPO_ROOT } from '../support/config-fixture';

// The alarm catalogue (lib/alarms/alarm-catalogue.ts) on its own, without a synth: the
// alarms there are, their runbook sections, the text a responder reads, and the
// thresholds the catalogue fixes. test/app/alarms.test.ts checks the synthesized alarms
// against it.

const every: AlarmSpec[] = [
  ...Object.values(ALARMS),
  ...(['daily', 'monthly'] as const).flatMap((p) => SPEND_THRESHOLDS.map((pct) => modelSpendAlarm(p, pct))),
  agentBreakerAlarm('ops'),
];

test('the fixed alarms, pinned: id, and runbook section of the same name', () => {
  expect(Object.values(ALARMS).map((a) => [a.id, a.runbook])).toEqual(
    [
      'boot-preflight-failed',
      'secret-retrieval-failed',
      'gateway-unhealthy',
      'egress-unhealthy',
      'egress-blocked',
      'agent-files-integrity',
      'waf-blocks-spike',
      'channel-down',
      'disk-low',
      'memory-low',
      'proxy-auth-failures',
      'secret-policy-changed',
      'kms-key-changed',
      'instance-recovered',
      'spend-meter-silent',
      'kill-switch-executed',
      'kill-switch-failed',
      'instance-rebooted',
      'controls-drifted',
    ].map((id) => [id, id]),
  );
});

test('the spend thresholds (the last one stops the gateway) and the egress burst', () => {
  expect(SPEND_THRESHOLDS).toEqual([50, 75, 90, 100]);
  expect([EGRESS_BLOCKED_BURST, EGRESS_BLOCKED_MINUTES]).toEqual([10, 5]);
});

test('model spend: a warning per threshold below 100 %, sharing one runbook; 100 % is the limit, with its own', () => {
  expect(modelSpendAlarm('daily', 50)).toEqual({
    id: 'model-spend-daily-50',
    runbook: 'model-spend-warning',
    fired: 'Model API spend metered on the host passed 50 % of spend.modelDailyLimitUsd (today, UTC).',
    firstAction: 'Check which agent and model spend (ModelSpend metrics by Model, the gateway log); raise the limit in config or slow the agents before 100 % stops the gateway.',
  });
  expect(modelSpendAlarm('monthly', 90)).toMatchObject({ id: 'model-spend-monthly-90', runbook: 'model-spend-warning', fired: 'Model API spend metered on the host passed 90 % of spend.modelMonthlyLimitUsd (this month, UTC).' });
  expect(modelSpendAlarm('monthly', 100)).toEqual({
    id: 'model-spend-monthly-limit',
    runbook: 'model-spend-limit',
    fired: 'Model API spend metered on the host reached 100 % of spend.modelMonthlyLimitUsd (this month, UTC): the kill switch is stopping the gateway.',
    firstAction: 'Confirm the kill-switch-executed notification, then find what spent (the ModelSpend metrics by Model) before any restore.',
  });
  expect(modelSpendAlarm('daily', 100)).toMatchObject({ id: 'model-spend-daily-limit', fired: expect.stringContaining('reached 100 % of spend.modelDailyLimitUsd (today, UTC)') });
});

test("a gateway's breaker: named after the gateway, its marker and restore command in the first action", () => {
  expect(agentBreakerAlarm('support')).toEqual({
    id: 'agent-breaker-support',
    runbook: 'agent-breaker',
    fired:
      'The breaker of gateway support tripped: the spend meter stopped openclaw-gateway@support.service (its model spend, tool calls or refused egress crossed its openclaw.agents limits); the other gateways keep serving.',
    firstAction:
      "Read the reason and figures in /var/lib/openclaw-meter/breaker/support.tripped (or the meter's BREAKER line in journalctl -u openclaw-spend-meter), find what the agent did, then restore with npm run restore -- --agent support or raise its limit.",
  });
});

test('every alarm says what fired and what to do first, each one sentence or more, ending with a full stop', () => {
  for (const a of every) {
    for (const text of [a.fired, a.firstAction]) {
      expect({ id: a.id, text, sentence: /^[A-Za-z].{30,}\.$/s.test(text) }).toEqual({ id: a.id, text, sentence: true });
    }
  }
  expect(new Set(every.map((a) => a.id)).size).toBe(every.length);
});

test('the egress alarms name their metric and, for the burst, its count and window', () => {
  expect(ALARMS.egressUnhealthy.fired).toContain(`(${EGRESS_HEALTH_METRIC} missing)`);
  expect(ALARMS.egressBlocked.fired).toContain(`refused at least 10 outbound attempts in 5 minutes (${EGRESS_BLOCKED_METRIC}:`);
});

test("every runbook section an alarm points at is a '## <runbook>' heading of docs/runbooks.md", () => {
  expect(RUNBOOKS_FILE).toBe('docs/runbooks.md');
  const headings = new Set(
    fs
      .readFileSync(path.join(REPO_ROOT, RUNBOOKS_FILE), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('## '))
      .map((l) => l.slice(3).trim()),
  );
  expect([...new Set(every.map((a) => a.runbook))].filter((r) => !headings.has(r))).toEqual([]);
});

test('the name is <deployment>-<id>; the description is what fired, First:, what to do, Runbook: file#section', () => {
  expect(alarmName('openclaw-example-dev', ALARMS.gatewayUnhealthy)).toBe('openclaw-example-dev-gateway-unhealthy');
  const spec: AlarmSpec = { id: 'x', runbook: 'y', fired: 'It fired.', firstAction: 'Do this.' };
  expect(alarmDescription(spec)).toBe('It fired. First: Do this. Runbook: docs/runbooks.md#y');
});

test("descriptions stay within CloudWatch's 1024 characters: exactly 1024 is taken, 1025 refused naming the alarm", () => {
  const frame = alarmDescription({ id: 'x', runbook: 'y', fired: '', firstAction: '' }).length;
  const at = (n: number): AlarmSpec => ({ id: 'long', runbook: 'y', fired: 'f'.repeat(n - frame), firstAction: '' });
  expect(alarmDescription(at(1024))).toHaveLength(1024);
  expect(() => alarmDescription(at(1025))).toThrow("alarm long: description over CloudWatch's 1024 characters");
  for (const a of every) expect(alarmDescription(a).length).toBeLessThanOrEqual(1024);
});
