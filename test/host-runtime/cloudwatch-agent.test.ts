import { agentGateways } from '../../lib/openclaw/gateways';
import * as path from 'path';
import { deploymentName, hostLogGroupPrefix } from '../../lib/shared/naming';
import { HOST_PATHS } from '../../lib/host/paths';
import { NGINX_CONF_PATH } from '../../lib/host/render';
import {
  CLOUDWATCH_AGENT_BUNDLE_PATH,
  CLOUDWATCH_AGENT_FLUSH_SECONDS,
  HOST_LOG_GROUPS,
  JOURNAL_EXPORT_FILE,
  renderCloudWatchAgentConfig,
} from '../../lib/host/cloudwatch-agent';
import { assembleBundleFiles } from '../../lib/host/runtime-files';
import { HEALTH_UNIT, LOG_EXPORT_UNIT, journalExportUnits } from '../../lib/host/unit-names';
import { renderEgressProxyConfig } from '../../lib/host/egress-proxy';
import { parseUnit, unitList, unitValue } from '../../lib/host/unit-file';
import { allConfigs, exampleConfig } from '../host/support/host-tools';
import { CONFIG_DIR } from '../support/config-fixture';

// The CloudWatch agent configuration the bundle ships, read as the agent reads
// it (JSON), and checked against what the host actually writes: every log file
// that the rendered nginx.conf, openclaw.json and units name is collected, into a
// log group under the host's prefix. The shape follows the agent's schema
// (translator/config/schema.json of amazon-cloudwatch-agent: logs-only, the
// allowed timezone and retention values, force_flush_interval in seconds).

const CONFIGS = allConfigs();
const ids = CONFIGS.map((c, i) => [`${c.client}/${c.env}`, i] as const);

interface CollectEntry {
  file_path: string;
  log_group_name: string;
  log_stream_name: string;
  timezone: string;
  retention_in_days: number;
  auto_removal: boolean;
}
interface AgentConfig {
  agent: { run_as_user: string; region: string; debug: boolean };
  logs: { force_flush_interval: number; logs_collected: { files: { collect_list: CollectEntry[] } } };
}

/** Every key anywhere in a JSON value. */
const keysOf = (v: unknown): string[] =>
  Array.isArray(v) ? v.flatMap(keysOf) : v && typeof v === 'object' ? Object.entries(v).flatMap(([k, x]) => [k, ...keysOf(x)]) : [];

describe('renderCloudWatchAgentConfig', () => {
  test.each(ids)('%s: logs only, in the deployment\'s region, as root, no credentials', (_id, i) => {
    const config = CONFIGS[i]!;
    const text = renderCloudWatchAgentConfig(config);
    expect(text.endsWith('}\n')).toBe(true);
    const doc = JSON.parse(text) as AgentConfig;
    expect(Object.keys(doc).sort()).toEqual(['agent', 'logs']);
    expect(doc.agent).toEqual({ run_as_user: 'root', region: config.aws.region, debug: false });
    // The instance role through IMDSv2: no credentials file, profile, role or keys anywhere.
    expect(keysOf(doc).filter((k) => /credential|profile|role_arn|access_key|secret|token/i.test(k))).toEqual([]);
    expect(Object.keys(doc.logs).sort()).toEqual(['force_flush_interval', 'logs_collected']);
    expect(Object.keys(doc.logs.logs_collected)).toEqual(['files']);
  });

  test.each(ids)('%s: logs leave the host within a minute: force_flush_interval <= 60 s', (_id, i) => {
    const doc = JSON.parse(renderCloudWatchAgentConfig(CONFIGS[i]!)) as AgentConfig;
    expect(doc.logs.force_flush_interval).toBe(CLOUDWATCH_AGENT_FLUSH_SECONDS);
    expect(Number.isInteger(doc.logs.force_flush_interval)).toBe(true);
    expect(doc.logs.force_flush_interval).toBeGreaterThanOrEqual(1);
    expect(doc.logs.force_flush_interval).toBeLessThanOrEqual(60);
  });

  test.each(ids)('%s: one entry per log group: its file, its group under the host prefix, a stream per instance, UTC, retention untouched', (_id, i) => {
    const config = CONFIGS[i]!;
    const prefix = hostLogGroupPrefix(deploymentName(config));
    const list = (JSON.parse(renderCloudWatchAgentConfig(config)) as AgentConfig).logs.logs_collected.files.collect_list;
    expect(list).toEqual(
      HOST_LOG_GROUPS(config).flatMap((g) => g.files.map((f) => ({
        file_path: f.file,
        log_group_name: g.logGroupName,
        log_stream_name: f.stream,
        timezone: 'UTC',
        retention_in_days: -1,
        auto_removal: false,
      }))),
    );
    for (const e of list) {
      expect(e.log_group_name.startsWith(prefix)).toBe(true);
      expect(e.log_group_name.length).toBeLessThanOrEqual(512);
      expect(path.posix.isAbsolute(e.file_path)).toBe(true);
    }
    expect(new Set(list.map((e) => e.file_path)).size).toBe(list.length);
    expect(new Set(list.map((e) => `${e.log_group_name} ${e.log_stream_name}`)).size).toBe(list.length);
  });
});

describe('HOST_LOG_GROUPS', () => {
  test('the example dev deployment: six groups under /openclaw/openclaw-example-dev/', () => {
    const groups = HOST_LOG_GROUPS(exampleConfig('dev'));
    expect(groups.map((g) => [g.id, g.logGroupName, g.files.map((f) => f.file).join(' ')])).toEqual([
      ['gateway', '/openclaw/openclaw-example-dev/gateway', '/var/log/openclaw-audit/gateway-ops.jsonl /var/log/openclaw-audit/gateway-support.jsonl'],
      ['nginx-access', '/openclaw/openclaw-example-dev/nginx-access', '/var/log/nginx/access.log'],
      ['nginx-error', '/openclaw/openclaw-example-dev/nginx-error', '/var/log/nginx/error.log'],
      ['journal', '/openclaw/openclaw-example-dev/journal', '/var/log/openclaw-audit/journal.jsonl'],
      ['egress-proxy', '/openclaw/openclaw-example-dev/egress-proxy', '/var/log/squid/access.log'],
      ['agent-audit', '/openclaw/openclaw-example-dev/agent-audit', '/var/log/openclaw-audit/agent-audit.jsonl'],
    ]);
    expect(groups.find((g) => g.id === 'gateway')!.files.map((f) => f.source)).toEqual([`${HOST_PATHS.logDir}/ops/openclaw.log`, `${HOST_PATHS.logDir}/support/openclaw.log`]);
    for (const g of groups) expect(g.purpose.length).toBeGreaterThan(10);
  });

  test('names differ per client x environment (several deployments share an account)', () => {
    const names = CONFIGS.flatMap((c) => HOST_LOG_GROUPS(c).map((g) => g.logGroupName));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('every log the host writes is collected (read from the rendered files, not restated)', () => {
  test.each(ids)('%s', (_id, i) => {
    const config = CONFIGS[i]!;
    const bundle = assembleBundleFiles(config, CONFIG_DIR);
    const collected = new Set(HOST_LOG_GROUPS(config).flatMap((g) => g.files.map((f) => f.file)));
    const shipped = JSON.parse(bundle[CLOUDWATCH_AGENT_BUNDLE_PATH] as string) as AgentConfig;
    expect(new Set(shipped.logs.logs_collected.files.collect_list.map((e) => e.file_path))).toEqual(collected);

    // nginx: every access_log and error_log file of the nginx.conf in the bundle.
    const nginx = bundle[NGINX_CONF_PATH] as string;
    const nginxLogs = [...nginx.matchAll(/^\s*(?:access_log|error_log)\s+(\S+)/gm)].map((m) => m[1]!);
    expect(nginxLogs).toHaveLength(2);
    for (const f of nginxLogs) expect({ f, collected: collected.has(f) }).toEqual({ f, collected: true });

    // The egress proxy: every access_log file of the rendered squid.conf (its refusals feed EgressBlocked).
    const squidLogs = [...renderEgressProxyConfig(config).matchAll(/^\s*access_log\s+stdio:(\S+)/gm)].map((m) => m[1]!);
    expect(squidLogs).toHaveLength(1);
    for (const f of squidLogs) expect({ f, collected: collected.has(f) }).toEqual({ f, collected: true });

    // OpenClaw: each gateway's openclaw.json logging.file (<log dir>/<id>/openclaw.log) is what the log export
    // copies for it (LOG_ROOT/<id>/openclaw.log into AUDIT_DIR/gateway-<id>.jsonl), and that copy is collected.
    const exportScript = bundle['scripts/export-logs.sh'] as string;
    expect(exportScript).toContain(`LOG_ROOT="\${OPENCLAW_GATEWAY_LOG_ROOT:-${HOST_PATHS.logDir}}"`);
    expect(exportScript).toContain(`AUDIT_DIR="\${OPENCLAW_AUDIT_LOG_DIR:-${HOST_PATHS.auditLogDir}}"`);
    expect(exportScript).toContain('GATEWAY_LOG="$LOG_ROOT/$id/openclaw.log" GATEWAY_USER="$user" GATEWAY_COPY="$AUDIT_DIR/gateway-$id.jsonl"');
    for (const g of agentGateways(config)) {
      const openclawLog = (JSON.parse(bundle[`openclaw/gateways/${g.id}/openclaw.json`] as string) as { logging: { file: string } }).logging.file;
      expect(openclawLog).toBe(`${HOST_PATHS.logDir}/${g.id}/openclaw.log`);
      expect(collected.has(`${HOST_PATHS.auditLogDir}/gateway-${g.id}.jsonl`)).toBe(true);
    }

    // The journal: the export writes the collected file, for every OpenClaw service the bundle ships and nginx.
    expect(exportScript).toContain(`JOURNAL_COPY="\${OPENCLAW_JOURNAL_EXPORT:-${JOURNAL_EXPORT_FILE}}"`);
    expect(collected.has(JOURNAL_EXPORT_FILE)).toBe(true);
    const services = Object.keys(bundle).filter((f) => /^systemd\/[^/]+\.service$/.test(f)).map((f) => path.posix.basename(f));
    expect(services).toEqual(expect.arrayContaining(['openclaw-gateway@ops.service', 'openclaw-gateway@support.service', HEALTH_UNIT, LOG_EXPORT_UNIT]));
    expect(exportScript).toContain(`readonly UNITS=(${journalExportUnits(config).join(' ')})`);
    for (const unit of [...services, 'nginx.service']) expect({ unit, exported: journalExportUnits(config).includes(unit) }).toEqual({ unit, exported: true });

    // The copies live where the export unit writes (its LogsDirectory=), which the gateway cannot.
    const exportUnit = parseUnit(bundle[`systemd/${LOG_EXPORT_UNIT}`] as string);
    expect(`/var/log/${unitValue(exportUnit, 'Service', 'LogsDirectory')}`).toBe(HOST_PATHS.auditLogDir);
    for (const f of [JOURNAL_EXPORT_FILE, ...agentGateways(config).map((g) => `${HOST_PATHS.auditLogDir}/gateway-${g.id}.jsonl`)]) expect(path.posix.dirname(f)).toBe(HOST_PATHS.auditLogDir);
    const gatewayWritable = services.filter((u) => u.startsWith('openclaw-gateway@')).flatMap((u) => unitList(parseUnit(bundle[`systemd/${u}`] as string), 'Service', 'ReadWritePaths'));
    expect(gatewayWritable.length).toBe(4);
    for (const f of collected) {
      for (const w of gatewayWritable) expect({ f, underGatewayWritable: f === w || f.startsWith(`${w}/`) }).toEqual({ f, underGatewayWritable: false });
    }
  });
});
