import {
  CLOUDWATCH_AGENT_BUNDLE_PATH,
  CLOUDWATCH_AGENT_FLUSH_SECONDS,
  CLOUDWATCH_AGENT_USER,
  GATEWAY_LOG_COPY_FILE,
  HOST_LOG_GROUPS,
  JOURNAL_EXPORT_FILE,
  nginxLogFiles,
  openclawLogFile,
  renderCloudWatchAgentConfig,
} from '../../lib/host/cloudwatch-agent';
import type * as CloudWatchAgent from '../../lib/host/cloudwatch-agent';
import { exampleConfig } from './support/host-tools';

// lib/host/cloudwatch-agent.ts on its own, fast: the log groups of the host and the agent
// configuration that ships them, exactly; where the log files are read from (openclaw.json,
// nginx.conf) and the refusals when they cannot be. That every log the host writes is
// collected is test/host-runtime/cloudwatch-agent.test.ts.

const config = exampleConfig('prod');

/** cloudwatch-agent.ts loaded with `renderer` of `module` replaced by one returning `value`. */
function withRendered<T>(module: 'openclaw/openclaw-json' | 'host/nginx-config', renderer: string, value: unknown, fn: (m: typeof CloudWatchAgent) => T): T {
  let result: T | undefined;
  jest.isolateModules(() => {
    jest.doMock(`../../lib/${module}`, () => ({ ...jest.requireActual(`../../lib/${module}`), [renderer]: () => value }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    result = fn(require('../../lib/host/cloudwatch-agent'));
  });
  jest.dontMock(`../../lib/${module}`);
  return result as T;
}

const PURPOSES = {
  gateway: 'OpenClaw gateway log (JSON lines: agent runs, tools, channels, auth), as root copies it every minute',
  access: 'nginx access log (JSON lines: time, viewer, status, origin verified; no query strings or credentials)',
  error: 'nginx error log (warn and above)',
  journal: 'journal of the gateway, nginx, boot preflight, secrets, integrity, health and install units (JSON lines; FAILED lines)',
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
  test('the example prod: four groups, in order, with their files, exactly', () => {
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
    ]);
  });

  test('named per deployment (several share an account)', () => {
    expect(HOST_LOG_GROUPS(exampleConfig('dev')).map((g) => g.logGroupName)).toEqual([
      '/openclaw/openclaw-example-dev/gateway',
      '/openclaw/openclaw-example-dev/nginx-access',
      '/openclaw/openclaw-example-dev/nginx-error',
      '/openclaw/openclaw-example-dev/journal',
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

describe('openclawLogFile: logging.file of openclaw.json', () => {
  test('the generated openclaw.json\'s file', () => {
    expect(openclawLogFile(config)).toBe('/var/log/openclaw/openclaw.log');
  });

  test.each([
    ['a relative path', { logging: { file: 'openclaw.log' } }],
    ['no file', { logging: {} }],
    ['no logging section', {}],
    ['a file that is not a string', { logging: { file: ['/var/log/x.log'] } }],
  ])('refuses %s', (_what, doc) => {
    withRendered('openclaw/openclaw-json', 'renderOpenclawConfig', doc, (m) => {
      expect(() => m.openclawLogFile(config)).toThrow(new Error('openclaw.json: logging.file must be an absolute path (the gateway log the host ships)'));
    });
  });
});

describe('nginxLogFiles: the log files of nginx.conf', () => {
  test('the rendered nginx.conf\'s files', () => {
    expect(nginxLogFiles(config)).toEqual({ access: '/var/log/nginx/access.log', error: '/var/log/nginx/error.log' });
  });

  test.each([
    ['an access_log with a format, indented', 'error_log /e.log warn;\nhttp {\n    access_log /a.log openclaw;\n}', { access: '/a.log', error: '/e.log' }],
    ['an access_log without a format, at the start of the line', 'error_log  /e.log  crit;\naccess_log /a.log;', { access: '/a.log', error: '/e.log' }],
    ['an access_log with several blanks around its file and format', 'error_log /e.log warn;\n  access_log  /a.log \t openclaw;', { access: '/a.log', error: '/e.log' }],
    ['one access_log, and one commented out (not read)', 'error_log /e.log warn;\n# access_log /old.log;\naccess_log /a.log;', { access: '/a.log', error: '/e.log' }],
  ])('reads %s', (_what, conf, files) => {
    withRendered('host/nginx-config', 'renderNginxConfig', conf, (m) => expect(m.nginxLogFiles(config)).toEqual(files));
  });

  test.each([
    ['no error_log', 'access_log /a.log;'],
    ['an error_log without a level', 'error_log /e.log;\naccess_log /a.log;'],
    ['a relative error_log', 'error_log e.log warn;\naccess_log /a.log;'],
    ['an error_log with more after it', 'error_log /e.log warn; # x\naccess_log /a.log;'],
    ['an indented error_log (not the main one)', '  error_log /e.log warn;\naccess_log /a.log;'],
  ])('refuses %s', (_what, conf) => {
    withRendered('host/nginx-config', 'renderNginxConfig', conf, (m) => expect(() => m.nginxLogFiles(config)).toThrow(new Error('nginx.conf: no error_log file')));
  });

  test.each([
    ['no access_log', 'error_log /e.log warn;', 'none'],
    ['access_log off', 'error_log /e.log warn;\naccess_log off;', 'off'],
    ['two access logs', 'error_log /e.log warn;\naccess_log /a.log;\n  access_log /b.log openclaw;', '/a.log, /b.log'],
  ])('refuses %s', (_what, conf, found) => {
    withRendered('host/nginx-config', 'renderNginxConfig', conf, (m) =>
      expect(() => m.nginxLogFiles(config)).toThrow(new Error(`nginx.conf: expected one access_log file, found ${found}`)),
    );
  });

  test('an access_log followed by more than a format is not read', () => {
    const conf = 'error_log /e.log warn;\naccess_log /a.log openclaw buffer=32k;\naccess_log /b.log;';
    withRendered('host/nginx-config', 'renderNginxConfig', conf, (m) => expect(m.nginxLogFiles(config)).toEqual({ access: '/b.log', error: '/e.log' }));
  });

  test('an access_log with more after its semicolon (a trailing comment) is not read', () => {
    const conf = 'error_log /e.log warn;\naccess_log /a.log openclaw; # old\naccess_log /b.log;';
    withRendered('host/nginx-config', 'renderNginxConfig', conf, (m) => expect(m.nginxLogFiles(config)).toEqual({ access: '/b.log', error: '/e.log' }));
  });
});
