import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_METRIC_NAME } from '../../host/fetch-secrets/failure';
import { AGENT_BREAKER_TRIPPED_METRIC as METER_BREAKER_METRIC, MODEL_SPEND_MONTH_METRIC as METER_MONTH_METRIC, MODEL_SPEND_TODAY_METRIC as METER_TODAY_METRIC } from '../../lib/host/spend-meter';
import { renderRuntimeFiles } from '../../lib/host/runtime-files';
import { HOST_SOURCE_DIR } from '../../lib/host/template';
import { renderSecretsManifest } from '../../lib/secrets/secrets-manifest';
import {
  AGENT_BREAKER_TRIPPED_METRIC,
  AGENT_FILES_INTEGRITY_METRIC,
  BOOT_PREFLIGHT_FAILED_METRIC,
  CHANNELS_DOWN_METRIC,
  DISK_HEADROOM_METRIC,
  EGRESS_BLOCKED_METRIC,
  EGRESS_HEALTH_METRIC,
  GATEWAY_HEALTH_METRIC,
  KILL_SWITCH_METRIC,
  MEMORY_HEADROOM_METRIC,
  METRIC_NAMES,
  MODEL_SPEND_MONTH_METRIC,
  MODEL_SPEND_TODAY_METRIC,
  PROXY_AUTH_FAILURES_METRIC,
  SECRET_RETRIEVAL_METRIC,
} from '../../lib/shared/metric-names';
import { METRIC_NAME as LAMBDA_KILL_SWITCH_METRIC } from '../../lambda/kill-switch/metric';
import { exampleConfig } from '../host/support/host-tools';
import { CONFIG_DIR } from '../support/config-fixture';

// The metric names are defined once (lib/shared/metric-names.ts). Deployed code that
// cannot import them without changing its bytes (the host scripts, the bundled host
// programs, the kill switch Lambda) keeps its own spelling; these tests pin each copy
// to the module, so a publisher and the alarm that watches it cannot drift apart.

/** Every metric name a `put-metric-data` call of a shell text names (literal or @@placeholder@@). */
const publishedNames = (text: string): string[] =>
  [...text.matchAll(/--metric-name\s+([^\s\\]+)|MetricName=([^,"\s]+)/g)].map((m) => (m[1] ?? m[2])!);

const scriptSources = (): Record<string, string> => {
  const dir = path.join(HOST_SOURCE_DIR, 'scripts');
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith('.sh')).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
};

test('the full list of metric names, in order', () => {
  expect(METRIC_NAMES).toEqual([
    'BootPreflightFailed',
    'SecretRetrievalFailed',
    'GatewayHealthy',
    'EgressHealthy',
    'DiskHeadroom',
    'MemoryHeadroom',
    'ChannelsDown',
    'AgentFilesIntegrity',
    'ProxyAuthFailures',
    'ModelSpendTodayUsd',
    'ModelSpendMonthUsd',
    'KillSwitchExecuted',
    'EgressBlocked',
    'AgentBreakerTripped',
  ]);
  expect([
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
  ]).toEqual(METRIC_NAMES);
  expect(new Set(METRIC_NAMES).size).toBe(METRIC_NAMES.length);
});

test('every literal metric name the host scripts publish is defined; the others are placeholders the renderer fills', () => {
  const byScript = Object.entries(scriptSources())
    .map(([file, text]) => [file, publishedNames(text)] as const)
    .filter(([, names]) => names.length > 0);
  expect(Object.fromEntries(byScript)).toEqual({
    'attach-state-volume.sh': [BOOT_PREFLIGHT_FAILED_METRIC, BOOT_PREFLIGHT_FAILED_METRIC],
    'check-agent-files.sh': [AGENT_FILES_INTEGRITY_METRIC],
    'check-gateway-health.sh': ['@@HEALTH_METRIC@@', '@@HEALTH_METRIC@@', '@@HEALTH_METRIC@@', '@@DISK_METRIC@@', '@@MEMORY_METRIC@@', '@@CHANNELS_DOWN_METRIC@@', '@@EGRESS_METRIC@@', EGRESS_BLOCKED_METRIC],
    'imds-preflight.sh': [BOOT_PREFLIGHT_FAILED_METRIC, BOOT_PREFLIGHT_FAILED_METRIC],
    'install-bundle.sh': [BOOT_PREFLIGHT_FAILED_METRIC],
  });
  const literals = byScript.flatMap(([, names]) => names).filter((n) => !n.startsWith('@@'));
  for (const name of literals) expect(METRIC_NAMES).toContain(name);
});

test('the rendered host files publish only defined names (placeholders filled from the module)', () => {
  const files = renderRuntimeFiles(exampleConfig(), CONFIG_DIR);
  const names = new Set(Object.values(files).flatMap(publishedNames));
  expect([...names].sort()).toEqual([AGENT_FILES_INTEGRITY_METRIC, BOOT_PREFLIGHT_FAILED_METRIC, DISK_HEADROOM_METRIC, EGRESS_BLOCKED_METRIC, EGRESS_HEALTH_METRIC, GATEWAY_HEALTH_METRIC, MEMORY_HEADROOM_METRIC, CHANNELS_DOWN_METRIC].sort());
  for (const name of names) expect(METRIC_NAMES).toContain(name);
});

test('the deployed programs\' own copies equal the module', () => {
  expect(renderSecretsManifest(exampleConfig()).metricName).toBe(SECRET_RETRIEVAL_METRIC);
  expect(DEFAULT_METRIC_NAME).toBe(SECRET_RETRIEVAL_METRIC);
  expect([METER_TODAY_METRIC, METER_MONTH_METRIC, METER_BREAKER_METRIC]).toEqual([MODEL_SPEND_TODAY_METRIC, MODEL_SPEND_MONTH_METRIC, AGENT_BREAKER_TRIPPED_METRIC]);
  expect(LAMBDA_KILL_SWITCH_METRIC).toBe(KILL_SWITCH_METRIC);
});
