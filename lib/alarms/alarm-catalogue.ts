/**
 * The alarms of a deployment: few, high signal, each with a runbook section
 * in docs/runbooks.md (`## <id>`) and a description that says what fired and
 * what the responder does first. Every alarm notifies the alert topic of its
 * region (test/app/alarms.test.ts checks all three for every alarm in every
 * template).
 */
import { CHANNELS_DOWN_METRIC, DISK_HEADROOM_METRIC, EGRESS_BLOCKED_METRIC, EGRESS_HEALTH_METRIC, MEMORY_HEADROOM_METRIC } from '../shared/metric-names';

export interface AlarmSpec {
  /** Alarm name suffix (`<prefix>-<client>-<env>-<id>`). */
  readonly id: string;
  /** The runbook section (`## <runbook>`); several alarms of one kind share one. */
  readonly runbook: string;
  /** What fired, in one sentence. */
  readonly fired: string;
  /** What the responder does first, in one sentence. */
  readonly firstAction: string;
}

const spec = (id: string, fired: string, firstAction: string, runbook = id): AlarmSpec => ({ id, runbook, fired, firstAction });

/**
 * Refused outbound attempts in 5 minutes that raise egress-blocked. Nothing the host runs
 * reaches a name off the allowlist in normal work (every program is configured for the
 * proxy and the allowlisted names), so a quiet deployment counts 0; one agent that follows
 * a link to a site off the list makes a few attempts (a retry, IPv4 and IPv6), under 10;
 * ten or more in 5 minutes is something trying again and again: a prompt-injected agent,
 * a tool with hard-coded addresses, or an allowlist missing a name a skill needs.
 */
export const EGRESS_BLOCKED_BURST = 10;
/** Minutes over which EGRESS_BLOCKED_BURST is summed. */
export const EGRESS_BLOCKED_MINUTES = 5;

/**
 * Free share (percent) of disk (space or inodes, on the state volume or the log folder) and of
 * the host's memory below which the health check fails and publishes DiskHeadroom or
 * MemoryHeadroom (only then): at 10 % of the 16 GiB root volume about 1.6 GiB is left, hours of
 * logs even in a flood (nginx rotates by size every minute); at 10 % of the memory the kernel is
 * about to reclaim hard.
 */
export const HEADROOM_MIN_PERCENT = 10;
/**
 * The window of the problem alarms (disk-low, memory-low, channel-down), minutes. Their metrics
 * are published only in the minutes with a problem, and the health check runs about once a
 * minute but not on the minute, so a clock minute can have no datapoint while the problem
 * lasts: the alarms count the minutes reported in a window (SampleCount) instead of asking for
 * every minute in a row, which a missing minute would break (and flap).
 */
export const PROBLEM_WINDOW_MINUTES = 5;
/** Minutes with the problem reported, of a window, that make it a lasting problem (not one slow minute). */
export const PROBLEM_MINUTES_OF_WINDOW = 3;
/**
 * Windows in a row for channel-down: 10 minutes, longer than OpenClaw's own channel-connect grace
 * (2 minutes) and its crash-loop breaker's 5-minute window, so a restart or a breaker that clears
 * by itself does not page; a channel down for longer is an outage.
 */
export const CHANNEL_DOWN_WINDOWS = 2;

/** The thresholds of the spend circuit breaker, in percent of a limit: the last one stops the gateway. */
export const SPEND_THRESHOLDS = [50, 75, 90, 100] as const;
export type SpendThreshold = (typeof SPEND_THRESHOLDS)[number];

/** The alarm of one model-spend threshold (daily or monthly limit of spend.modelDailyLimitUsd / modelMonthlyLimitUsd). */
export function modelSpendAlarm(period: 'daily' | 'monthly', pct: SpendThreshold): AlarmSpec {
  const limit = period === 'daily' ? 'spend.modelDailyLimitUsd (today, UTC)' : 'spend.modelMonthlyLimitUsd (this month, UTC)';
  if (pct === 100) {
    return spec(
      `model-spend-${period}-limit`,
      `Model API spend metered on the host reached 100 % of ${limit}: the kill switch is stopping the gateway.`,
      'Confirm the kill-switch-executed notification, then find what spent (the ModelSpend metrics by Model) before any restore.',
      'model-spend-limit',
    );
  }
  return spec(
    `model-spend-${period}-${pct}`,
    `Model API spend metered on the host passed ${pct} % of ${limit}.`,
    'Check which agent and model spend (ModelSpend metrics by Model, the gateway log); raise the limit in config or slow the agents before 100 % stops the gateway.',
    'model-spend-warning',
  );
}

/**
 * The alarm of one gateway's breaker (openclaw.agents.<id>.breaker): the spend meter stopped
 * that gateway only, for its model spend, its tool calls or its refused egress.
 */
export function agentBreakerAlarm(gatewayId: string): AlarmSpec {
  return spec(
    `agent-breaker-${gatewayId}`,
    `The breaker of gateway ${gatewayId} tripped: the spend meter stopped openclaw-gateway@${gatewayId}.service (its model spend, tool calls or refused egress crossed its openclaw.agents limits); the other gateways keep serving.`,
    `Read the reason and figures in /var/lib/openclaw-meter/breaker/${gatewayId}.tripped (or the meter's BREAKER line in journalctl -u openclaw-spend-meter), find what the agent did, then restore with npm run restore -- --agent ${gatewayId} or raise its limit.`,
    'agent-breaker',
  );
}

export const ALARMS = {
  bootPreflightFailed: spec(
    'boot-preflight-failed',
    'The gateway host could not get an IMDSv2 token or its role credentials at boot, so the gateway did not start.',
    'Run journalctl -u openclaw-imds-preflight through Session Manager and read the FAILED line: it names the step.',
  ),
  secretRetrievalFailed: spec(
    'secret-retrieval-failed',
    'The host could not read its secrets from Secrets Manager (at boot or on refresh); at boot the gateway stays stopped.',
    'Run journalctl -u openclaw-secrets -u openclaw-secrets-refresh and read the FAILED line: it names the secret and the probable cause.',
  ),
  gatewayUnhealthy: spec(
    'gateway-unhealthy',
    'For 10 minutes a gateway or nginx has not answered on loopback, or a gateway has failed its probe (users cannot open a session, or wait over 2 s to connect, twice in a row: a full or broken state disk, a saturated or frozen gateway), or the host stopped reporting.',
    'Check the instance state, then journalctl -u openclaw-health -u openclaw-gateway -u nginx for the FAILED line (Gateway, Proxy or Usable).',
  ),
  egressUnhealthy: spec(
    'egress-unhealthy',
    `The gateway host has reported no successful HTTPS request through its egress proxy and the NAT for 10 minutes (${EGRESS_HEALTH_METRIC} missing): the proxy, the NAT, its route or the DNS Firewall is failing, or the host is down.`,
    'Check the NAT instance (state, status checks, console output for nat-setup: FAILED), then journalctl -u openclaw-health on the gateway host for the FAILED Egress line.',
  ),
  egressBlocked: spec(
    'egress-blocked',
    `The gateway host refused at least ${EGRESS_BLOCKED_BURST} outbound attempts in ${EGRESS_BLOCKED_MINUTES} minutes (${EGRESS_BLOCKED_METRIC}: the egress proxy's TCP_DENIED lines plus connections that skipped the proxy): an agent, a prompt injection or a tool is trying to reach somewhere off the allowlist, or the allowlist misses a name.`,
    'Run the runbook\'s Logs Insights query on the egress-proxy log group for the refused hosts, then decide: stop the gateway if it is not a name you expect.',
  ),
  agentFilesIntegrity: spec(
    'agent-files-integrity',
    'An agent file (SOUL.md, AGENTS.md, ...) on the host is writable or no longer matches the manifest deployed with it.',
    'Treat it as a compromise: isolate the host (stop the gateway), keep the volume for forensics, and redeploy from config.',
  ),
  wafBlocksSpike: spec(
    'waf-blocks-spike',
    'WAF blocked at least alerts.thresholds.wafBlockedRequests requests in 5 minutes.',
    'Read the WAF logs in the audit bucket for the rule and source addresses; tighten the rate limit or IP allowlist if it is an attack.',
  ),
  channelDown: spec(
    'channel-down',
    `A channel of an agent (Telegram, Slack, ...) has not been running in at least ${PROBLEM_MINUTES_OF_WINDOW} of every ${PROBLEM_WINDOW_MINUTES} minutes for ${CHANNEL_DOWN_WINDOWS * PROBLEM_WINDOW_MINUTES} minutes (${CHANNELS_DOWN_METRIC}): stopped, or suppressed by OpenClaw's crash-loop breaker after repeated unclean restarts; users on that channel get no answers.`,
    'Read the FAILED Channel line of journalctl -u openclaw-health (gateway, channel, state, reason), then the gateway\'s journal for why it stopped.',
  ),
  diskLow: spec(
    'disk-low',
    `Less than ${HEADROOM_MIN_PERCENT} % of the space or inodes of the gateway host's state volume or log folder has been free in at least ${PROBLEM_MINUTES_OF_WINDOW} of ${PROBLEM_WINDOW_MINUTES} minutes (${DISK_HEADROOM_METRIC}): new sessions, paired devices and logs fail when it fills, while /healthz still answers.`,
    'Run df -h and df -i on the host (SSM), find what grows (du -xsh /var/log/* /var/lib/openclaw/*), then free space or grow the volume (instance.stateVolume.sizeGiB).',
  ),
  memoryLow: spec(
    'memory-low',
    `Less than ${HEADROOM_MIN_PERCENT} % of the gateway host's memory has been available in at least ${PROBLEM_MINUTES_OF_WINDOW} of ${PROBLEM_WINDOW_MINUTES} minutes (${MEMORY_HEADROOM_METRIC}): the host is about to reclaim hard; a single gateway at its own MemoryMax is killed by its cgroup without this alarm, and its restart shows as gateway-unhealthy or channel-down.`,
    'Run systemctl status openclaw-gateway@* (memory of each) on the host; restart the gateway that grows, or choose a larger instance.instanceType.',
  ),
  proxyAuthFailures: spec(
    'proxy-auth-failures',
    'nginx or the gateway refused at least alerts.thresholds.proxyAuthFailures unauthenticated requests (401/403) in 5 minutes.',
    'Read the nginx-access log group for the viewer addresses; if it is token guessing, block them in WAF and rotate the gateway token.',
  ),
  secretPolicyChanged: spec(
    'secret-policy-changed',
    'CloudTrail recorded a change to a secret\'s resource policy, value or key, rotation or existence (PutResourcePolicy, DeleteResourcePolicy, UpdateSecret, DeleteSecret, RestoreSecret, CancelRotateSecret).',
    'Find the event in CloudTrail (who, from where); if it was not a deploy or the break-glass role, revoke that principal\'s sessions and restore the policy by deploying.',
  ),
  kmsKeyChanged: spec(
    'kms-key-changed',
    'CloudTrail recorded a change to a KMS key that could lock data away or open it (DisableKey, ScheduleKeyDeletion, PutKeyPolicy, DisableKeyRotation).',
    'Find the event in CloudTrail; cancel a scheduled deletion (aws kms cancel-key-deletion) and re-enable the key at once, then investigate the principal.',
  ),
  instanceRecovered: spec(
    'instance-recovered',
    'The gateway host failed its system status check twice; EC2 is recovering it onto healthy hardware (same instance ID).',
    'Wait for the gateway-unhealthy alarm to clear; if it does not within 15 minutes, check the instance in the EC2 console.',
  ),
  spendMeterSilent: spec(
    'spend-meter-silent',
    'The host\'s model-spend meter has published nothing for 15 minutes: the fast spend breaker is blind (the host is stopped, or the meter fails).',
    'If the kill switch stopped the host, this is expected; otherwise run journalctl -u openclaw-spend-meter on the host and read its last line.',
  ),
  killSwitchExecuted: spec(
    'kill-switch-executed',
    'The kill switch ran: the gateway instance is stopped (and, as configured, CloudFront disabled and the host denied its secrets).',
    'Read the kill switch notification (what triggered it and what it did), find the spend, and restore only after review: npm run restore.',
  ),
  killSwitchFailed: spec(
    'kill-switch-failed',
    'The kill switch failed (an error, or a signal that reached its dead-letter queue): the gateway may still be running while spend is over the limit.',
    'Stop the gateway instance by hand now (aws ec2 stop-instances), then read the kill switch log group and the dead-letter queue.',
  ),
  instanceRebooted: spec(
    'instance-rebooted',
    'The gateway host failed its instance status check for 3 minutes; EC2 rebooted it.',
    'Check journalctl -b -1 for what hung the host (memory, disk); repeated reboots need a larger instance.type or a fix.',
  ),
  controlsDrifted: spec(
    'controls-drifted',
    'The daily drift check found at least one control that no longer holds on the live deployment (ControlsDrifted >= 1), or it did not report for a day.',
    'Run npm run verify -- --client <c> --env <e> to see which control, resource and evidence; the ControlDrifted metric by Control names it too.',
  ),
} as const satisfies Record<string, AlarmSpec>;

/** `<prefix>-<client>-<env>-<id>`: the alarm name, also what the alert topic's policy admits (`<name>-*`). */
export const alarmName = (deploymentName: string, alarm: AlarmSpec) => `${deploymentName}-${alarm.id}`;

/** Where the runbook of an alarm is. */
export const RUNBOOKS_FILE = 'docs/runbooks.md';

/** The alarm description: what fired, what to do first, where the runbook is (at most 1024 characters). */
export function alarmDescription(alarm: AlarmSpec): string {
  const text = `${alarm.fired} First: ${alarm.firstAction} Runbook: ${RUNBOOKS_FILE}#${alarm.runbook}`;
  if (text.length > 1024) throw new Error(`alarm ${alarm.id}: description over CloudWatch's 1024 characters`);
  return text;
}
