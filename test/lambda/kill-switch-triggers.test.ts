/**
 * Pure pieces of the kill switch: reading AWS Budgets and CloudWatch alarm
 * notifications (budget-message.ts, alarm-message.ts), deciding what an event
 * asks for (triggers.ts), fitting the state into its parameter (state.ts),
 * SNS subjects (notify.ts) and what counts as transient (retry.ts).
 */
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { parseAlarmMessage } from '../../lambda/kill-switch/alarm-message';
import { parseBudgetMessage } from '../../lambda/kill-switch/budget-message';
import { MAX_INSTANCES } from '../../lambda/kill-switch/env';
import { describeError, truncate } from '../../lambda/kill-switch/log';
import { cleanSubject, MAX_SUBJECT } from '../../lambda/kill-switch/notify';
import { isTransient } from '../../lambda/kill-switch/retry';
import { MAX_PARAMETER_CHARS, type RecordedState, serialize } from '../../lambda/kill-switch/state';
import { decide, decideOperator, EventError, MAX_REASON, MAX_REQUESTED_BY } from '../../lambda/kill-switch/triggers';
import { budgetMessage } from './support/budget-message';

describe('parseBudgetMessage', () => {
  it.each([
    ['$90.00', 90],
    ['$100.00', 100],
    ['$120.00', 120],
    ['$50.00', 50],
  ])('reads a threshold of %s of $100.00 as %d %%', (threshold, percent) => {
    expect(parseBudgetMessage(budgetMessage({ threshold }))).toEqual({
      kind: 'budget',
      notification: { budgetName: 'openclaw-example-prod-monthly', alertType: 'ACTUAL', thresholdPercent: percent, budgetedAmount: '$100.00' },
    });
  });

  it('reads amounts with thousands separators, and rounding never makes 99.96 % into 100 %', () => {
    const big = parseBudgetMessage(budgetMessage({ budgeted: '$1,250.00', threshold: '$1,250.00' }));
    expect(big.kind === 'budget' && big.notification.thresholdPercent).toBe(100);
    const almost = parseBudgetMessage(budgetMessage({ budgeted: '$2,500.00', threshold: '$2,499.00' }));
    expect(almost.kind === 'budget' && almost.notification.thresholdPercent).toBe(99.9);
    const odd = parseBudgetMessage(budgetMessage({ budgeted: '$33.33', threshold: '$33.33' }));
    expect(odd.kind === 'budget' && odd.notification.thresholdPercent).toBe(100);
  });

  it('reads a threshold written as a percentage, in the field or in the prose', () => {
    const field = 'AWS Budget Notification\nBudget Name: b-daily\nAlert Type: ACTUAL\nThreshold: Greater than 100%\n';
    expect(parseBudgetMessage(field)).toEqual({ kind: 'budget', notification: { budgetName: 'b-daily', alertType: 'ACTUAL', thresholdPercent: 100, budgetedAmount: undefined } });
    const alert = 'Budget Name: b\nAlert Threshold: > 80%\n';
    expect(parseBudgetMessage(alert)).toMatchObject({ kind: 'budget', notification: { thresholdPercent: 80, alertType: undefined } });
    const prose = 'AWS Budget Notification May 07, 2026\nYour b budget is greater than $1.60 (80.0% of your budget).\nBudget Name: b\n';
    expect(parseBudgetMessage(prose)).toMatchObject({ kind: 'budget', notification: { thresholdPercent: 80 } });
  });

  it('reads FORECASTED alerts as such', () => {
    expect(parseBudgetMessage(budgetMessage({ type: 'FORECASTED' }))).toMatchObject({ kind: 'budget', notification: { alertType: 'FORECASTED' } });
  });

  it('says what it could not read in a budget notification', () => {
    expect(parseBudgetMessage('AWS Budget Notification May 20, 2026\nsomething else')).toEqual({ kind: 'unreadable', problem: 'no "Budget Name:" line', budgetName: undefined });
    expect(parseBudgetMessage('Budget Name: b\nBudgeted Amount: $100.00\n')).toEqual({ kind: 'unreadable', problem: 'no "Alert Threshold:" line', budgetName: 'b' });
    expect(parseBudgetMessage('Budget Name: b\nAlert Threshold: > lots\n')).toMatchObject({ kind: 'unreadable', problem: 'alert threshold "lots" is not an amount or a percentage' });
    expect(parseBudgetMessage('Budget Name: b\nAlert Threshold: > $5.00\n')).toMatchObject({ kind: 'unreadable', problem: 'no positive "Budgeted Amount:" to compare the alert threshold with' });
    expect(parseBudgetMessage('Budget Name: b\nBudgeted Amount: $0.00\nAlert Threshold: > $5.00\n')).toMatchObject({ kind: 'unreadable' });
  });

  it('is not a budget notification without its anchor or a Budget Name line', () => {
    expect(parseBudgetMessage('{"AlarmName":"a"}')).toEqual({ kind: 'not-budget' });
    expect(parseBudgetMessage('hello')).toEqual({ kind: 'not-budget' });
  });

  /** The percentage read from the fields of a cost budget notification (undefined: not read as a budget). */
  const percentOf = (fields: string) => {
    const out = parseBudgetMessage(`AWS Budget Notification May 20, 2026\n${fields}`);
    return out.kind === 'budget' ? out.notification.thresholdPercent : out;
  };
  const unreadable = (problem: string, budgetName: string | undefined) => ({ kind: 'unreadable', problem, budgetName });

  it('its anchor starts a line (indented or not); mentioned inside a sentence it is not one', () => {
    expect(parseBudgetMessage('  AWS Budget Notification May 20, 2026\nsomething else')).toEqual(unreadable('no "Budget Name:" line', undefined));
    expect(parseBudgetMessage('Fwd: AWS Budget Notification May 20, 2026\nsomething else')).toEqual({ kind: 'not-budget' });
  });

  it('reads its fields indented, with blanks (spaces, tabs) around the colon or none, and with CRLF line ends', () => {
    const expected = { kind: 'budget', notification: { budgetName: 'b', alertType: 'ACTUAL', thresholdPercent: 120, budgetedAmount: '$100.00' } };
    expect(parseBudgetMessage('  Budget Name: b\n\tBudgeted Amount: $100.00\n  Alert Type: ACTUAL\n  Alert Threshold: > $120.00\n')).toEqual(expected);
    expect(parseBudgetMessage('Budget Name :b\nBudgeted Amount\t:\t$100.00 \t\nAlert Type:ACTUAL\nAlert Threshold :  >  $120.00\n')).toEqual(expected);
    expect(parseBudgetMessage(budgetMessage({ name: 'b', threshold: '$120.00' }).replace(/\n/g, '\r\n'))).toEqual(expected);
    expect(parseBudgetMessage('BUDGET NAME: b\nbudgeted amount: $100.00\nALERT TYPE: actual\nalert threshold: > $120.00\n')).toEqual(expected);
  });

  it('a field is a line that starts with its name: the name inside a sentence is not the field', () => {
    expect(percentOf('Budget Name: b\nNote: the Alert Threshold: > 50% was raised\nBudgeted Amount: $100.00\nAlert Threshold: > $100.00\n')).toBe(100);
  });

  it('an empty field does not take the next line as its value', () => {
    expect(parseBudgetMessage('AWS Budget Notification\nBudget Name:\nBudget Type: Cost\nBudgeted Amount: $100.00\nAlert Threshold: > $100.00\n')).toEqual(
      unreadable('no "Budget Name:" line', undefined),
    );
    for (const eol of ['\r\n', '\r']) {
      expect(parseBudgetMessage(['AWS Budget Notification', 'Budget Name:  ', 'Budget Type: Cost', 'Alert Threshold: > 100%', ''].join(eol))).toEqual(
        unreadable('no "Budget Name:" line', undefined),
      );
    }
    expect(parseBudgetMessage('Budget Name: b\nAlert Type:\nBudgeted Amount: $100.00\nAlert Threshold: > $100.00\n')).toEqual({
      kind: 'budget',
      notification: { budgetName: 'b', alertType: undefined, thresholdPercent: 100, budgetedAmount: '$100.00' },
    });
  });

  it('the first of a repeated field counts (an earlier notification appended below it does not)', () => {
    const twice = `${budgetMessage({ name: 'b', threshold: '$100.00' })}\n${budgetMessage({ name: 'old', threshold: '$90.00' })}`;
    expect(parseBudgetMessage(twice)).toMatchObject({ kind: 'budget', notification: { budgetName: 'b', thresholdPercent: 100 } });
  });

  it.each([
    ['>$100.00', 100],
    ['>= $100.00', 100],
    ['greater than or equal to $100.00', 100],
    ['Greater than $120.00', 120],
    ['exceeds $100.00', 100],
    ['over $90.00', 90],
    ['$110.00', 110],
  ])('reads the comparator before the threshold: "%s" of $100.00 is %d %%', (threshold, percent) => {
    expect(percentOf(`Budget Name: b\nBudgeted Amount: $100.00\nAlert Threshold: ${threshold}\n`)).toBe(percent);
  });

  it.each([
    ['USD 1,250.00', 'USD 1,250.00', 100],
    ['100.00 USD', '120.00 USD', 120],
    ['EUR100', 'EUR90', 90],
    ['€100', '€100.5', 100.5],
    ['$100', '$120', 120],
    ['1,000', '999.99', 99.9],
  ])('reads amounts with a currency symbol or code before or after, with or without cents: %s, threshold %s is %d %%', (budgeted, threshold, percent) => {
    expect(percentOf(`Budget Name: b\nBudgeted Amount: ${budgeted}\nAlert Threshold: > ${threshold}\n`)).toBe(percent);
  });

  it.each([
    ['> 80 %', 80],
    ['> 80.5%', 80.5],
    ['> 99.95%', 99.9],
    ['> 99.99%', 99.9],
    ['> 100.04%', 100],
    ['> 150%', 150],
  ])('reads a percentage threshold "%s" as %d %%: never rounded up to 100 from below, nor down from 100', (threshold, percent) => {
    expect(percentOf(`Budget Name: b\nAlert Threshold: ${threshold}\n`)).toBe(percent);
  });

  it.each([
    ['(80% of your budget)', 80],
    ['(80 % of your budget)', 80],
    ['(80.0% of your budget)', 80],
    ['(99.95% of your budget)', 99.9],
    ['(120.25% of your budget)', 120.3],
  ])('reads the percentage in the prose "%s" as %d %%', (prose, percent) => {
    expect(percentOf(`Your b budget is greater than $1.60 ${prose}.\nBudget Name: b\n`)).toBe(percent);
  });

  it.each([
    ['$100.00 over', 'alert threshold "$100.00 over" is not an amount or a percentage'],
    ['> 1,080%', 'alert threshold "1,080%" is not an amount or a percentage'],
    ['> 80% of forecast', 'alert threshold "80% of forecast" is not an amount or a percentage'],
    ['> $90.00 + $10.00', 'alert threshold "$90.00 + $10.00" is not an amount or a percentage'],
    ['> $100.00 per month', 'alert threshold "$100.00 per month" is not an amount or a percentage'],
    ['> 80.%', 'alert threshold "80.%" is not an amount or a percentage'],
    [`> ${'9'.repeat(30)} dollars and ${'9'.repeat(30)} cents`, `alert threshold "${'9'.repeat(30)} dollars a" is not an amount or a percentage`],
  ])('anything else in the threshold is unreadable, never a guess: "%s"', (threshold, problem) => {
    expect(percentOf(`Budget Name: b\nBudgeted Amount: $100.00\nAlert Threshold: ${threshold}\n`)).toEqual(unreadable(problem, 'b'));
  });
});

describe('parseAlarmMessage', () => {
  it('reads the alarm name, the new state and (shortened) reason', () => {
    const reason = 'Threshold Crossed: 1 datapoint [105.2] was greater than or equal to the threshold (100.0). '.repeat(5);
    const out = parseAlarmMessage(JSON.stringify({ AlarmName: 'spend', NewStateValue: 'ALARM', NewStateReason: reason, OldStateValue: 'OK' }));
    expect(out).toMatchObject({ kind: 'alarm', notification: { alarmName: 'spend', newState: 'ALARM' } });
    expect(out.kind === 'alarm' && out.notification.reason).toBe(`${reason.slice(0, 297)}...`);
  });

  it('has no reason when NewStateReason is missing or not a string', () => {
    for (const NewStateReason of [undefined, 42, { text: 'x' }]) {
      expect(parseAlarmMessage(JSON.stringify({ AlarmName: 'spend', NewStateValue: 'ALARM', NewStateReason }))).toEqual({
        kind: 'alarm',
        notification: { alarmName: 'spend', newState: 'ALARM', reason: undefined },
      });
    }
  });

  it.each([
    ['text', 'AWS Budget Notification', false],
    ['a JSON array', '[1,2]', true],
    ['JSON without AlarmName', '{"NewStateValue":"ALARM"}', true],
    ['JSON without NewStateValue', '{"AlarmName":"a"}', true],
    ['JSON null', 'null', true],
    ['a JSON string', '"AlarmName"', true],
    ['a JSON number', '42', true],
    ['JSON with an empty AlarmName', '{"AlarmName":"","NewStateValue":"ALARM"}', true],
    ['JSON with a NewStateValue that is not a string', '{"AlarmName":"a","NewStateValue":1}', true],
  ])('is not an alarm notification: %s', (_what, text, json) => {
    expect(parseAlarmMessage(text)).toEqual({ kind: 'not-alarm', json });
  });
});

describe('decide', () => {
  const sns = (...messages: string[]) => ({ Records: messages.map((Message, i) => ({ EventSource: 'aws:sns', Sns: { MessageId: `m-${i}`, Message } })) });

  it('one decision per SNS record', () => {
    const decisions = decide(sns(budgetMessage({ threshold: '$90.00' }), budgetMessage({ threshold: '$100.00' })), []);
    expect(decisions.map((d) => d.kind)).toEqual(['ignore', 'act']);
    expect(decisions[1]).toEqual({
      kind: 'act',
      request: {
        action: 'kill',
        trigger: { source: 'budget', budgetName: 'openclaw-example-prod-monthly', thresholdPercent: 100, alertType: 'ACTUAL' },
        reason: 'AWS Budgets: ACTUAL cost of budget openclaw-example-prod-monthly crossed 100% of the budgeted $100.00',
        dryRun: false,
      },
    });
  });

  it('an alarm in ALARM from the list: kill, with its reason on one line', () => {
    const message = JSON.stringify({ AlarmName: 'spend-100', NewStateValue: 'ALARM', NewStateReason: 'Threshold\nCrossed' });
    expect(decide(sns(message), ['spend-100'])).toEqual([
      { kind: 'act', request: { action: 'kill', trigger: { source: 'alarm', alarmName: 'spend-100' }, reason: 'CloudWatch alarm spend-100 in ALARM: Threshold Crossed', dryRun: false } },
    ]);
  });

  it('an unreadable message is ignored and told', () => {
    expect(decide(sns('{"hello":"world"}'), [])).toEqual([
      {
        kind: 'ignore',
        ignored: { outcome: 'ignored-unreadable', detail: { messageId: 'm-0', shape: 'json', problem: 'neither an AWS Budgets nor a CloudWatch alarm notification' }, notify: true },
      },
    ]);
  });

  it.each([
    ['not an object', 'kill', 'event is not an object'],
    ['Records empty', { Records: [] }, 'event has no Records'],
    ['a record without Sns', { Records: [{ EventSource: 'aws:sqs', body: 'x' }] }, 'event record 0 is not an SNS notification'],
    ['an Sns without Message', { Records: [{ Sns: { Subject: 'x' } }] }, 'event record 0 is not an SNS notification'],
  ])('refuses an event that is %s', (_what, event, message) => {
    expect(() => decide(event, [])).toThrow(new EventError(message));
  });
});

/** The Lambda event SNS delivers for one message, with every field SNS sets (a Lambda subscription of the shutdown topic). */
function snsDelivery(message: string, subject: string | null, messageId = '95df01b4-ee98-5cb9-9903-4c221d41eb5e') {
  const topic = 'arn:aws:sns:eu-west-1:123456789012:openclaw-example-prod-shutdown';
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topic}:2f6e5c1a-8b7d-4e3f-9a0b-1c2d3e4f5a6b`,
        Sns: {
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: topic,
          Subject: subject,
          Message: message,
          Timestamp: '2026-05-20T10:00:00.123Z',
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
          UnsubscribeUrl: `https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topic}:2f6e5c1a-8b7d-4e3f-9a0b-1c2d3e4f5a6b`,
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** The message CloudWatch publishes to SNS when a metric alarm changes state. */
function alarmNotification(name: string, state: string, reason: string) {
  return JSON.stringify({
    AlarmName: name,
    AlarmDescription: 'Model spend reached 100 % of the monthly limit',
    AWSAccountId: '123456789012',
    AlarmConfigurationUpdatedTimestamp: '2026-05-01T08:00:00.000+0000',
    NewStateValue: state,
    NewStateReason: reason,
    StateChangeTime: '2026-05-20T10:00:00.000+0000',
    Region: 'EU (Ireland)',
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`,
    OldStateValue: 'OK',
    OKActions: [],
    AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:openclaw-example-prod-shutdown'],
    InsufficientDataActions: [],
    Trigger: {
      MetricName: 'ModelSpend',
      Namespace: 'OpenClaw/openclaw-example-prod',
      StatisticType: 'Statistic',
      Statistic: 'MAXIMUM',
      Unit: null,
      Dimensions: [],
      Period: 3600,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 100.0,
      TreatMissingData: 'missing',
      EvaluateLowSampleCountPercentile: '',
    },
  });
}

/** A Budgets message with one of its lines removed (a changed wording must not disarm the kill switch). */
const withoutLine = (message: string, field: string) =>
  message
    .split('\n')
    .filter((line) => !line.startsWith(`${field}:`))
    .join('\n');

describe('decide: the events AWS delivers', () => {
  const REASON = 'Threshold Crossed: 1 out of the last 1 datapoints [104.2 (20/05/26 09:00:00)] was greater than or equal to the threshold (100.0) (minimum 1 datapoint for OK -> ALARM transition).';

  it('a CloudWatch alarm of the list going to ALARM kills, with its reason', () => {
    expect(decide(snsDelivery(alarmNotification('openclaw-example-prod-model-spend', 'ALARM', REASON), 'ALARM: "openclaw-example-prod-model-spend" in EU (Ireland)'), ['openclaw-example-prod-model-spend'])).toEqual([
      {
        kind: 'act',
        request: { action: 'kill', trigger: { source: 'alarm', alarmName: 'openclaw-example-prod-model-spend' }, reason: `CloudWatch alarm openclaw-example-prod-model-spend in ALARM: ${REASON}`, dryRun: false },
      },
    ]);
  });

  it('an alarm message without NewStateReason still kills, with no reason appended', () => {
    const message = JSON.parse(alarmNotification('spend', 'ALARM', REASON)) as Record<string, unknown>;
    delete message.NewStateReason;
    expect(decide(snsDelivery(JSON.stringify(message), null), ['spend'])).toEqual([
      { kind: 'act', request: { action: 'kill', trigger: { source: 'alarm', alarmName: 'spend' }, reason: 'CloudWatch alarm spend in ALARM', dryRun: false } },
    ]);
  });

  it('an AWS Budgets notification at 100 % kills', () => {
    expect(decide(snsDelivery(budgetMessage(), 'AWS Budgets: openclaw-example-prod-monthly has exceeded your alert threshold'), [])).toEqual([
      {
        kind: 'act',
        request: {
          action: 'kill',
          trigger: { source: 'budget', budgetName: 'openclaw-example-prod-monthly', thresholdPercent: 100, alertType: 'ACTUAL' },
          reason: 'AWS Budgets: ACTUAL cost of budget openclaw-example-prod-monthly crossed 100% of the budgeted $100.00',
          dryRun: false,
        },
      },
    ]);
  });

  it('a Budgets notification without its Alert Type line still kills at 100 %, as ACTUAL cost', () => {
    const [decision] = decide(snsDelivery(withoutLine(budgetMessage(), 'Alert Type'), null), []);
    expect(decision).toEqual({
      kind: 'act',
      request: {
        action: 'kill',
        trigger: { source: 'budget', budgetName: 'openclaw-example-prod-monthly', thresholdPercent: 100, alertType: 'ACTUAL' },
        reason: 'AWS Budgets: ACTUAL cost of budget openclaw-example-prod-monthly crossed 100% of the budgeted $100.00',
        dryRun: false,
      },
    });
  });

  it('a Budgets notification without Alert Type below 100 % is ignored, its type logged as unknown', () => {
    expect(decide(snsDelivery(withoutLine(budgetMessage({ threshold: '$80.00' }), 'Alert Type'), null), [])).toEqual([
      {
        kind: 'ignore',
        ignored: {
          outcome: 'ignored-below-threshold',
          detail: { messageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e', budgetName: 'openclaw-example-prod-monthly', thresholdPercent: 80, alertType: 'unknown' },
          notify: false,
        },
      },
    ]);
  });

  it('a Budgets notification with a percentage threshold and no Budgeted Amount line kills "of its amount"', () => {
    const [decision] = decide(snsDelivery(withoutLine(budgetMessage({ threshold: '100%' }), 'Budgeted Amount'), null), []);
    expect(decision).toMatchObject({ kind: 'act', request: { reason: 'AWS Budgets: ACTUAL cost of budget openclaw-example-prod-monthly crossed 100% of its amount' } });
  });

  it('an unreadable Budgets notification is told, with the budget name when it has one', () => {
    const noThreshold = withoutLine(budgetMessage(), 'Alert Threshold');
    expect(decide(snsDelivery(noThreshold, null), [])).toEqual([
      {
        kind: 'ignore',
        ignored: {
          outcome: 'ignored-unreadable',
          detail: { messageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e', shape: 'budget', budgetName: 'openclaw-example-prod-monthly', problem: 'no "Alert Threshold:" line' },
          notify: true,
        },
      },
    ]);
    expect(decide(snsDelivery(withoutLine(budgetMessage(), 'Budget Name'), null), [])).toEqual([
      {
        kind: 'ignore',
        ignored: {
          outcome: 'ignored-unreadable',
          detail: { messageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e', shape: 'budget', budgetName: 'unknown', problem: 'no "Budget Name:" line' },
          notify: true,
        },
      },
    ]);
  });

  it('a record without MessageId is still decided, its id logged as unknown', () => {
    const event = snsDelivery(alarmNotification('spend', 'OK', 'Threshold Crossed'), null);
    delete (event.Records[0]!.Sns as Partial<typeof event.Records[0]['Sns']>).MessageId;
    expect(decide(event, ['spend'])).toEqual([
      { kind: 'ignore', ignored: { outcome: 'ignored-not-alarm-state', detail: { messageId: 'unknown', alarmName: 'spend', newState: 'OK' }, notify: false } },
    ]);
  });

  it.each([
    ['null (an invoke with the payload null)', null, 'event is not an object'],
    ['an array', [{ action: 'kill' }], 'event is not an object'],
    ['a record that is a string', { Records: ['{"AlarmName":"spend","NewStateValue":"ALARM"}'] }, 'event record 0 is not an SNS notification'],
    ['a record that is null', { Records: [null] }, 'event record 0 is not an SNS notification'],
    ['an Sns that is null', { Records: [{ EventSource: 'aws:sns', Sns: null }] }, 'event record 0 is not an SNS notification'],
  ])('refuses an event that is %s', (_what, event, message) => {
    expect(() => decide(event, [])).toThrow(new EventError(message));
  });
});

describe('decideOperator', () => {
  it('reads kill, restore and status; status needs no reason', () => {
    expect(decideOperator({ action: 'kill', reason: 'runaway\nagent', requestedBy: 'alice', dryRun: true })).toEqual({
      action: 'kill',
      trigger: { source: 'operator', requestedBy: 'alice' },
      reason: 'runaway agent',
      dryRun: true,
    });
    expect(decideOperator({ action: 'restore', reason: 'reviewed', requestedBy: 'bob' })).toMatchObject({ action: 'restore', dryRun: false });
    expect(decideOperator({ action: 'status' })).toEqual({ action: 'status', trigger: { source: 'operator', requestedBy: 'operator' }, reason: 'status request', dryRun: false });
  });

  it('keeps the reason and requester given to a status request', () => {
    expect(decideOperator({ action: 'status', reason: 'checking after the deploy', requestedBy: 'alice' })).toEqual({
      action: 'status',
      trigger: { source: 'operator', requestedBy: 'alice' },
      reason: 'checking after the deploy',
      dryRun: false,
    });
  });

  it('makes a reason typed over several lines one line, each run of blanks one space', () => {
    expect(decideOperator({ action: 'kill', reason: ' runaway\r\n  agent\t\tloop ', requestedBy: 'alice' }).reason).toBe('runaway agent loop');
  });

  it('accepts a reason and a requester of exactly the maximum length', () => {
    const reason = 'r'.repeat(MAX_REASON);
    const requestedBy = 'a'.repeat(MAX_REQUESTED_BY);
    expect(decideOperator({ action: 'kill', reason, requestedBy })).toEqual({ action: 'kill', trigger: { source: 'operator', requestedBy }, reason, dryRun: false });
  });

  it.each([
    [{ action: 'kill', reason: 'r', requestedBy: 'a', dryrun: true, force: true }, 'unknown key(s) "dryrun", "force" (expected action, reason, requestedBy, dryRun)'],
    [{ action: 42, reason: 'r', requestedBy: 'a' }, '"action" must be kill, restore, status'],
    [{ action: ['kill'], reason: 'r', requestedBy: 'a' }, '"action" must be kill, restore, status'],
  ])('refuses %j', (body, message) => {
    expect(() => decideOperator(body)).toThrow(new EventError(`operator request: ${message}`));
  });

  it.each([
    [{ action: 'terminate', reason: 'r', requestedBy: 'a' }, '"action" must be kill, restore, status'],
    [{ reason: 'r', requestedBy: 'a' }, '"action" must be kill, restore, status'],
    [{ action: 'kill', requestedBy: 'a' }, '"reason" must be a non-empty string'],
    [{ action: 'restore', reason: '  ', requestedBy: 'a' }, '"reason" must be a non-empty string'],
    [{ action: 'kill', reason: 'r' }, '"requestedBy" must be a non-empty string'],
    [{ action: 'kill', reason: 'r', requestedBy: 42 }, '"requestedBy" must be a non-empty string'],
    [{ action: 'kill', reason: 'x'.repeat(MAX_REASON + 1), requestedBy: 'a' }, `"reason" is longer than ${MAX_REASON} characters`],
    [{ action: 'kill', reason: 'r', requestedBy: 'a'.repeat(MAX_REQUESTED_BY + 1) }, `"requestedBy" is longer than ${MAX_REQUESTED_BY} characters`],
    [{ action: 'kill', reason: 'r', requestedBy: 'a', dryRun: 'yes' }, '"dryRun" must be true or false'],
    [{ action: 'kill', reason: 'r', requestedBy: 'a', dryrun: true }, 'unknown key(s) "dryrun"'],
  ])('refuses %j', (body, message) => {
    expect(() => decideOperator(body)).toThrow(`operator request: ${message}`);
  });
});

describe('serialize', () => {
  const worst: RecordedState = {
    state: 'killed',
    at: '2026-05-20T10:00:00.000Z',
    trigger: { source: 'alarm', alarmName: 'a'.repeat(255) },
    reason: 'r'.repeat(MAX_REASON),
    complete: false,
    actions: [
      ...Array.from({ length: MAX_INSTANCES }, (_, i) => ({ step: 'instance', id: `i-0123456789abcdef${i}`, before: 'unknown', result: 'failed', error: 'e'.repeat(300) })),
      { step: 'distribution', id: 'E1ABCDEFGHIJKLMNOPQR', result: 'failed', attempts: 3, error: 'e'.repeat(300) },
      { step: 'deny-secrets', roleName: 'r'.repeat(64), policyName: 'p'.repeat(128), result: 'failed', error: 'e'.repeat(300) },
    ],
  };

  it('keeps a small state as it is', () => {
    const small: RecordedState = { ...worst, actions: worst.actions.slice(0, 1) };
    expect(JSON.parse(serialize(small))).toEqual(small);
  });

  it('fits the worst case into a standard parameter, dropping the errors first', () => {
    const json = serialize(worst);
    expect(json.length).toBeLessThanOrEqual(MAX_PARAMETER_CHARS);
    const parsed = JSON.parse(json) as RecordedState;
    expect(parsed.actions).toHaveLength(MAX_INSTANCES + 2);
    expect(parsed.actions.every((a) => !('error' in a))).toBe(true);
    expect(parsed.reason).toBe(worst.reason);
  });

  it('shortens the reason when dropping the errors is not enough', () => {
    const json = serialize({ ...worst, reason: 'r'.repeat(4000) });
    expect(json.length).toBeLessThanOrEqual(MAX_PARAMETER_CHARS);
    expect((JSON.parse(json) as RecordedState).reason).toMatch(/^r+\.\.\.$/);
  });
});

describe('cleanSubject', () => {
  it('keeps SNS subjects to printable ASCII on one line, one blank between words, none at the ends', () => {
    expect(cleanSubject('a\nb\u00e9c')).toBe('a b c');
    expect(cleanSubject('\u00e9 \r\n [OpenClaw acme/prod]  \t Kill switch:\u2028gateway stopped (budget) \n')).toBe('[OpenClaw acme/prod] Kill switch: gateway stopped (budget)');
  });

  it(`keeps SNS subjects under 100 characters (SNS refuses longer): ${MAX_SUBJECT} kept, longer cut to ${MAX_SUBJECT} with "..."`, () => {
    expect(MAX_SUBJECT).toBe(99);
    const fits = `[${'x'.repeat(MAX_SUBJECT - 2)}]`;
    expect(cleanSubject(fits)).toBe(fits);
    expect(cleanSubject(`${fits}y`)).toBe(`[${'x'.repeat(MAX_SUBJECT - 4)}...`);
    expect(cleanSubject('x'.repeat(150))).toBe(`${'x'.repeat(96)}...`);
  });
});

describe('truncate and describeError', () => {
  it('keeps a text of exactly max characters, cuts a longer one to max with "..."', () => {
    expect(truncate('x'.repeat(300), 300)).toBe('x'.repeat(300));
    expect(truncate('x'.repeat(301), 300)).toBe(`${'x'.repeat(297)}...`);
  });

  it('names an error by its name and message, anything else as text, at most 300 characters unless told', () => {
    expect(describeError(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }))).toBe('AccessDeniedException: not authorized');
    expect(describeError('boom')).toBe('boom');
    expect(describeError(new Error('e'.repeat(400)))).toBe(`Error: ${'e'.repeat(290)}...`);
    expect(describeError(new Error('e'.repeat(400)), 1000)).toBe(`Error: ${'e'.repeat(400)}`);
  });
});

describe('isTransient', () => {
  const ec2Error = (name: string, httpStatusCode: number, fault: 'client' | 'server' = 'client') =>
    new EC2ServiceException({ name, $fault: fault, $metadata: { httpStatusCode }, message: name });

  it.each([
    ['RequestLimitExceeded', 503, true],
    ['InternalError', 500, true],
    ['Unavailable', 503, true],
    ['SomethingNew', 502, true],
    ['UnauthorizedOperation', 403, false],
    ['IncorrectInstanceState', 400, false],
  ])('%s (%d): %s', (name, status, transient) => {
    expect(isTransient(ec2Error(name, status))).toBe(transient);
  });

  it('is true for network errors', () => {
    expect(isTransient(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))).toBe(false);
  });

  it('is false for things that are not SDK errors', () => {
    expect(isTransient('boom')).toBe(false);
    expect(isTransient(null)).toBe(false);
    expect(isTransient(new Error('x'))).toBe(false);
  });
});
