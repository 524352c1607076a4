/**
 * Every custom metric of a deployment, by name, defined once. All of them go to
 * the deployment's host namespace (hostMetricNamespace in ./naming.ts:
 * `OpenClaw/<name>`). The renderers (systemd-units.ts fills @@HEALTH_METRIC@@,
 * @@EGRESS_METRIC@@ and @@SECRET_METRIC@@; the secrets manifest carries
 * SECRET_RETRIEVAL_METRIC to the retrieval program), the nginx metric filter and
 * every consumer (the alarms, the alarm catalogue, the cost estimate) import the
 * names from here, so a name cannot differ between the side that publishes it
 * and the side that watches it.
 *
 * Deployed code that an import would change byte for byte (and so replace every
 * host, or every kill switch function) keeps its own spelling: the literal names
 * of host/scripts/*.sh, DEFAULT_METRIC_NAME of host/fetch-secrets/failure.ts,
 * MODEL_SPEND_*_METRIC of lib/host/spend-meter.ts (bundled into spend-meter.js)
 * and METRIC_NAME of lambda/kill-switch/metric.ts (Lambda code imports nothing
 * from lib/). test/shared/metric-names.test.ts pins every one of them to this
 * module.
 *
 * Pure constants, no imports.
 */

/**
 * 1 (unit Count) when a boot step of the host failed, published twice per failure:
 * with dimension Step=<what failed> and without dimensions (what the alarm watches).
 * By host/scripts/imds-preflight.sh, attach-state-volume.sh and install-bundle.sh.
 */
export const BOOT_PREFLIGHT_FAILED_METRIC = 'BootPreflightFailed';

/**
 * 1 (unit Count) when the host could not read or write its secrets, with dimension
 * Reason=<cause> and without dimensions. By host/fetch-secrets/ (the name reaches it
 * through the secrets manifest, lib/secrets/secrets-manifest.ts).
 */
export const SECRET_RETRIEVAL_METRIC = 'SecretRetrievalFailed';

/**
 * Every minute, without dimensions (what the GatewayUnhealthy alarm watches): 1 when every
 * gateway (but one its spend breaker stopped) answers on loopback and nginx listens, 0 when
 * not; and per gateway probed with dimension Gateway=<id>: 1 or 0. By
 * host/scripts/check-gateway-health.sh (@@HEALTH_METRIC@@).
 */
export const GATEWAY_HEALTH_METRIC = 'GatewayHealthy';

/**
 * Every minute, no dimensions, always 1: published only when an HTTPS request from the
 * host (through the NAT and the DNS Firewall) to its region's STS endpoint got an answer;
 * a host without egress cannot publish at all, so its alarm treats missing data as
 * breaching. By host/scripts/check-gateway-health.sh (@@EGRESS_METRIC@@).
 */
export const EGRESS_HEALTH_METRIC = 'EgressHealthy';

/**
 * No dimensions, unit Percent, only in the minutes it is under the minimum (HEADROOM_MIN_PERCENT):
 * the lowest free share, space or inodes, of the state volume and the log folder. By
 * host/scripts/check-gateway-health.sh (@@DISK_METRIC@@).
 */
export const DISK_HEADROOM_METRIC = 'DiskHeadroom';

/**
 * No dimensions, unit Percent, only in the minutes it is under the minimum (HEADROOM_MIN_PERCENT):
 * MemAvailable in percent of MemTotal. By host/scripts/check-gateway-health.sh (@@MEMORY_METRIC@@).
 */
export const MEMORY_HEADROOM_METRIC = 'MemoryHeadroom';

/**
 * No dimensions, unit Count, only in the minutes it is not 0: the channel accounts of the probed
 * gateways that are not running (stopped, suppressed by OpenClaw's crash-loop breaker, missing).
 * By host/scripts/check-gateway-health.sh (@@CHANNELS_DOWN_METRIC@@).
 */
export const CHANNELS_DOWN_METRIC = 'ChannelsDown';

/**
 * No dimensions, unit None: 0 when the check (at boot and every 15 minutes) finds an agent file
 * writable or different from its manifest; nothing when all is well (its alarm reads a missing
 * period as fine). By host/scripts/check-agent-files.sh.
 */
export const AGENT_FILES_INTEGRITY_METRIC = 'AgentFilesIntegrity';

/**
 * 1 per request nginx or the gateway refused with 401 or 403 (0 otherwise), counted by
 * the metric filter on the nginx access log group (lib/alarms/gateway-alarms.ts).
 */
export const PROXY_AUTH_FAILURES_METRIC = 'ProxyAuthFailures';

/**
 * Every minute, no dimensions, unit None: the model spend of the current UTC day in
 * US dollars. By host/spend-meter/ (publish.ts).
 */
export const MODEL_SPEND_TODAY_METRIC = 'ModelSpendTodayUsd';

/**
 * Every minute, unit None: the model spend of the current UTC month in US dollars,
 * without dimensions (what the spend alarms watch) and per model with dimension
 * Model=<provider>/<model> (for diagnosis). By host/spend-meter/ (publish.ts).
 */
export const MODEL_SPEND_MONTH_METRIC = 'ModelSpendMonthUsd';

/**
 * Every minute, per gateway, dimension Gateway=<id>, unit Count: 1 while that gateway's
 * breaker marker is there (the spend meter stopped it), 0 otherwise. By the spend meter
 * (host/spend-meter/breaker.ts; its own copy: AGENT_BREAKER_TRIPPED_METRIC of
 * lib/host/spend-meter.ts). One alarm per gateway (lib/alarms/breaker-alarms.ts).
 */
export const AGENT_BREAKER_TRIPPED_METRIC = 'AgentBreakerTripped';

/**
 * 1 (unit Count), no dimensions, when the kill switch stopped the gateway (not in a
 * dry run). By lambda/kill-switch/ (metric.ts).
 */
export const KILL_SWITCH_METRIC = 'KillSwitchExecuted';

/**
 * Outbound connection attempts the host refused, unit Count, no dimensions, published
 * only when there were some (a quiet month reports nothing). Two publishers, one series,
 * so one alarm (egress-blocked) watches both:
 *   - the metric filter on the egress proxy's access log group: 1 per TCP_DENIED line
 *     (lib/alarms/egress-alarms.ts);
 *   - host/scripts/check-gateway-health.sh (literal name): the increase, since its last
 *     run, of the nftables counter egress_blocked (connections that skipped the proxy).
 */
export const EGRESS_BLOCKED_METRIC = 'EgressBlocked';

/** Every name above, in the order defined. */
export const METRIC_NAMES = [
  BOOT_PREFLIGHT_FAILED_METRIC,
  SECRET_RETRIEVAL_METRIC,
  GATEWAY_HEALTH_METRIC,
  EGRESS_HEALTH_METRIC,
  DISK_HEADROOM_METRIC,
  MEMORY_HEADROOM_METRIC,
  CHANNELS_DOWN_METRIC,
  AGENT_FILES_INTEGRITY_METRIC,
  PROXY_AUTH_FAILURES_METRIC,
  MODEL_SPEND_TODAY_METRIC,
  MODEL_SPEND_MONTH_METRIC,
  KILL_SWITCH_METRIC,
  EGRESS_BLOCKED_METRIC,
  AGENT_BREAKER_TRIPPED_METRIC,
] as const;
