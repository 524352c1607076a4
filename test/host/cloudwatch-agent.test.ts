import {
  AGENT_AUDIT_FILE,
  CLOUDWATCH_AGENT_BUNDLE_PATH,
  CLOUDWATCH_AGENT_FLUSH_SECONDS,
  CLOUDWATCH_AGENT_USER,
  GATEWAY_LOG_COPY_FILE,
  HOST_LOG_GROUPS,
  JOURNAL_EXPORT_FILE,
  renderCloudWatchAgentConfig,
} from '../../lib/host/cloudwatch-agent';
import { renderNginxConfig } from '../../lib/host/nginx-config';
import { HOST_LOG_FILES } from '../../lib/host/log-files';
import { renderOpenclawConfig } from '../../lib/openclaw/openclaw-json';
import { agentGateways } from '../../lib/openclaw/gateways';
import { allConfigs, exampleConfig } from './support/host-tools';

// lib/host/cloudwatch-agent.ts on its own, fast: the log groups of the host and the agent
// configuration that ships them, exactly; that the log files it ships (HOST_LOG_FILES) are the ones
// the rendered openclaw.json and nginx.conf write. That every log the host writes is
// collected is test/host-runtime/cloudwatch-agent.test.ts.

const config = exampleConfig('prod');

const PURPOSES = {
  gateway: 'OpenClaw log of each gateway (JSON lines: agent runs, tools, channels, auth), as root copies it every minute; one stream per gateway, {instance_id}-<gateway id>, from gateway-<id>.jsonl',
  access: 'nginx access log (JSON lines: time, viewer, status, origin verified; no query strings or credentials)',
  error: 'nginx error log (warn and above)',
  journal: 'journal of the gateway, nginx, boot preflight, secrets, integrity, health and install units (JSON lines; FAILED lines)',
  egressProxy: 'egress proxy (squid) access log: every outbound request of the host, refusals as TCP_DENIED/403 (metric EgressBlocked)',
  agentAudit:
    "attributable audit: one JSON line per tool call and outbound message of each gateway's agents (gateway, agent, session, tool or channel, time, outcome), from OpenClaw's audit ledger",
};

test('paths, flush interval and user, exactly', () => {
  expect([CLOUDWATCH_AGENT_BUNDLE_PATH, JOURNAL_EXPORT_FILE, GATEWAY_LOG_COPY_FILE, AGENT_AUDIT_FILE]).toEqual([
    'cloudwatch/amazon-cloudwatch-agent.json',
    '/var/log/openclaw-audit/journal.jsonl',
    '/var/log/openclaw-audit/gateway.jsonl',
    '/var/log/openclaw-audit/agent-audit.jsonl',
  ]);
  expect([CLOUDWATCH_AGENT_FLUSH_SECONDS, CLOUDWATCH_AGENT_USER]).toEqual([5, 'root']);
});

describe('HOST_LOG_GROUPS', () => {
  test('the example prod: six groups, in order, with their files, exactly', () => {
    expect(HOST_LOG_GROUPS(config)).toEqual([
      {
        id: 'gateway',
        logGroupName: '/openclaw/openclaw-example-prod/gateway',
        files: [
          { file: '/var/log/openclaw-audit/gateway-ops.jsonl', stream: '{instance_id}-ops', source: '/var/log/openclaw/ops/openclaw.log' },
          { file: '/var/log/openclaw-audit/gateway-support.jsonl', stream: '{instance_id}-support', source: '/var/log/openclaw/support/openclaw.log' },
        ],
        purpose: PURPOSES.gateway,
      },
      { id: 'nginx-access', logGroupName: '/openclaw/openclaw-example-prod/nginx-access', files: [{ file: '/var/log/nginx/access.log', stream: '{instance_id}' }], purpose: PURPOSES.access },
      { id: 'nginx-error', logGroupName: '/openclaw/openclaw-example-prod/nginx-error', files: [{ file: '/var/log/nginx/error.log', stream: '{instance_id}' }], purpose: PURPOSES.error },
      { id: 'journal', logGroupName: '/openclaw/openclaw-example-prod/journal', files: [{ file: '/var/log/openclaw-audit/journal.jsonl', stream: '{instance_id}' }], purpose: PURPOSES.journal },
      { id: 'egress-proxy', logGroupName: '/openclaw/openclaw-example-prod/egress-proxy', files: [{ file: '/var/log/squid/access.log', stream: '{instance_id}' }], purpose: PURPOSES.egressProxy },
      { id: 'agent-audit', logGroupName: '/openclaw/openclaw-example-prod/agent-audit', files: [{ file: '/var/log/openclaw-audit/agent-audit.jsonl', stream: '{instance_id}' }], purpose: PURPOSES.agentAudit },
    ]);
  });

  test('named per deployment (several share an account)', () => {
    expect(HOST_LOG_GROUPS(exampleConfig('dev')).map((g) => g.logGroupName)).toEqual([
      '/openclaw/openclaw-example-dev/gateway',
      '/openclaw/openclaw-example-dev/nginx-access',
      '/openclaw/openclaw-example-dev/nginx-error',
      '/openclaw/openclaw-example-dev/journal',
      '/openclaw/openclaw-example-dev/egress-proxy',
      '/openclaw/openclaw-example-dev/agent-audit',
    ]);
  });
});

test('renderCloudWatchAgentConfig: logs only, as root, in the deployment\'s region, never touching retention, exactly', () => {
  const entry = (file: string, id: string, stream = '{instance_id}') => ({
    file_path: file,
    log_group_name: `/openclaw/openclaw-example-prod/${id}`,
    log_stream_name: stream,
    timezone: 'UTC',
    retention_in_days: -1,
    auto_removal: false,
  });
  const text = renderCloudWatchAgentConfig(config);
  expect(text).toBe(
    `${JSON.stringify(
      {
        agent: { run_as_user: 'root', region: 'eu-west-1', debug: false },
        logs: {
          force_flush_interval: 5,
          logs_collected: {
            files: {
              collect_list: [
                entry('/var/log/openclaw-audit/gateway-ops.jsonl', 'gateway', '{instance_id}-ops'),
                entry('/var/log/openclaw-audit/gateway-support.jsonl', 'gateway', '{instance_id}-support'),
                entry('/var/log/nginx/access.log', 'nginx-access'),
                entry('/var/log/nginx/error.log', 'nginx-error'),
                entry('/var/log/openclaw-audit/journal.jsonl', 'journal'),
                entry('/var/log/squid/access.log', 'egress-proxy'),
                entry('/var/log/openclaw-audit/agent-audit.jsonl', 'agent-audit'),
              ],
            },
          },
        },
      },
      null,
      2,
    )}\n`,
  );
  expect(JSON.parse(renderCloudWatchAgentConfig({ ...config, aws: { ...config.aws, region: 'us-east-1' } })).agent.region).toBe('us-east-1');
});

describe('the files the agent ships are the ones the renderers write (HOST_LOG_FILES)', () => {
  const configs = allConfigs();
  /** The main error_log (not indented) and every access_log of a rendered nginx.conf. */
  const nginxLogs = (conf: string) => ({
    error: [...conf.matchAll(/^error_log\s+(\S+)\s+\w+;$/gm)].map((m) => m[1]),
    access: [...conf.matchAll(/^\s*access_log\s+(\S+)(?:\s+\w+)?(?:\s+if=\$\w+)?;$/gm)].map((m) => m[1]),
  });

  test('the log paths, exactly', () => {
    expect([HOST_LOG_FILES.gateway, HOST_LOG_FILES.nginxAccess, HOST_LOG_FILES.nginxError]).toEqual([
      '/var/log/openclaw/openclaw.log',
      '/var/log/nginx/access.log',
      '/var/log/nginx/error.log',
    ]);
  });

  test.each(configs.map((c) => [`${c.client}/${c.env}`, c] as const))('%s: each gateway\'s openclaw.json logging.file is the source of its own file in the gateway group', (_name, c) => {
    const gatewayGroup = HOST_LOG_GROUPS(c).find((g) => g.id === 'gateway')!;
    expect(gatewayGroup.files.map((f) => f.source)).toEqual(agentGateways(c).map((g) => (renderOpenclawConfig(c, g) as { logging: { file: string } }).logging.file));
    expect(gatewayGroup.files.map((f) => [f.file, f.stream])).toEqual(agentGateways(c).map((g) => [`/var/log/openclaw-audit/gateway-${g.id}.jsonl`, `{instance_id}-${g.id}`]));
  });

  test.each(configs.map((c) => [`${c.client}/${c.env}`, c] as const))('%s: nginx.conf\'s one access_log and its error_log are the files of the nginx groups', (_name, c) => {
    expect(nginxLogs(renderNginxConfig(c))).toEqual({ error: [HOST_LOG_FILES.nginxError], access: [HOST_LOG_FILES.nginxAccess] });
    const files = Object.fromEntries(HOST_LOG_GROUPS(c).map((g) => [g.id, g.files[0]!.file]));
    expect([files['nginx-access'], files['nginx-error']]).toEqual([HOST_LOG_FILES.nginxAccess, HOST_LOG_FILES.nginxError]);
  });

  test('the check reads what nginx.conf could say otherwise', () => {
    expect(nginxLogs('error_log /e.log warn;\n  error_log /x.log;\nhttp {\n    access_log /a.log openclaw;\n# access_log /old.log;\n  access_log off;\n}')).toEqual({
      error: ['/e.log'],
      access: ['/a.log', 'off'],
    });
  });
});
