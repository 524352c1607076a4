/**
 * The notifications the operator reads when the kill switch acts (message.ts):
 * every line of every outcome pinned exactly, from the summaries the actions
 * produce, and what they never carry (the message body of an unreadable
 * notification).
 */
import { readEnv } from '../../lambda/kill-switch/env';
import { actionNotification, unreadableNotification } from '../../lambda/kill-switch/message';
import { type Summary } from '../../lambda/kill-switch/summary';
import { decideMessage } from '../../lambda/kill-switch/triggers';

const INSTANCE = 'i-0123456789abcdef0';
const OTHER = 'i-0fedcba9876543210';
const THIRD = 'i-00000000000000abc';
const DISTRIBUTION_ID = 'E1ABCDEFGHIJKL';
const ROLE = 'openclaw-example-prod-host';
const POLICY = 'arn:aws:iam::123456789012:policy/openclaw-example-prod-kill-switch-deny-secrets';
const PARAMETER = '/openclaw/openclaw-example-prod/kill-switch';
const NAMESPACE = 'OpenClaw/openclaw-example-prod';
const AT = '2026-05-20T10:01:03.000Z';
const DENY = `deny policy ${POLICY} (secretsmanager:GetSecretValue and BatchGetSecretValue on *)`;

const env = readEnv({
  CLIENT: 'example',
  ENV: 'prod',
  INSTANCE_IDS: `${INSTANCE},${OTHER}`,
  INSTANCE_REGION: 'eu-west-1',
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:openclaw-example-prod-alerts',
  STATE_PARAMETER: PARAMETER,
  METRIC_NAMESPACE: NAMESPACE,
  TRIGGER_ALARMS: 'openclaw-example-prod-model-spend-daily',
  DISABLE_DISTRIBUTION: 'true',
  DISTRIBUTION_ID,
  DENY_SECRETS: 'true',
  HOST_ROLE_NAME: ROLE,
  DENY_POLICY_ARN: POLICY,
  DRY_RUN: 'false',
});

const budgetTrigger = { source: 'budget', budgetName: 'openclaw-example-prod-monthly', thresholdPercent: 100, alertType: 'ACTUAL' } as const;
const alarmTrigger = { source: 'alarm', alarmName: 'openclaw-example-prod-model-spend-daily' } as const;
const operatorTrigger = { source: 'operator', requestedBy: 'alice@example.com' } as const;

const kill = (over: Partial<Summary> = {}): Summary => ({
  action: 'kill',
  dryRun: false,
  trigger: budgetTrigger,
  reason: 'AWS Budgets: ACTUAL cost of budget openclaw-example-prod-monthly crossed 100% of the budgeted $100.00',
  at: AT,
  instances: [{ id: INSTANCE, before: 'running', result: 'stop-requested' }],
  distribution: { id: DISTRIBUTION_ID, result: 'disabled', attempts: 1 },
  denySecrets: { roleName: ROLE, policyArn: POLICY, result: 'attached' },
  recorded: true,
  metricPublished: true,
  notified: false,
  failures: [],
  ...over,
});

const restore = (over: Partial<Summary> = {}): Summary => ({
  action: 'restore',
  dryRun: false,
  trigger: operatorTrigger,
  reason: 'reviewed: loop fixed, limits raised',
  at: AT,
  instances: [{ id: INSTANCE, before: 'stopped', result: 'start-requested' }],
  distribution: { id: DISTRIBUTION_ID, result: 'enabled', attempts: 1 },
  denySecrets: { roleName: ROLE, policyArn: POLICY, result: 'removed' },
  recorded: true,
  notified: false,
  failures: [],
  ...over,
});

/** The summary without the given (optional) fields, as actions.ts leaves out a step it did not take. */
const without = (s: Summary, ...keys: ('distribution' | 'denySecrets' | 'metricPublished')[]): Summary =>
  Object.fromEntries(Object.entries(s).filter(([k]) => !(keys as string[]).includes(k))) as unknown as Summary;

const RESTORE_TAIL = ['', 'To restore the gateway after review (follow the kill-switch runbook first):', '  npm run restore -- --client example --env prod'];
const RESTORED_TAIL = ['', 'The gateway host boots and reads its secrets again; the gateway-unhealthy alarm clears once it answers.'];

describe('actionNotification: kill', () => {
  it('a complete kill: what was done, by which trigger, and how to restore', () => {
    expect(actionNotification(env, kill())).toEqual({
      subject: '[OpenClaw example/prod] Kill switch: gateway stopped (budget)',
      message: [
        'Kill switch of OpenClaw example/prod: stop the gateway',
        'Trigger: AWS Budgets: budget openclaw-example-prod-monthly at 100% (ACTUAL)',
        'Reason: AWS Budgets: ACTUAL cost of budget openclaw-example-prod-monthly crossed 100% of the budgeted $100.00',
        `At: ${AT}`,
        '',
        'What was done:',
        `- instance ${INSTANCE} (eu-west-1): stop requested (was running)`,
        `- CloudFront distribution ${DISTRIBUTION_ID}: disabled (viewers get an error at the edge; takes a few minutes to deploy)`,
        `- ${DENY}: attached to role ${ROLE}`,
        `- state recorded in SSM parameter ${PARAMETER}`,
        `- metric ${NAMESPACE} KillSwitchExecuted published`,
        ...RESTORE_TAIL,
      ].join('\n'),
    });
  });

  it('names a CloudWatch alarm trigger and an operator trigger with the command they ran', () => {
    const byAlarm = actionNotification(env, kill({ trigger: alarmTrigger, reason: 'CloudWatch alarm openclaw-example-prod-model-spend-daily in ALARM: Threshold Crossed' }));
    expect(byAlarm.subject).toBe('[OpenClaw example/prod] Kill switch: gateway stopped (alarm)');
    expect(byAlarm.message.split('\n').slice(1, 3)).toEqual([
      'Trigger: CloudWatch alarm openclaw-example-prod-model-spend-daily in ALARM',
      'Reason: CloudWatch alarm openclaw-example-prod-model-spend-daily in ALARM: Threshold Crossed',
    ]);
    const byOperator = actionNotification(env, kill({ trigger: operatorTrigger, reason: 'agent loop burning tokens' }));
    expect(byOperator.subject).toBe('[OpenClaw example/prod] Kill switch: gateway stopped (operator)');
    expect(byOperator.message.split('\n')[1]).toBe('Trigger: operator alice@example.com (npm run kill)');
  });

  it('a repeated kill: what was already so, and instances that are gone', () => {
    const s = kill({
      instances: [
        { id: INSTANCE, before: 'stopped', result: 'already-stopped' },
        { id: OTHER, before: 'missing', result: 'missing' },
        { id: THIRD, before: 'terminated', result: 'terminated' },
      ],
      distribution: { id: DISTRIBUTION_ID, result: 'already-disabled', attempts: 1 },
    });
    expect(actionNotification(env, s).message.split('\n').slice(6, 11)).toEqual([
      `- instance ${INSTANCE} (eu-west-1): already stopped, nothing to do`,
      `- instance ${OTHER} (eu-west-1): not found, nothing to do`,
      `- instance ${THIRD} (eu-west-1): terminated, nothing to do`,
      `- CloudFront distribution ${DISTRIBUTION_ID}: already disabled`,
      `- ${DENY}: attached to role ${ROLE}`,
    ]);
  });

  it('an incomplete kill: each failed step with its error, the failures listed, still how to restore', () => {
    const s = kill({
      instances: [
        { id: INSTANCE, before: 'running', result: 'failed', error: 'RequestLimitExceeded: Request limit exceeded. (after 3 attempts)' },
        { id: OTHER, before: 'shutting-down', result: 'terminated' },
      ],
      distribution: { id: DISTRIBUTION_ID, result: 'failed', attempts: 3, error: 'PreconditionFailed: The If-Match version is missing or not valid for the resource.' },
      denySecrets: { roleName: ROLE, policyArn: POLICY, result: 'failed', error: 'LimitExceeded: Cannot exceed quota for PoliciesPerRole: 10' },
      recorded: false,
      metricPublished: false,
      failures: [
        `instance ${INSTANCE}: RequestLimitExceeded: Request limit exceeded. (after 3 attempts)`,
        `distribution ${DISTRIBUTION_ID}: PreconditionFailed: The If-Match version is missing or not valid for the resource.`,
        `deny policy ${POLICY} on role ${ROLE}: LimitExceeded: Cannot exceed quota for PoliciesPerRole: 10`,
        `record state in ${PARAMETER}: AccessDeniedException: not authorized`,
        'metric KillSwitchExecuted: Error: throttled',
      ],
    });
    expect(actionNotification(env, s)).toEqual({
      subject: '[OpenClaw example/prod] Kill switch kill INCOMPLETE: 5 step(s) failed',
      message: [
        'Kill switch of OpenClaw example/prod: stop the gateway',
        'Trigger: AWS Budgets: budget openclaw-example-prod-monthly at 100% (ACTUAL)',
        'Reason: AWS Budgets: ACTUAL cost of budget openclaw-example-prod-monthly crossed 100% of the budgeted $100.00',
        `At: ${AT}`,
        '',
        'What was done:',
        `- instance ${INSTANCE} (eu-west-1): FAILED: RequestLimitExceeded: Request limit exceeded. (after 3 attempts)`,
        `- instance ${OTHER} (eu-west-1): shutting-down, nothing to do`,
        `- CloudFront distribution ${DISTRIBUTION_ID}: FAILED: PreconditionFailed: The If-Match version is missing or not valid for the resource.`,
        `- ${DENY} on role ${ROLE}: FAILED: LimitExceeded: Cannot exceed quota for PoliciesPerRole: 10`,
        `- state NOT recorded in SSM parameter ${PARAMETER}`,
        '- metric KillSwitchExecuted NOT published',
        '',
        'FAILED steps (every step was attempted; the invocation fails, so a triggered kill is retried by Lambda and then lands in the dead-letter queue):',
        `- instance ${INSTANCE}: RequestLimitExceeded: Request limit exceeded. (after 3 attempts)`,
        `- distribution ${DISTRIBUTION_ID}: PreconditionFailed: The If-Match version is missing or not valid for the resource.`,
        `- deny policy ${POLICY} on role ${ROLE}: LimitExceeded: Cannot exceed quota for PoliciesPerRole: 10`,
        `- record state in ${PARAMETER}: AccessDeniedException: not authorized`,
        '- metric KillSwitchExecuted: Error: throttled',
        ...RESTORE_TAIL,
      ].join('\n'),
    });
  });

  it('a failed instance step whose outcome carries no error text reads "unknown error", never "undefined"', () => {
    // A failed distribution or deny-policy outcome always carries its error (DistributionOutcome, DenyOutcome types).
    const s = kill({
      instances: [{ id: INSTANCE, before: 'running', result: 'failed' }],
      failures: [`instance ${INSTANCE}: failed`],
    });
    expect(actionNotification(env, s).message.split('\n')[6]).toBe(`- instance ${INSTANCE} (eu-west-1): FAILED: unknown error`);
  });

  it('without the distribution and deny steps (DISABLE_DISTRIBUTION=false, DENY_SECRETS=false): only the steps taken', () => {
    expect(actionNotification(env, without(kill(), 'distribution', 'denySecrets')).message.split('\n').slice(5, 9)).toEqual([
      'What was done:',
      `- instance ${INSTANCE} (eu-west-1): stop requested (was running)`,
      `- state recorded in SSM parameter ${PARAMETER}`,
      `- metric ${NAMESPACE} KillSwitchExecuted published`,
    ]);
  });

  it('a dry run: what would be done, nothing recorded or counted, no restore command', () => {
    const s = without(kill({
      dryRun: true,
      instances: [{ id: INSTANCE, before: 'running', result: 'would-stop' }],
      distribution: { id: DISTRIBUTION_ID, result: 'would-disable', attempts: 1 },
      denySecrets: { roleName: ROLE, policyArn: POLICY, result: 'would-attach' },
      recorded: false,
    }), 'metricPublished');
    expect(actionNotification(env, s)).toEqual({
      subject: 'DRY RUN: [OpenClaw example/prod] kill switch would stop the gateway',
      message: [
        'DRY RUN: nothing was changed. This is what the kill switch would do.',
        '',
        'Kill switch of OpenClaw example/prod: stop the gateway (dry run)',
        'Trigger: AWS Budgets: budget openclaw-example-prod-monthly at 100% (ACTUAL)',
        'Reason: AWS Budgets: ACTUAL cost of budget openclaw-example-prod-monthly crossed 100% of the budgeted $100.00',
        `At: ${AT}`,
        '',
        'What would be done:',
        `- DRY RUN: would stop instance ${INSTANCE} (eu-west-1) (now running)`,
        `- DRY RUN: would disable CloudFront distribution ${DISTRIBUTION_ID}`,
        `- DRY RUN: would attach ${DENY} to role ${ROLE}`,
        `- DRY RUN: would record the state in SSM parameter ${PARAMETER}`,
      ].join('\n'),
    });
  });
});

describe('actionNotification: restore', () => {
  it('a complete restore: what was done and what the operator sees next, no restore command', () => {
    expect(actionNotification(env, restore())).toEqual({
      subject: '[OpenClaw example/prod] Kill switch: gateway restored',
      message: [
        'Kill switch of OpenClaw example/prod: restore the gateway',
        'Trigger: operator alice@example.com (npm run restore)',
        'Reason: reviewed: loop fixed, limits raised',
        `At: ${AT}`,
        '',
        'What was done:',
        `- instance ${INSTANCE} (eu-west-1): start requested (was stopped)`,
        `- CloudFront distribution ${DISTRIBUTION_ID}: enabled again (takes a few minutes to deploy)`,
        `- ${DENY}: detached from role ${ROLE}`,
        `- state recorded in SSM parameter ${PARAMETER}`,
        ...RESTORED_TAIL,
      ].join('\n'),
    });
  });

  it('a repeated restore: what was already so', () => {
    const s = restore({
      instances: [{ id: INSTANCE, before: 'running', result: 'already-running' }],
      distribution: { id: DISTRIBUTION_ID, result: 'already-enabled', attempts: 1 },
      denySecrets: { roleName: ROLE, policyArn: POLICY, result: 'not-attached' },
    });
    expect(actionNotification(env, s).message.split('\n').slice(6, 9)).toEqual([
      `- instance ${INSTANCE} (eu-west-1): already running, nothing to do`,
      `- CloudFront distribution ${DISTRIBUTION_ID}: already enabled`,
      `- ${DENY}: was not attached to role ${ROLE}, nothing to detach`,
    ]);
  });

  it('an incomplete restore (an instance still stopping): INCOMPLETE, the failure listed, and no promise that the host boots', () => {
    const error = 'the instance is still stopping: run restore again in a minute';
    const s = restore({ instances: [{ id: INSTANCE, before: 'stopping', result: 'still-stopping', error }], failures: [`instance ${INSTANCE}: ${error}`] });
    expect(actionNotification(env, s)).toEqual({
      subject: '[OpenClaw example/prod] Kill switch restore INCOMPLETE: 1 step(s) failed',
      message: [
        'Kill switch of OpenClaw example/prod: restore the gateway',
        'Trigger: operator alice@example.com (npm run restore)',
        'Reason: reviewed: loop fixed, limits raised',
        `At: ${AT}`,
        '',
        'What was done:',
        `- instance ${INSTANCE} (eu-west-1): FAILED: ${error}`,
        `- CloudFront distribution ${DISTRIBUTION_ID}: enabled again (takes a few minutes to deploy)`,
        `- ${DENY}: detached from role ${ROLE}`,
        `- state recorded in SSM parameter ${PARAMETER}`,
        '',
        'FAILED steps (every step was attempted; the invocation fails, so a triggered kill is retried by Lambda and then lands in the dead-letter queue):',
        `- instance ${INSTANCE}: ${error}`,
      ].join('\n'),
    });
  });

  it('a dry run: what would be done, and neither the restore command nor the "boots" line', () => {
    const s = restore({
      dryRun: true,
      instances: [{ id: INSTANCE, before: 'stopped', result: 'would-start' }],
      distribution: { id: DISTRIBUTION_ID, result: 'would-enable', attempts: 1 },
      denySecrets: { roleName: ROLE, policyArn: POLICY, result: 'would-remove' },
      recorded: false,
    });
    expect(actionNotification(env, s)).toEqual({
      subject: 'DRY RUN: [OpenClaw example/prod] kill switch would restore the gateway',
      message: [
        'DRY RUN: nothing was changed. This is what the kill switch would do.',
        '',
        'Kill switch of OpenClaw example/prod: restore the gateway (dry run)',
        'Trigger: operator alice@example.com (npm run restore)',
        'Reason: reviewed: loop fixed, limits raised',
        `At: ${AT}`,
        '',
        'What would be done:',
        `- DRY RUN: would start instance ${INSTANCE} (eu-west-1) (now stopped)`,
        `- DRY RUN: would enable CloudFront distribution ${DISTRIBUTION_ID}`,
        `- DRY RUN: would detach ${DENY} from role ${ROLE}`,
        `- DRY RUN: would record the state in SSM parameter ${PARAMETER}`,
      ].join('\n'),
    });
  });
});

describe('unreadableNotification', () => {
  it('says nothing was done, names the message by its id and problem, never quotes its body', () => {
    const body = 'AWS Budget Notification May 20, 2026\nAWS Account 123456789012\n\nDear AWS Customer,\nBudget Name: openclaw-example-prod-monthly\nAlert Type: ACTUAL\n';
    const decision = decideMessage(body, [], { messageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e' });
    if (decision.kind !== 'ignore') throw new Error(`expected an ignore decision, got ${decision.kind}`);
    const notification = unreadableNotification(env, decision.ignored, AT);
    expect(notification).toEqual({
      subject: '[OpenClaw example/prod] Kill switch: unreadable shutdown message, nothing done',
      message: [
        'The kill switch of OpenClaw example/prod received a message on its shutdown topic that it could not read, and did nothing.',
        `At: ${AT}`,
        '- messageId: 95df01b4-ee98-5cb9-9903-4c221d41eb5e',
        '- shape: budget',
        '- budgetName: openclaw-example-prod-monthly',
        '- problem: no "Alert Threshold:" line',
        '',
        'If it was an AWS Budgets notification, its format may have changed: check the budgets of this deployment,',
        'and stop the gateway by hand (npm run kill) if spend crossed its limit. Then fix lambda/kill-switch/budget-message.ts.',
      ].join('\n'),
    });
    expect(notification.message).not.toContain('Dear AWS Customer');
    expect(notification.message).not.toContain('123456789012');
  });
});
