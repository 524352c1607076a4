import {
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
  gateway: 'OpenClaw gateway log (JSON lines: agent runs, tools, channels, auth), as root copies it every minute',
  access: 'nginx access log (JSON lines: time, viewer, status, origin verified; no query strings or credentials)',
  error: 'nginx error log (warn and above)',
  journal: 'journal of the gateway, nginx, boot preflight, secrets, integrity, health and install units (JSON lines; FAILED lines)',
  egressProxy: 'egress proxy (squid) access log: every outbound request of the host, refusals as TCP_DENIED/403 (metric EgressBlocked)',
};

test('paths, flush interval and user, exactly', () => {
  expect([CLOUDWATCH_AGENT_BUNDLE_PATH, JOURNAL_EXPORT_FILE, GATEWAY_LOG_COPY_FILE]).toEqual([
    'cloudwatch/amazon-cloudwatch-agent.json',
    '/var/log/openclaw-audit/journal.jsonl',
    '/var/log/openclaw-audit/gateway.jsonl',
  ]);
  expect([CLOUDWATCH_AGENT_FLUSH_SECONDS, CLOUDWATCH_AGENT_USER]).toEqual([5, 'root']);
});

describe('HOST_LOG_GROUPS', () => {
  test('the example prod: five groups, in order, with their files, exactly', () => {
    expect(HOST_LOG_GROUPS(config)).toEqual([
      {
        id: 'gateway',
        logGroupName: '/openclaw/openclaw-example-prod/gateway',
        file: '/var/log/openclaw-audit/gateway.jsonl',
        source: '/var/log/openclaw/openclaw.log',
        purpose: PURPOSES.gateway,
      },
      { id: 'nginx-access', logGroupName: '/openclaw/openclaw-example-prod/nginx-access', file: '/var/log/nginx/access.log', purpose: PURPOSES.access },
      { id: 'nginx-error', logGroupName: '/openclaw/openclaw-example-prod/nginx-error', file: '/var/log/nginx/error.log', purpose: PURPOSES.error },
      { id: 'journal', logGroupName: '/openclaw/openclaw-example-prod/journal', file: '/var/log/openclaw-audit/journal.jsonl', purpose: PURPOSES.journal },
      { id: 'egress-proxy', logGroupName: '/openclaw/openclaw-example-prod/egress-proxy', file: '/var/log/squid/access.log', purpose: PURPOSES.egressProxy },
    ]);
  });

  test('named per deployment (several share an account)', () => {
    expect(HOST_LOG_GROUPS(exampleConfig('dev')).map((g) => g.logGroupName)).toEqual([
      '/openclaw/openclaw-example-dev/gateway',
      '/openclaw/openclaw-example-dev/nginx-access',
      '/openclaw/openclaw-example-dev/nginx-error',
      '/openclaw/openclaw-example-dev/journal',
      '/openclaw/openclaw-example-dev/egress-proxy',
    ]);
  });
});

test('renderCloudWatchAgentConfig: logs only, as root, in the deployment\'s region, never touching retention, exactly', () => {
  const entry = (file: string, id: string) => ({
    file_path: file,
    log_group_name: `/openclaw/openclaw-example-prod/${id}`,
    log_stream_name: '{instance_id}',
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
                entry('/var/log/openclaw-audit/gateway.jsonl', 'gateway'),
                entry('/var/log/nginx/access.log', 'nginx-access'),
                entry('/var/log/nginx/error.log', 'nginx-error'),
                entry('/var/log/openclaw-audit/journal.jsonl', 'journal'),
                entry('/var/log/squid/access.log', 'egress-proxy'),
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
    access: [...conf.matchAll(/^\s*access_log\s+(\S+)(?:\s+\w+)?;$/gm)].map((m) => m[1]),
  });

  test('the log paths, exactly', () => {
    expect([HOST_LOG_FILES.gateway, HOST_LOG_FILES.nginxAccess, HOST_LOG_FILES.nginxError]).toEqual([
      '/var/log/openclaw/openclaw.log',
      '/var/log/nginx/access.log',
      '/var/log/nginx/error.log',
    ]);
  });

  test.each(configs.map((c) => [`${c.client}/${c.env}`, c] as const))('%s: openclaw.json logging.file is HOST_LOG_FILES.gateway, the gateway group\'s source', (_name, c) => {
    expect((renderOpenclawConfig(c, agentGateways(c)[0]!) as { logging: { file: string } }).logging.file).toBe(agentGateways(c)[0]!.logFile);
    expect(HOST_LOG_GROUPS(c).find((g) => g.id === 'gateway')!.source).toBe(HOST_LOG_FILES.gateway);
  });

  test.each(configs.map((c) => [`${c.client}/${c.env}`, c] as const))('%s: nginx.conf\'s one access_log and its error_log are the files of the nginx groups', (_name, c) => {
    expect(nginxLogs(renderNginxConfig(c))).toEqual({ error: [HOST_LOG_FILES.nginxError], access: [HOST_LOG_FILES.nginxAccess] });
    const files = Object.fromEntries(HOST_LOG_GROUPS(c).map((g) => [g.id, g.file]));
    expect([files['nginx-access'], files['nginx-error']]).toEqual([HOST_LOG_FILES.nginxAccess, HOST_LOG_FILES.nginxError]);
  });

  test('the check reads what nginx.conf could say otherwise', () => {
    expect(nginxLogs('error_log /e.log warn;\n  error_log /x.log;\nhttp {\n    access_log /a.log openclaw;\n# access_log /old.log;\n  access_log off;\n}')).toEqual({
      error: ['/e.log'],
      access: ['/a.log', 'off'],
    });
  });
});
