import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ResolvedConfig } from '../../lib/config/schema';
import { GATEWAY_UNIT_TEMPLATE, JOURNAL_EXPORT_UNITS, STATE_VOLUME_STEPS, journalExportUnits } from '../../lib/host/unit-names';
import { agentGateways, gatewayById } from '../../lib/openclaw/gateways';
import { BREAKER_MARKER_DIR, breakerMarkerFile } from '../../lib/host/paths';
import { BUNDLE_REQUIRED_FILES, GATEWAYS_TARGET_BUNDLE_PATH, HELPER_SCRIPT_FILES, HOST_ENV_PATH, SYSTEMD_FILES } from '../../lib/host/bundle-layout';
import * as templateEngine from '../../lib/host/template';
import { HOST_SOURCE_DIR, readHostSource } from '../../lib/host/template';
import { gatewayTemplateValues, hostTemplateValues, metricNamespace, renderHostTemplate } from '../../lib/host/template-values';
import {
  gatewayApprovalsImport,
  gatewayEnvironment,
  GATEWAY_FORBIDDEN_ENVIRONMENT,
  GATEWAY_REQUIRED_TRUE,
} from '../../lib/host/unit-sandbox';
import { gatewayUnitBundlePath, gatewayUnitExpectations, renderSystemdFiles } from '../../lib/host/systemd-units';
import { CONFIG_DIR, REPO_ROOT } from '../support/config-fixture';
import { exampleConfig } from './support/host-tools';
import { withHostSource } from './support/patch-host-source';

// lib/host/systemd-units.ts and the modules it renders with, on their own, fast: the pinned
// names and lists, the values every host template gets, the gateway unit's expectations and
// the render. The placeholder engine: template.test.ts; the unit-file parser: unit-file.test.ts;
// the gateway sandbox checker: unit-sandbox.test.ts. What every rendered unit says,
// directive by directive, is test/host-runtime/unit-directives.test.ts.

const config = exampleConfig('prod');
const files = renderSystemdFiles(config, CONFIG_DIR);
const ops = gatewayById(config, 'ops');
const support = gatewayById(config, 'support');

describe('pinned names and lists', () => {
  test('the host templates are read from host/ of the repo', () => {
    expect(HOST_SOURCE_DIR).toBe(path.join(REPO_ROOT, 'host'));
  });

  test('the units whose journal is exported (JOURNAL_EXPORT_UNITS), exactly', () => {
    expect(journalExportUnits(config)).toEqual(['openclaw-gateway@ops.service', 'openclaw-gateway@support.service', ...JOURNAL_EXPORT_UNITS]);
    expect(JOURNAL_EXPORT_UNITS).toEqual([
      'openclaw-gateways.target',
      'nginx.service',
      'openclaw-imds-preflight.service',
      'openclaw-secrets.service',
      'openclaw-state-volume.service',
      'openclaw-secrets-refresh.service',
      'openclaw-integrity.service',
      'openclaw-health.service',
      'openclaw-log-export.service',
      'openclaw-spend-meter.service',
      'openclaw-proxy-rotate.service',
      'openclaw-nginx-rotate.service',
      'nftables.service',
      'squid.service',
      'amazon-cloudwatch-agent.service',
      'cloud-final.service',
    ]);
  });

  test('the rendered systemd files, helper scripts and state-volume steps, exactly', () => {
    expect(SYSTEMD_FILES).toEqual([
      'systemd/openclaw-imds-preflight.service',
      'systemd/openclaw-secrets.service',
      'systemd/openclaw-state-volume.service',
      'systemd/openclaw-integrity.service',
      'systemd/openclaw-integrity.timer',
      'systemd/openclaw-secrets-refresh.service',
      'systemd/openclaw-secrets-refresh.timer',
      'systemd/openclaw-health.service',
      'systemd/openclaw-health.timer',
      'systemd/openclaw-log-export.service',
      'systemd/openclaw-log-export.timer',
      'systemd/openclaw-spend-meter.service',
      'systemd/openclaw-spend-meter.timer',
      'systemd/openclaw-proxy-rotate.service',
      'systemd/openclaw-proxy-rotate.timer',
      'systemd/openclaw-nginx-rotate.service',
      'systemd/openclaw-nginx-rotate.timer',
      'systemd/nginx.service.d/openclaw.conf',
      'systemd/tmpfiles.d/openclaw.conf',
      'systemd/amazon-ssm-agent.service.d/openclaw-proxy.conf',
      'systemd/squid.service.d/openclaw-restart.conf',
    ]);
    expect(HELPER_SCRIPT_FILES).toEqual([
      'scripts/imds-preflight.sh',
      'scripts/check-agent-files.sh',
      'scripts/fetch-secrets.sh',
      'scripts/refresh-secrets.sh',
      'scripts/check-gateway-health.sh',
      'scripts/export-logs.sh',
      'scripts/attach-state-volume.sh',
      'scripts/prepare-state.sh',
      'scripts/start-egress-proxy.sh',
      'scripts/install-gateways.sh',
      'scripts/record-clean-stop.sh',
      'scripts/run-gateway-probes.sh',
    ]);
    expect(STATE_VOLUME_STEPS).toEqual(['StateVolumeAttach', 'StateVolumeDevice', 'StateVolumeFilesystem', 'StateVolumeMount']);
  });

  test('the bundle files install-bundle.sh and packBundle require (BUNDLE_REQUIRED_FILES), exactly', () => {
    expect(BUNDLE_REQUIRED_FILES).toEqual([
      'openclaw/gateways.list',
      'systemd/openclaw-gateways.target',
      'openclaw/package.json',
      'openclaw/package-lock.json',
      'agents.sha256',
      'openclaw/host.env',
      'nginx/nginx.conf',
      'nginx/openclaw/allowed-origins.map.conf',
      'nginx/logrotate.conf',
      'nftables/openclaw.nft',
      'squid/squid.conf',
      ...SYSTEMD_FILES,
      ...HELPER_SCRIPT_FILES,
      'scripts/fetch-secrets.js',
      'scripts/spend-meter.js',
      'scripts/agent-audit.js',
      'scripts/gateway-probe.js',
      'openclaw/secrets-manifest.json',
      'openclaw/spend-meter.json',
      'cloudwatch/amazon-cloudwatch-agent.json',
      'cloudwatch/common-config.toml',
    ]);
  });

  test('the gateway sandbox settings that must be on, its environment and the one it must not have, exactly', () => {
    expect(GATEWAY_REQUIRED_TRUE).toEqual([
      'NoNewPrivileges',
      'ProtectHome',
      'PrivateTmp',
      'PrivateDevices',
      'ProtectKernelTunables',
      'ProtectKernelModules',
      'ProtectKernelLogs',
      'ProtectControlGroups',
      'ProtectClock',
      'ProtectHostname',
      'RestrictNamespaces',
      'RestrictRealtime',
      'RestrictSUIDSGID',
      'LockPersonality',
      'PrivateMounts',
    ]);
    expect(gatewayEnvironment(ops)).toEqual([
      'HOME=/var/lib/openclaw/ops',
      'OPENCLAW_STATE_DIR=/var/lib/openclaw/ops',
      'OPENCLAW_CONFIG_PATH=/etc/openclaw/gateways/ops/openclaw.json',
      'OPENCLAW_CONFIG_READONLY=1',
      'OPENCLAW_NO_RESPAWN=1',
      'OPENCLAW_NO_AUTO_UPDATE=1',
      'HTTPS_PROXY=http://127.0.0.1:3129',
      'https_proxy=http://127.0.0.1:3129',
    ]);
    expect(gatewayEnvironment(support)).toEqual([
      'HOME=/var/lib/openclaw/support',
      'OPENCLAW_STATE_DIR=/var/lib/openclaw/support',
      'OPENCLAW_CONFIG_PATH=/etc/openclaw/gateways/support/openclaw.json',
      'OPENCLAW_CONFIG_READONLY=1',
      'OPENCLAW_NO_RESPAWN=1',
      'OPENCLAW_NO_AUTO_UPDATE=1',
      'HTTPS_PROXY=http://127.0.0.1:3130',
      'https_proxy=http://127.0.0.1:3130',
    ]);
    expect(GATEWAY_FORBIDDEN_ENVIRONMENT).toEqual(['OPENCLAW_GATEWAY_TOKEN']);
    expect(gatewayApprovalsImport(ops)).toBe(
      '/opt/openclaw/node_modules/node/bin/node /opt/openclaw/node_modules/openclaw/openclaw.mjs approvals set --file /etc/openclaw/gateways/ops/exec-approvals.json',
    );
    expect(gatewayApprovalsImport(support)).toBe(
      '/opt/openclaw/node_modules/node/bin/node /opt/openclaw/node_modules/openclaw/openclaw.mjs approvals set --file /etc/openclaw/gateways/support/exec-approvals.json',
    );
  });

  test('the breaker\'s stop markers: /var/lib/openclaw-meter/breaker/<gateway id>.tripped', () => {
    expect(BREAKER_MARKER_DIR).toBe('/var/lib/openclaw-meter/breaker');
    expect(breakerMarkerFile('ops')).toBe('/var/lib/openclaw-meter/breaker/ops.tripped');
  });

  test('the example\'s gateways: two, users openclaw-ops and openclaw-support, ports 18789 and 18790', () => {
    expect(agentGateways(config).map((g) => [g.unit, g.user, g.port])).toEqual([
      ['openclaw-gateway@ops.service', 'openclaw-ops', 18789],
      ['openclaw-gateway@support.service', 'openclaw-support', 18790],
    ]);
  });

  test('the host metric namespace is OpenClaw/<deployment>', () => {
    expect(metricNamespace(config)).toBe('OpenClaw/openclaw-example-prod');
  });
});

const PROD_VALUES = {
  USER: 'openclaw',
  INSTALL_DIR: '/opt/openclaw',
  NODE: '/opt/openclaw/node_modules/node/bin/node',
  OPENCLAW_BIN: '/opt/openclaw/node_modules/openclaw/openclaw.mjs',
  CONFIG_DIR: '/etc/openclaw',
  CONFIG_FILE: '/etc/openclaw/openclaw.json',
  CONTROL_UI_ORIGINS_FILE: '/etc/openclaw/control-ui-origins.json',
  EXEC_APPROVALS_FILE: '/etc/openclaw/exec-approvals.json',
  AGENT_FILES_DIR: '/etc/openclaw/agents',
  AGENT_FILES_MANIFEST: '/etc/openclaw/agents.sha256',
  STATE_DIR: '/var/lib/openclaw',
  STATE_VOLUME_DIR: '/var/lib/openclaw-volume',
  STATE_VOLUME_LABEL: 'openclaw-state',
  STATE_VOLUME_UNIT: 'openclaw-state-volume.service',
  STATE_VOLUME_ATTACH_TIMEOUT: '1800',
  STATE_VOLUME_UNIT_TIMEOUT: '1980',
  IMDS_ENDPOINT: 'http://169.254.169.254',
  WORKSPACES_DIR: '/var/lib/openclaw/workspaces',
  SECRETS_DIR: '/run/openclaw/secrets',
  SECRETS_PARENT_DIR: '/run/openclaw',
  LOG_DIR: '/var/log/openclaw',
  LIBEXEC_DIR: '/usr/local/libexec/openclaw',
  HOST_ENV_FILE: '/etc/openclaw/host.env',
  GATEWAY_TOKEN_FILE: '/run/openclaw/secrets/gateway-token',
  DEPLOYMENT: 'openclaw-example-prod',
  METRIC_NAMESPACE: 'OpenClaw/openclaw-example-prod',
  REGION: 'eu-west-1',
  SECRETS_MANIFEST: '/etc/openclaw/secrets-manifest.json',
  ORIGIN_VERIFY_MAP: '/etc/nginx/openclaw/origin-verify.map.conf',
  SECRET_METRIC: 'SecretRetrievalFailed',
  GATEWAY_UNIT: 'openclaw-gateway@ops.service',
  GATEWAY_PORT: '18789',
  GATEWAYS_TARGET: 'openclaw-gateways.target',
  GATEWAYS_CONFIG_DIR: '/etc/openclaw/gateways',
  GATEWAYS_LIST: '/etc/openclaw/gateways.list',
  GATEWAY_UNIT_PREFIX: 'openclaw-gateway@',
  BREAKER_MARKER_DIR: '/var/lib/openclaw-meter/breaker',
  PROXY_PORT: '8080',
  HEALTH_METRIC: 'GatewayHealthy',
  EGRESS_METRIC: 'EgressHealthy',
  DISK_METRIC: 'DiskHeadroom',
  MEMORY_METRIC: 'MemoryHeadroom',
  HEADROOM_MIN: '10',
  CHANNELS_DOWN_METRIC: 'ChannelsDown',
  AUDIT_LOG_DIR: '/var/log/openclaw-audit',
  AUDIT_LOG_DIR_NAME: 'openclaw-audit',
  LOG_EXPORT_STATE_DIR: '/var/lib/openclaw-log-export',
  LOG_EXPORT_STATE_DIR_NAME: 'openclaw-log-export',
  SPEND_METER_MANIFEST: '/etc/openclaw/spend-meter.json',
  SPEND_METER_STATE_DIR: '/var/lib/openclaw-meter',
  SPEND_METER_STATE_DIR_NAME: 'openclaw-meter',
  JOURNAL_EXPORT_FILE: '/var/log/openclaw-audit/journal.jsonl',
  GATEWAY_LOG_COPY: '/var/log/openclaw-audit/gateway.jsonl',
  GATEWAY_LOG_FILE: '/var/log/openclaw/openclaw.log',
  CLOUDWATCH_AGENT_CONFIG: '/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json',
  CLOUDWATCH_AGENT_BUNDLE: 'cloudwatch/amazon-cloudwatch-agent.json',
  CLOUDWATCH_AGENT_UNIT: 'amazon-cloudwatch-agent.service',
  GATEWAY_MEMORY_MAX: '1024M',
  GATEWAY_HEAP_ARG: '--max-old-space-size=512',
  PROXY_ROTATE_TIMER: 'openclaw-proxy-rotate.timer',
  NGINX_ROTATE_TIMER: 'openclaw-nginx-rotate.timer',
  NGINX_LOG_ROTATION_BUNDLE: 'nginx/logrotate.conf',
  SSM_AGENT_UNIT: 'amazon-ssm-agent.service',
  EGRESS_PROXY_URL: 'http://127.0.0.1:3128',
  EGRESS_NO_PROXY: '127.0.0.1,localhost,::1,169.254.169.254,169.254.169.253,169.254.169.123',
  EGRESS_PROXY_UNIT: 'squid.service',
  EGRESS_PROXY_USER: 'squid',
  EGRESS_PROXY_CONFIG_FILE: '/etc/squid/squid.conf',
  EGRESS_PROXY_BUNDLE: 'squid/squid.conf',
  SSM_AGENT_PROXY_BUNDLE: 'systemd/amazon-ssm-agent.service.d/openclaw-proxy.conf',
  SSM_AGENT_PROXY_BUNDLE_NAME: 'amazon-ssm-agent.service.d/openclaw-proxy.conf',
  EGRESS_PROXY_RESTART_BUNDLE: 'systemd/squid.service.d/openclaw-restart.conf',
  EGRESS_PROXY_RESTART_BUNDLE_NAME: 'squid.service.d/openclaw-restart.conf',
  CLOUDWATCH_AGENT_PROXY_BUNDLE: 'cloudwatch/common-config.toml',
  CLOUDWATCH_AGENT_PROXY_FILE: '/opt/aws/amazon-cloudwatch-agent/etc/common-config.toml',
  IMDS_ACCESS: [
    '# No AWS credentials for the gateway (its secrets arrive as files): IMDS is out of reach,',
    '# so no SSRF or agent tool can read the instance role credentials.',
    'IPAddressDeny=169.254.169.254/32 fd00:ec2::254/128',
  ].join('\n'),
  LOCKFILE_CHECK_JS:
    'const l = require(process.argv[1]); const bad = Object.entries(l.packages || {}).filter(([k, v]) => k && !v.inBundle && !v.link && !/^sha512-/.test(v.integrity || "")).map(([k]) => k); if (!(l.lockfileVersion >= 2) || bad.length) { console.error("no sha512 integrity: " + (bad.join(", ") || "lockfileVersion < 2")); process.exit(1); }',
  CONTROL_UI_ORIGINS_JS:
    'const [f, o] = process.argv.slice(1); const d = JSON.parse(require("fs").readFileSync(f, "utf8")); if (!Array.isArray(d.allowedOrigins)) { console.error(f + ": no allowedOrigins list"); process.exit(1); } if (!d.allowedOrigins.includes(o)) d.allowedOrigins.push(o); process.stdout.write(JSON.stringify(d, null, 2) + "\\n");',
  BUNDLE_REQUIRED_FILES: [
    'openclaw/gateways.list systemd/openclaw-gateways.target \\',
    '  openclaw/{package,package-lock,secrets-manifest,spend-meter}.json agents.sha256 openclaw/host.env \\',
    '  nginx/{nginx,logrotate}.conf nginx/openclaw/allowed-origins.map.conf nftables/openclaw.nft squid/squid.conf \\',
    '  systemd/openclaw-{imds-preflight,secrets,state-volume,integrity,secrets-refresh,health,log-export,spend-meter,proxy-rotate,nginx-rotate}.service \\',
    '  systemd/openclaw-{integrity,secrets-refresh,health,log-export,spend-meter,proxy-rotate,nginx-rotate}.timer \\',
    '  systemd/nginx.service.d/openclaw.conf systemd/tmpfiles.d/openclaw.conf \\',
    '  systemd/amazon-ssm-agent.service.d/openclaw-proxy.conf systemd/squid.service.d/openclaw-restart.conf \\',
    '  scripts/{imds-preflight,check-agent-files,fetch-secrets,refresh-secrets,check-gateway-health,export-logs,attach-state-volume,prepare-state,start-egress-proxy,install-gateways,record-clean-stop,run-gateway-probes}.sh \\',
    '  scripts/{fetch-secrets,spend-meter,agent-audit,gateway-probe}.js cloudwatch/amazon-cloudwatch-agent.json \\',
    '  cloudwatch/common-config.toml',
  ].join('\n'),
  GATEWAY_UNITS: 'openclaw-gateway@ops.service openclaw-gateway@support.service',
  GATEWAY_SECRETS_TMPFILES: [
    'd      /run/openclaw/secrets/ops     0700 openclaw-ops openclaw-ops -',
    'd      /run/openclaw/secrets/support 0700 openclaw-support openclaw-support -',
  ].join('\n'),
  JOURNAL_UNITS:
    'openclaw-gateway@ops.service openclaw-gateway@support.service openclaw-gateways.target nginx.service openclaw-imds-preflight.service openclaw-secrets.service openclaw-state-volume.service openclaw-secrets-refresh.service openclaw-integrity.service openclaw-health.service openclaw-log-export.service openclaw-spend-meter.service openclaw-proxy-rotate.service openclaw-nginx-rotate.service nftables.service squid.service amazon-cloudwatch-agent.service cloud-final.service',
};

const withProviders = (c: ResolvedConfig, providers: string[]) =>
  ({ ...c, network: { ...c.network, egress: { ...c.network.egress, providers } } }) as ResolvedConfig;

describe('hostTemplateValues', () => {
  test('every placeholder value of the example prod, exactly (paths, names, ports, scripts, lists)', () => {
    expect(hostTemplateValues(config)).toEqual(PROD_VALUES);
  });

  test('the values follow the config: deployment, namespace, region, ports', () => {
    const dev = exampleConfig('dev');
    const v = hostTemplateValues({ ...dev, edge: { ...dev.edge, gatewayPort: 18001, proxyPort: 8443 } });
    expect([v.DEPLOYMENT, v.METRIC_NAMESPACE, v.REGION, v.GATEWAY_PORT, v.PROXY_PORT]).toEqual([
      'openclaw-example-dev',
      'OpenClaw/openclaw-example-dev',
      dev.aws.region,
      '18001',
      '8443',
    ]);
  });

  test('IMDS stays out of the gateway\'s reach unless an agent uses Bedrock (then a comment, no IPAddressDeny)', () => {
    expect(hostTemplateValues(withProviders(config, ['anthropic', 'bedrock'])).IMDS_ACCESS).toBe(
      [
        '# network.egress.providers includes bedrock: the gateway keeps access to IMDS for the',
        '# instance role credentials that the AWS SDK uses to call Bedrock (through the egress proxy,',
        '# whose squid.conf allows exactly these IMDSv2 requests: lib/host/egress-proxy.ts).',
      ].join('\n'),
    );
    expect(hostTemplateValues(withProviders(config, ['anthropic', 'openai'])).IMDS_ACCESS).toBe(PROD_VALUES.IMDS_ACCESS);
  });

  test('refuses a config value that is not safe in a shell word or a unit line, naming the placeholder', () => {
    const region = (r: string) => () => hostTemplateValues({ ...config, aws: { ...config.aws, region: r } });
    expect(region('eu west-1')).toThrow('host template: unsafe value for @@REGION@@: "eu west-1"');
    expect(region('eu-west-1;')).toThrow('host template: unsafe value for @@REGION@@: "eu-west-1;"');
    expect(region('$eu-west-1')).toThrow('host template: unsafe value for @@REGION@@: "$eu-west-1"');
  });
});

describe('readHostSource and renderHostTemplate', () => {
  test('host.env, rendered exactly', () => {
    expect(readHostSource('systemd/host.env')).toContain('AWS_REGION=@@REGION@@');
    expect(renderHostTemplate(config, 'systemd/host.env')).toBe(
      [
        '# /etc/openclaw/host.env: who this host is, for the OpenClaw helper units and scripts.',
        '# Rendered from host/systemd/host.env (lib/host/systemd-units.ts); do not edit on the host.',
        'OPENCLAW_DEPLOYMENT=openclaw-example-prod',
        'OPENCLAW_METRIC_NAMESPACE=OpenClaw/openclaw-example-prod',
        'AWS_REGION=eu-west-1',
        'AWS_DEFAULT_REGION=eu-west-1',
        '# S3 by its regional name (bucket.s3.<region>.amazonaws.com, the one on the allowlist), in',
        '# us-east-1 too, where an older default would use the global s3.amazonaws.com.',
        'AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=regional',
        '# The egress proxy (squid on loopback, squid.service): the host firewall lets only the',
        '# proxy\'s user open outbound HTTPS, so every AWS CLI call, curl and Node program of the units',
        '# that read this file goes through it; loopback and the link-local AWS services (IMDS, the',
        '# Route 53 Resolver, Amazon Time Sync) stay direct. Lowercase and uppercase: curl reads only',
        '# the lowercase http_proxy, the AWS CLI both (lowercase wins).',
        'HTTPS_PROXY=http://127.0.0.1:3128',
        'https_proxy=http://127.0.0.1:3128',
        'HTTP_PROXY=http://127.0.0.1:3128',
        'http_proxy=http://127.0.0.1:3128',
        'NO_PROXY=127.0.0.1,localhost,::1,169.254.169.254,169.254.169.253,169.254.169.123',
        'no_proxy=127.0.0.1,localhost,::1,169.254.169.254,169.254.169.253,169.254.169.123',
        '# install-bundle.sh appends OPENCLAW_CLOUDFRONT_DOMAIN=<the distribution\'s domain>, from the user data.',
        '',
      ].join('\n'),
    );
  });

  test('extra values override the config\'s, and a template without a value for every placeholder is refused', () => {
    expect(renderHostTemplate(config, 'systemd/host.env', { REGION: 'us-east-1' })).toContain('\nAWS_REGION=us-east-1\nAWS_DEFAULT_REGION=us-east-1\n');
    expect(() => renderHostTemplate(config, `systemd/${GATEWAY_UNIT_TEMPLATE}`)).toThrow(
      `host template host/systemd/${GATEWAY_UNIT_TEMPLATE}: no value for @@GATEWAY_UNIT_NAME@@, @@GATEWAY_ID@@, @@GATEWAY_USER@@, @@GATEWAY_LISTEN_PORT@@, @@GATEWAY_EXEC_APPROVALS_FILE@@, @@GATEWAY_STATE_DIR@@, @@BREAKER_MARKER@@, @@GATEWAY_SECRETS_DIR@@, @@SECRET_FILE_ASSERTS@@, @@GATEWAY_CONFIG_FILE@@, @@GATEWAY_PROXY_URL@@, @@GATEWAY_CONFIG_DIR@@, @@GATEWAY_LOG_DIR@@, @@GATEWAY_AGENT_FILES_DIRS@@, @@AGENT_FILE_BIND_MOUNTS@@`,
    );
  });
});

test("hostTemplateValues has the two node -e scripts checked as one-line shell words without single quotes (they sit in '...')", () => {
  const check = jest.spyOn(templateEngine, 'checkTemplateParts');
  try {
    hostTemplateValues(config);
    expect(check.mock.calls.map((c) => c[2])).toEqual([{ LOCKFILE_CHECK_JS: PROD_VALUES.LOCKFILE_CHECK_JS, CONTROL_UI_ORIGINS_JS: PROD_VALUES.CONTROL_UI_ORIGINS_JS }]);
  } finally {
    check.mockRestore();
  }
});

describe('gatewayTemplateValues', () => {
  test("several agents' file folders are one space-separated list", () => {
    expect(gatewayTemplateValues(support, ['/etc/openclaw/agents/a', '/etc/openclaw/agents/b']).GATEWAY_AGENT_FILES_DIRS).toBe('/etc/openclaw/agents/a /etc/openclaw/agents/b');
  });

  test('a unit name that is not a safe unit name is refused, like any unsafe value', () => {
    expect(() => gatewayTemplateValues({ ...support, unit: 'openclaw-gateway@support.mount' }, [])).toThrow('host template: unsafe unit name for @@JOURNAL_UNITS@@: "openclaw-gateway@support.mount"');
  });

  test('the gateway unit\'s own values, exactly', () => {
    expect(gatewayTemplateValues(support, ['/etc/openclaw/agents/support'])).toEqual({
      GATEWAY_ID: 'support',
      GATEWAY_USER: 'openclaw-support',
      GATEWAY_UNIT_NAME: 'openclaw-gateway@support.service',
      GATEWAY_LISTEN_PORT: '18790',
      GATEWAY_STATE_DIR: '/var/lib/openclaw/support',
      GATEWAY_CONFIG_DIR: '/etc/openclaw/gateways/support',
      GATEWAY_CONFIG_FILE: '/etc/openclaw/gateways/support/openclaw.json',
      GATEWAY_EXEC_APPROVALS_FILE: '/etc/openclaw/gateways/support/exec-approvals.json',
      GATEWAY_SECRETS_DIR: '/run/openclaw/secrets/support',
      GATEWAY_LOG_DIR: '/var/log/openclaw/support',
      GATEWAY_PROXY_URL: 'http://127.0.0.1:3130',
      BREAKER_MARKER: '/var/lib/openclaw-meter/breaker/support.tripped',
      GATEWAY_AGENT_FILES_DIRS: '/etc/openclaw/agents/support',
    });
  });
});

describe('gatewayUnitExpectations', () => {
  test('per gateway: a read-only bind mount per file of ITS agents (in its own workspaces), an assertion per secret file of its own folder', () => {
    expect(gatewayUnitExpectations(config, CONFIG_DIR, ops)).toEqual({
      bindMounts: [
        '/etc/openclaw/agents/ops/AGENTS.md:/var/lib/openclaw/ops/workspaces/ops/AGENTS.md',
        '/etc/openclaw/agents/ops/SOUL.md:/var/lib/openclaw/ops/workspaces/ops/SOUL.md',
      ],
      secretFiles: ['/run/openclaw/secrets/ops/gateway-token', '/run/openclaw/secrets/ops/agent-ops.json'],
      agentFilesDirs: ['/etc/openclaw/agents/ops'],
    });
    expect(gatewayUnitExpectations(config, CONFIG_DIR, support)).toEqual({
      bindMounts: [
        '/etc/openclaw/agents/support/AGENTS.md:/var/lib/openclaw/support/workspaces/support/AGENTS.md',
        '/etc/openclaw/agents/support/SOUL.md:/var/lib/openclaw/support/workspaces/support/SOUL.md',
      ],
      secretFiles: ['/run/openclaw/secrets/support/gateway-token', '/run/openclaw/secrets/support/agent-support.json'],
      agentFilesDirs: ['/etc/openclaw/agents/support'],
    });
  });

  /** The expectations of a config whose one agent is named `agent` (its two files on disk). */
  const expectationsOf = (agent: string) => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oc-units-')), 'config');
    const agentDir = path.join(dir, 'clients', 'example', 'agents', agent);
    fs.mkdirSync(agentDir, { recursive: true });
    for (const f of ['SOUL.md', 'AGENTS.md']) fs.writeFileSync(path.join(agentDir, f), `${f}\n`);
    const c = { ...config, openclaw: { ...config.openclaw, agents: { [agent]: config.openclaw.agents.ops! } } } as ResolvedConfig;
    return () => gatewayUnitExpectations(c, dir, agentGateways(c)[0]!);
  };

  test('refuses an agent whose paths systemd would misread: a space', () => {
    expect(expectationsOf('my agent')).toThrow(new Error('gateway unit openclaw-gateway@my agent.service: unsafe path "/etc/openclaw/agents/my agent/AGENTS.md"'));
  });

  test('refuses an agent whose paths systemd would misread: a colon (a bind mount of three parts, the middle one relative)', () => {
    expect(expectationsOf('a:b')).toThrow(new Error('gateway unit openclaw-gateway@a:b.service: unsafe path "b/AGENTS.md"'));
  });
});

describe('renderSystemdFiles', () => {
  test('renders a unit per gateway, the target, the systemd files and host.env, keyed by bundle path', () => {
    expect(Object.keys(files)).toEqual(['systemd/openclaw-gateway@ops.service', 'systemd/openclaw-gateway@support.service', GATEWAYS_TARGET_BUNDLE_PATH, ...SYSTEMD_FILES, HOST_ENV_PATH]);
    expect(GATEWAYS_TARGET_BUNDLE_PATH).toBe('systemd/openclaw-gateways.target');
    expect(HOST_ENV_PATH).toBe('openclaw/host.env');
    expect(files[HOST_ENV_PATH]).toBe(renderHostTemplate(config, 'systemd/host.env'));
  });

  test.each([ops, support].map((g) => [g.id, g]))('the unit of gateway %s carries its own bind mounts and secret-file assertions', (_id, g) => {
    const text = files[gatewayUnitBundlePath(g)]!;
    const expected = gatewayUnitExpectations(config, CONFIG_DIR, g);
    expect(text).toContain(`\n${expected.bindMounts.map((m) => `BindReadOnlyPaths=${m}`).join('\n')}\n`);
    expect(text).toContain(`\n${expected.secretFiles.map((f) => `AssertFileNotEmpty=${f}`).join('\n')}\n`);
  });

  test('refuses a weakened gateway template, naming the first gateway and listing every problem', () => {
    const weaken = (t: string) => t.replace('NoNewPrivileges=yes', 'NoNewPrivileges=no').replace('UMask=0077', 'UMask=0022');
    expect(() => withHostSource(`systemd/${GATEWAY_UNIT_TEMPLATE}`, weaken, () => renderSystemdFiles(config, CONFIG_DIR))).toThrow(
      new Error(`openclaw-gateway@ops.service (host/systemd/${GATEWAY_UNIT_TEMPLATE}): sandbox weakened:\n  - NoNewPrivileges=yes missing\n  - UMask=0077 missing`),
    );
  });

  test('refuses a template weakened for one gateway only (each gateway\'s unit is checked, not just the first)', () => {
    // Every gateway writes ops's state folder: ops's unit is as designed, support's is not.
    const weaken = (t: string) => t.replace('ReadWritePaths=@@GATEWAY_STATE_DIR@@ ', 'ReadWritePaths=/var/lib/openclaw/ops ');
    expect(() => withHostSource(`systemd/${GATEWAY_UNIT_TEMPLATE}`, weaken, () => renderSystemdFiles(config, CONFIG_DIR))).toThrow(
      new Error(
        `openclaw-gateway@support.service (host/systemd/${GATEWAY_UNIT_TEMPLATE}): sandbox weakened:\n  - ReadWritePaths must be exactly /var/lib/openclaw/support /var/log/openclaw/support (is /var/lib/openclaw/ops /var/log/openclaw/support)`,
      ),
    );
  });
});
