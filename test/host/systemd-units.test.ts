import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HOST_PATHS } from '../../lib/host/paths';
import type { ResolvedConfig } from '../../lib/config/schema';
import {
  BUNDLE_REQUIRED_FILES,
  GATEWAY_APPROVALS_IMPORT,
  GATEWAY_ENVIRONMENT,
  GATEWAY_FORBIDDEN_ENVIRONMENT,
  GATEWAY_REQUIRED_TRUE,
  GATEWAY_UNIT,
  HELPER_SCRIPT_FILES,
  HOST_ENV_PATH,
  HOST_SOURCE_DIR,
  JOURNAL_EXPORT_UNITS,
  STATE_VOLUME_STEPS,
  SYSTEMD_FILES,
  braceGroups,
  checkTemplateParts,
  directoryUnder,
  fillTemplate,
  gatewayUnitExpectations,
  gatewayUnitProblems,
  hostTemplateValues,
  metricNamespace,
  parseUnit,
  readHostSource,
  renderHostTemplate,
  renderSystemdFiles,
  shellWordLines,
  unitList,
  unitValue,
} from '../../lib/host/systemd-units';
import { CONFIG_DIR, REPO_ROOT } from '../support/config-fixture';
import { exampleConfig } from './support/host-tools';
import { withHostSource } from './support/patch-host-source';

// lib/host/systemd-units.ts on its own, fast: the placeholder engine, the unit-file
// parser, the gateway sandbox checker (every refusal, its exact message), the values
// every host template gets, and the pinned lists. What every rendered unit says,
// directive by directive, is test/host-runtime/unit-directives.test.ts.

const config = exampleConfig('prod');
const files = renderSystemdFiles(config, CONFIG_DIR);
const gatewayText = files[`systemd/${GATEWAY_UNIT}`]!;
const expected = gatewayUnitExpectations(config, CONFIG_DIR);

/** `text` with `from` replaced by `to`; fails when `from` is not there (an edit that changes nothing proves nothing). */
function edit(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}
/** The gateway unit with the whole line `line` replaced by `to` ('' drops it). */
const gatewayWith = (line: string, to: string) => edit(gatewayText, `\n${line}\n`, to === '' ? '\n' : `\n${to}\n`);

describe('pinned names and lists', () => {
  test('the host templates are read from host/ of the repo', () => {
    expect(HOST_SOURCE_DIR).toBe(path.join(REPO_ROOT, 'host'));
  });

  test('the units whose journal is exported (JOURNAL_EXPORT_UNITS), exactly', () => {
    expect(JOURNAL_EXPORT_UNITS).toEqual([
      'openclaw-gateway.service',
      'nginx.service',
      'openclaw-imds-preflight.service',
      'openclaw-secrets.service',
      'openclaw-state-volume.service',
      'openclaw-secrets-refresh.service',
      'openclaw-integrity.service',
      'openclaw-health.service',
      'openclaw-log-export.service',
      'openclaw-spend-meter.service',
      'nftables.service',
      'amazon-cloudwatch-agent.service',
      'cloud-final.service',
    ]);
  });

  test('the rendered systemd files, helper scripts and state-volume steps, exactly', () => {
    expect(SYSTEMD_FILES).toEqual([
      'systemd/openclaw-gateway.service',
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
      'systemd/nginx.service.d/openclaw.conf',
      'systemd/tmpfiles.d/openclaw.conf',
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
    ]);
    expect(STATE_VOLUME_STEPS).toEqual(['StateVolumeAttach', 'StateVolumeDevice', 'StateVolumeFilesystem', 'StateVolumeMount']);
  });

  test('the bundle files install-bundle.sh and packBundle require (BUNDLE_REQUIRED_FILES), exactly', () => {
    expect(BUNDLE_REQUIRED_FILES).toEqual([
      'openclaw/openclaw.json',
      'openclaw/control-ui-origins.json',
      'openclaw/exec-approvals.json',
      'openclaw/package.json',
      'openclaw/package-lock.json',
      'agents.sha256',
      'openclaw/host.env',
      'nginx/nginx.conf',
      'nginx/openclaw/allowed-origins.map.conf',
      'nftables/openclaw.nft',
      ...SYSTEMD_FILES,
      ...HELPER_SCRIPT_FILES,
      'scripts/fetch-secrets.js',
      'scripts/spend-meter.js',
      'openclaw/secrets-manifest.json',
      'openclaw/spend-meter.json',
      'cloudwatch/amazon-cloudwatch-agent.json',
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
    ]);
    expect(GATEWAY_ENVIRONMENT).toEqual([
      'HOME=/var/lib/openclaw',
      'OPENCLAW_STATE_DIR=/var/lib/openclaw',
      'OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json',
      'OPENCLAW_CONFIG_READONLY=1',
      'OPENCLAW_NO_RESPAWN=1',
      'OPENCLAW_NO_AUTO_UPDATE=1',
    ]);
    expect(GATEWAY_FORBIDDEN_ENVIRONMENT).toEqual(['OPENCLAW_GATEWAY_TOKEN']);
    expect(GATEWAY_APPROVALS_IMPORT).toBe(
      '/opt/openclaw/node_modules/node/bin/node /opt/openclaw/node_modules/openclaw/openclaw.mjs approvals set --file /etc/openclaw/exec-approvals.json',
    );
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
  GATEWAY_UNIT: 'openclaw-gateway.service',
  GATEWAY_PORT: '18789',
  PROXY_PORT: '8080',
  HEALTH_METRIC: 'GatewayHealthy',
  EGRESS_METRIC: 'EgressHealthy',
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
    'openclaw/{openclaw,control-ui-origins,exec-approvals,package,package-lock,secrets-manifest,spend-meter}.json \\',
    '  agents.sha256 openclaw/host.env nginx/nginx.conf nginx/openclaw/allowed-origins.map.conf nftables/openclaw.nft \\',
    '  systemd/openclaw-{gateway,imds-preflight,secrets,state-volume,integrity,secrets-refresh,health,log-export,spend-meter}.service \\',
    '  systemd/openclaw-{integrity,secrets-refresh,health,log-export,spend-meter}.timer \\',
    '  systemd/nginx.service.d/openclaw.conf systemd/tmpfiles.d/openclaw.conf \\',
    '  scripts/{imds-preflight,check-agent-files,fetch-secrets,refresh-secrets,check-gateway-health,export-logs,attach-state-volume,prepare-state}.sh \\',
    '  scripts/{fetch-secrets,spend-meter}.js cloudwatch/amazon-cloudwatch-agent.json',
  ].join('\n'),
  JOURNAL_UNITS:
    'openclaw-gateway.service nginx.service openclaw-imds-preflight.service openclaw-secrets.service openclaw-state-volume.service openclaw-secrets-refresh.service openclaw-integrity.service openclaw-health.service openclaw-log-export.service openclaw-spend-meter.service nftables.service amazon-cloudwatch-agent.service cloud-final.service',
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
      '# network.egress.providers includes bedrock: the gateway keeps access to IMDS for the\n# instance role credentials that the AWS SDK uses to call Bedrock.',
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

describe('checkTemplateParts', () => {
  const ok = () => checkTemplateParts({ A: 'a/b.c_d:e+f=g@h-1' }, ['x/y-z.json'], { JS: 'console.log("x")' }, ['a_b.c@d-1.service', 'x.timer', 'y.socket', 'z.target']);
  test('accepts path, name and unit characters', () => {
    expect(ok).not.toThrow();
  });

  test.each([
    ['a value with a space', 'a b'],
    ['a value with a quote', 'a"b'],
    ['a value with $', 'a$b'],
    ['a bad first character', ' ab'],
    ['a bad last character', 'ab;'],
    ['an empty value', ''],
  ])('refuses %s', (_what, value) => {
    expect(() => checkTemplateParts({ NAME: value }, [], {}, [])).toThrow(`host template: unsafe value for @@NAME@@: ${JSON.stringify(value)}`);
  });

  test('refuses an unsafe bundle path', () => {
    expect(() => checkTemplateParts({}, ['ok/path', 'a b'], {}, [])).toThrow('host template: unsafe bundle path for @@BUNDLE_REQUIRED_FILES@@: "a b"');
    expect(() => checkTemplateParts({}, ['a,b'], {}, [])).toThrow('host template: unsafe bundle path for @@BUNDLE_REQUIRED_FILES@@: "a,b"');
  });

  test('refuses a node -e script with a single quote or a newline', () => {
    expect(() => checkTemplateParts({}, [], { S: "a'b" }, [])).toThrow('host template: S must be one line without single quotes');
    expect(() => checkTemplateParts({}, [], { T: 'a\nb' }, [])).toThrow('host template: T must be one line without single quotes');
  });

  test.each(['x.service ', ' x.service', 'x*.service', 'x.services', 'x.mount', '.service', 'x.service.d'])('refuses the unit name %j', (unit) => {
    expect(() => checkTemplateParts({}, [], {}, [unit])).toThrow(`host template: unsafe unit name for @@JOURNAL_UNITS@@: ${JSON.stringify(unit)}`);
  });
});

describe('directoryUnder (LogsDirectory=, StateDirectory=)', () => {
  test('the one folder name directly under the parent', () => {
    expect(directoryUnder('/var/log', '/var/log/openclaw-audit')).toBe('openclaw-audit');
    expect(directoryUnder('/var/lib', '/var/lib/a_b.c-1')).toBe('a_b.c-1');
  });

  test.each([
    ['/var/log/a/b', 'two levels down'],
    ['/var/lib/x', 'another parent'],
    ['/var/log', 'the parent itself'],
    ['/var/log/.hidden', 'a dot folder'],
    ['/var/log/a b', 'a space'],
  ])('refuses %s (%s)', (dir) => {
    expect(() => directoryUnder('/var/log', dir)).toThrow(`host template: ${dir} must be one folder directly under /var/log`);
  });
});

describe('braceGroups and shellWordLines (the installer\'s required-file list)', () => {
  test('one word per folder and extension, the common start before the brace, in first-seen order', () => {
    expect(braceGroups(['d/ab.x', 'e/only.y', 'd/ac.x', 'top', 'd/ad.z', 'top2.md', 'top3.md'])).toEqual([
      'd/a{b,c}.x',
      'e/only.y',
      'top',
      'd/ad.z',
      'top{2,3}.md',
    ]);
  });

  test('never an empty alternative: a stem that is the common start keeps one character inside the brace', () => {
    expect(braceGroups(['s/package.json', 's/package-lock.json'])).toEqual(['s/packag{e,e-lock}.json']);
    expect(braceGroups(['a.sh', 'b.sh'])).toEqual(['{a,b}.sh']);
  });

  test('paths of different folders with one extension stay apart (the folder is up to the last /)', () => {
    expect(braceGroups(['d/a.x', 'e/b.x'])).toEqual(['d/a.x', 'e/b.x']);
    expect(braceGroups(['dd/a.x', 'dd/b.x', 'ee/c.x'])).toEqual(['dd/{a,b}.x', 'ee/c.x']);
  });

  test('a name without a dot has no extension: the brace ends the word', () => {
    expect(braceGroups(['s/top', 's/tap'])).toEqual(['s/t{op,ap}']);
  });

  test('the common start ends at the first differing character, over every stem of the group', () => {
    expect(braceGroups(['d/abc.x', 'd/axc.x'])).toEqual(['d/a{bc,xc}.x']);
    expect(braceGroups(['d/abx.x', 'd/aby.x', 'd/abzz.x'])).toEqual(['d/ab{x,y,zz}.x']);
    expect(braceGroups(['d/ab.x', 'd/ac.x', 'd/a.x'])).toEqual(['d/{ab,ac,a}.x']);
  });

  test('wraps the words at 110 columns with ` \\` continuations', () => {
    const w = (n: number, c: string) => c.repeat(n);
    expect(shellWordLines([w(50, 'a'), w(59, 'b'), w(1, 'c')])).toBe(`${w(50, 'a')} ${w(59, 'b')} \\\n  c`);
    expect(shellWordLines([w(50, 'a'), w(60, 'b')])).toBe(`${w(50, 'a')} \\\n  ${w(60, 'b')}`);
    expect(shellWordLines(['x', 'y'], 3)).toBe('x y');
    expect(shellWordLines(['x', 'y'], 2)).toBe('x \\\n  y');
    expect(shellWordLines([])).toBe('');
    expect(shellWordLines(['xyz', 'w'], 2)).toBe('xyz \\\n  w');
  });
});

describe('fillTemplate', () => {
  test('replaces every @@NAME@@ (upper case, digits, underscore), leaves other text alone', () => {
    expect(fillTemplate('a=@@A_1@@ b=@@B@@ @@A_1@@ @@lower@@ @A@', { A_1: 'x', B: 'y' }, 'src')).toBe('a=x b=y x @@lower@@ @A@');
  });

  test('a value is inserted as is (no $ replacement patterns)', () => {
    expect(fillTemplate('@@A@@', { A: "$& $' $1" }, 'src')).toBe("$& $' $1");
  });

  test('refuses a placeholder without a value, naming each once, in order', () => {
    expect(() => fillTemplate('@@B@@ @@A@@ @@B@@ @@C@@', { C: 'c' }, 'host/x.service')).toThrow(new Error('host template host/x.service: no value for @@B@@, @@A@@'));
  });

  test('keeps the placeholders listed in `keep` for a later step', () => {
    expect(fillTemplate('@@K@@ @@A@@', { A: 'a' }, 'src', ['K'])).toBe('@@K@@ a');
    expect(fillTemplate('@@K@@', { K: 'v' }, 'src', ['K'])).toBe('@@K@@');
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
        '# install-bundle.sh appends OPENCLAW_CLOUDFRONT_DOMAIN=<the distribution\'s domain>, from the user data.',
        '',
      ].join('\n'),
    );
  });

  test('extra values override the config\'s, and a template without a value for every placeholder is refused', () => {
    expect(renderHostTemplate(config, 'systemd/host.env', { REGION: 'us-east-1' })).toContain('\nAWS_REGION=us-east-1\nAWS_DEFAULT_REGION=us-east-1\n');
    expect(() => renderHostTemplate(config, `systemd/${GATEWAY_UNIT}`)).toThrow(
      `host template host/systemd/${GATEWAY_UNIT}: no value for @@SECRET_FILE_ASSERTS@@, @@AGENT_FILE_BIND_MOUNTS@@`,
    );
  });
});

describe('parseUnit, unitList, unitValue (as systemd reads a unit)', () => {
  const text = ['# comment', '; comment too', '', '[Unit]', 'A = 1 ', '[Service]', '  B=x y \\', '  z', 'B=w', 'C=', 'A=2', 'A=3', 'D=k=v'].join('\n');
  const e = parseUnit(text);

  test('sections, trimmed keys and values, comments and blank lines skipped, continuation joined, line numbers of the first line', () => {
    expect(e).toEqual([
      { section: 'Unit', key: 'A', value: '1', line: 5 },
      { section: 'Service', key: 'B', value: 'x y  z', line: 7 },
      { section: 'Service', key: 'B', value: 'w', line: 9 },
      { section: 'Service', key: 'C', value: '', line: 10 },
      { section: 'Service', key: 'A', value: '2', line: 11 },
      { section: 'Service', key: 'A', value: '3', line: 12 },
      { section: 'Service', key: 'D', value: 'k=v', line: 13 },
    ]);
  });

  test('a setting before any section header has the empty section', () => {
    expect(parseUnit('A=1\n[S]\nB=2')).toEqual([
      { section: '', key: 'A', value: '1', line: 1 },
      { section: 'S', key: 'B', value: '2', line: 3 },
    ]);
  });

  test('each line is trimmed first: an indented header or comment, a blank-only line, a backslash before trailing blanks', () => {
    expect(parseUnit('  [S]  \n  # c\n \t\n\t; c\nA=b \\  \n c')).toEqual([{ section: 'S', key: 'A', value: 'b  c', line: 5 }]);
  });

  test('a trailing backslash on the last line is kept', () => {
    expect(parseUnit('[S]\nA=b\\')).toEqual([{ section: 'S', key: 'A', value: 'b\\', line: 2 }]);
  });

  test('a section header is a whole line in brackets; brackets in a value are the value', () => {
    expect(parseUnit('[S]\nA=[x]\nB=1')).toEqual([
      { section: 'S', key: 'A', value: '[x]', line: 2 },
      { section: 'S', key: 'B', value: '1', line: 3 },
    ]);
    expect(() => parseUnit('[S]\nx[T]')).toThrow(new Error('unit line 2: expected Key=value, got "x[T]"'));
    expect(() => parseUnit('[S]\n[T] x')).toThrow(new Error('unit line 2: expected Key=value, got "[T] x"'));
    expect(() => parseUnit('[]')).toThrow(new Error('unit line 1: expected Key=value, got "[]"'));
  });

  test('refuses a line that is not Key=value, naming it', () => {
    expect(() => parseUnit('[Unit]\n\nnot a setting')).toThrow(new Error('unit line 3: expected Key=value, got "not a setting"'));
    expect(() => parseUnit('=value')).toThrow(new Error('unit line 1: expected Key=value, got "=value"'));
    expect(() => parseUnit('[Unit')).toThrow(new Error('unit line 1: expected Key=value, got "[Unit"'));
  });

  test('unitList: assignments of the section and key accumulate, split on white space; an empty one resets', () => {
    expect(unitList(e, 'Service', 'B')).toEqual(['x', 'y', 'z', 'w']);
    expect(unitList(parseUnit('[S]\nL=a b\nL=\nL=c\n[T]\nL=d\n[S]\nM=e'), 'S', 'L')).toEqual(['c']);
    expect(unitList(e, 'Service', 'C')).toEqual([]);
    expect(unitList(e, 'Nowhere', 'B')).toEqual([]);
  });

  test('unitValue: the last assignment of the section and key, undefined when none', () => {
    expect(unitValue(e, 'Service', 'A')).toBe('3');
    expect(unitValue(e, 'Unit', 'A')).toBe('1');
    expect(unitValue(e, 'Unit', 'B')).toBeUndefined();
  });
});

describe('gatewayUnitExpectations', () => {
  test('one read-only bind mount per agent file, one assertion per secret file', () => {
    expect(expected).toEqual({
      bindMounts: [
        '/etc/openclaw/agents/ops/AGENTS.md:/var/lib/openclaw/workspaces/ops/AGENTS.md',
        '/etc/openclaw/agents/ops/SOUL.md:/var/lib/openclaw/workspaces/ops/SOUL.md',
        '/etc/openclaw/agents/support/AGENTS.md:/var/lib/openclaw/workspaces/support/AGENTS.md',
        '/etc/openclaw/agents/support/SOUL.md:/var/lib/openclaw/workspaces/support/SOUL.md',
      ],
      secretFiles: ['/run/openclaw/secrets/gateway-token', '/run/openclaw/secrets/agent-ops.json', '/run/openclaw/secrets/agent-support.json'],
    });
  });

  /** The expectations of a config whose one agent is named `agent` (its two files on disk). */
  const expectationsOf = (agent: string) => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oc-units-')), 'config');
    const agentDir = path.join(dir, 'clients', 'example', 'agents', agent);
    fs.mkdirSync(agentDir, { recursive: true });
    for (const f of ['SOUL.md', 'AGENTS.md']) fs.writeFileSync(path.join(agentDir, f), `${f}\n`);
    const c = { ...config, openclaw: { ...config.openclaw, agents: { [agent]: config.openclaw.agents.ops! } } } as ResolvedConfig;
    return () => gatewayUnitExpectations(c, dir);
  };

  test('refuses an agent whose paths systemd would misread: a space', () => {
    expect(expectationsOf('my agent')).toThrow(new Error('gateway unit: unsafe path "/etc/openclaw/agents/my agent/AGENTS.md"'));
  });

  test('refuses an agent whose paths systemd would misread: a colon (a bind mount of three parts, the middle one relative)', () => {
    expect(expectationsOf('a:b')).toThrow(new Error('gateway unit: unsafe path "b/AGENTS.md"'));
  });
});

describe('gatewayUnitProblems: the gateway sandbox, each weakening refused with its message', () => {
  test('the rendered unit has none, with and without the config\'s expectations', () => {
    expect(gatewayUnitProblems(gatewayText, expected)).toEqual([]);
    expect(gatewayUnitProblems(gatewayText)).toEqual([]);
  });

  test.each(GATEWAY_REQUIRED_TRUE.map((k) => [k]))('%s=no, or dropped, is refused', (key) => {
    expect(gatewayUnitProblems(gatewayWith(`${key}=yes`, `${key}=no`), expected)).toEqual([`${key}=yes missing`]);
    expect(gatewayUnitProblems(gatewayWith(`${key}=yes`, ''), expected)).toEqual([`${key}=yes missing`]);
  });

  test.each(['true', 'on', '1'])('%s counts as yes', (yes) => {
    expect(gatewayUnitProblems(gatewayWith('NoNewPrivileges=yes', `NoNewPrivileges=${yes}`), expected)).toEqual([]);
  });

  test('a setting in another section does not count', () => {
    const moved = edit(gatewayWith('NoNewPrivileges=yes', ''), '[Unit]\n', '[Unit]\nNoNewPrivileges=yes\n');
    expect(gatewayUnitProblems(moved, expected)).toEqual(['NoNewPrivileges=yes missing']);
  });

  /** The gateway unit with `line` moved from its section to the end of `section` ([Unit] ends where [Service] starts, [Service] where [Install] does). */
  const moveTo = (line: string, section: 'Unit' | 'Service' | 'Install') => {
    const without = gatewayWith(line, '');
    if (section === 'Install') return `${without}${line}\n`;
    const next = section === 'Unit' ? '[Service]\n' : '[Install]\n';
    return edit(without, next, `${line}\n${next}`);
  };

  test.each([
    ['CapabilityBoundingSet=', 'Unit', ['CapabilityBoundingSet= must be present and empty']],
    ['SystemCallFilter=@system-service', 'Install', ['SystemCallFilter=@system-service missing']],
    ['SystemCallFilter=~@privileged @resources', 'Unit', ['SystemCallFilter=~@privileged missing', 'SystemCallFilter=~@resources missing']],
    [`ExecStartPre=${GATEWAY_APPROVALS_IMPORT}`, 'Unit', [`ExecStartPre=${GATEWAY_APPROVALS_IMPORT} missing`]],
    ['AssertPathIsMountPoint=/var/lib/openclaw', 'Service', ['AssertPathIsMountPoint=/var/lib/openclaw missing (the state volume)']],
  ] as const)('%s moved to [%s] does not count', (line, section, problems) => {
    expect(gatewayUnitProblems(moveTo(line, section), expected)).toEqual(problems);
  });

  test('a secret-file assertion moved to [Service] does not count', () => {
    const last = `AssertFileNotEmpty=${expected.secretFiles[2]}`;
    expect(gatewayUnitProblems(moveTo(last, 'Service'), expected)).toEqual([
      `AssertFileNotEmpty must name exactly the secret files (${expected.secretFiles.join(' ')}), is ${expected.secretFiles.slice(0, 2).join(' ')}`,
    ]);
  });

  test('only SystemCallFilter= filters system calls: the same value under SystemCallLog= does not count', () => {
    expect(gatewayUnitProblems(gatewayWith('SystemCallFilter=@system-service', 'SystemCallLog=@system-service'), expected)).toEqual(['SystemCallFilter=@system-service missing']);
    expect(gatewayUnitProblems(gatewayWith('SystemCallFilter=~@privileged @resources', 'SystemCallLog=~@privileged @resources'), expected)).toEqual([
      'SystemCallFilter=~@privileged missing',
      'SystemCallFilter=~@resources missing',
    ]);
  });

  test.each(['Unit', 'Install'] as const)('EnvironmentFile= and PassEnvironment= outside [Service] (in [%s]) are not the service\'s environment', (section) => {
    const inSection = (text: string, l: string) =>
      section === 'Install' ? `${text}${l}\n` : edit(text, '[Service]\n', `${l}\n[Service]\n`);
    expect(gatewayUnitProblems(inSection(inSection(gatewayText, 'EnvironmentFile=/etc/openclaw/host.env'), 'PassEnvironment=X'), expected)).toEqual([]);
  });

  test.each([
    ['ProtectSystem=strict', 'ProtectSystem=full', 'ProtectSystem=strict missing'],
    ['User=openclaw', 'User=root', 'User=openclaw missing'],
    ['CapabilityBoundingSet=', 'CapabilityBoundingSet=CAP_NET_RAW', 'CapabilityBoundingSet= must be present and empty'],
    ['CapabilityBoundingSet=', '', 'CapabilityBoundingSet= must be present and empty'],
    ['AmbientCapabilities=', 'AmbientCapabilities=CAP_NET_RAW', 'AmbientCapabilities= must be present and empty'],
    ['AmbientCapabilities=', '', 'AmbientCapabilities= must be present and empty'],
    ['SystemCallArchitectures=native', 'SystemCallArchitectures=native x86', 'SystemCallArchitectures=native missing'],
    ['SystemCallFilter=@system-service', '', 'SystemCallFilter=@system-service missing'],
    ['SystemCallFilter=~@privileged @resources', 'SystemCallFilter=~@resources', 'SystemCallFilter=~@privileged missing'],
    ['SystemCallFilter=~@privileged @resources', 'SystemCallFilter=~@privileged', 'SystemCallFilter=~@resources missing'],
    ['RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6', 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK', 'RestrictAddressFamilies must be exactly AF_UNIX AF_INET AF_INET6 (is AF_INET AF_INET6 AF_NETLINK AF_UNIX)'],
    ['RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6', '', 'RestrictAddressFamilies must be exactly AF_UNIX AF_INET AF_INET6 (is unset)'],
    ['UMask=0077', 'UMask=0022', 'UMask=0077 missing'],
    ['ReadWritePaths=/var/lib/openclaw /var/log/openclaw', 'ReadWritePaths=/var/lib/openclaw /var/log/openclaw /etc', 'ReadWritePaths must be exactly /var/lib/openclaw /var/log/openclaw (is /etc /var/lib/openclaw /var/log/openclaw)'],
    ['ReadWritePaths=/var/lib/openclaw /var/log/openclaw', '', 'ReadWritePaths must be exactly /var/lib/openclaw /var/log/openclaw (is unset)'],
    ['ReadOnlyPaths=/etc/openclaw /etc/openclaw/agents', 'ReadOnlyPaths=/etc/openclaw', 'ReadOnlyPaths must include /etc/openclaw/agents'],
    ['ReadOnlyPaths=/etc/openclaw /etc/openclaw/agents', 'ReadOnlyPaths=/etc/openclaw/agents', 'ReadOnlyPaths must include /etc/openclaw'],
    [`ExecStart=${HOST_PATHS.node} ${HOST_PATHS.openclawBin} gateway run`, `ExecStart=${HOST_PATHS.node} ${HOST_PATHS.openclawBin} gateway run --dev`, 'ExecStart must run the pinned node and openclaw: gateway run'],
    [`ExecStartPre=${GATEWAY_APPROVALS_IMPORT}`, '', `ExecStartPre=${GATEWAY_APPROVALS_IMPORT} missing`],
    ['Environment=OPENCLAW_CONFIG_READONLY=1', 'Environment=OPENCLAW_CONFIG_READONLY=0', 'Environment=OPENCLAW_CONFIG_READONLY=1 missing'],
    ['Restart=on-failure', 'Restart=always', 'Restart=on-failure missing'],
    ['StartLimitBurst=5', '', 'StartLimitBurst= and StartLimitIntervalSec= missing'],
    ['StartLimitIntervalSec=600', '', 'StartLimitBurst= and StartLimitIntervalSec= missing'],
    ['AssertPathIsMountPoint=/var/lib/openclaw', 'AssertPathIsMountPoint=/var/lib', 'AssertPathIsMountPoint=/var/lib/openclaw missing (the state volume)'],
  ])('%s -> %j: refused', (line, to, problem) => {
    expect(gatewayUnitProblems(gatewayWith(line, to), expected)).toEqual([problem]);
  });

  test('an emptied capability list later in the file is empty (systemd resets a list on an empty assignment)', () => {
    expect(gatewayUnitProblems(gatewayWith('CapabilityBoundingSet=', 'CapabilityBoundingSet=CAP_NET_RAW\nCapabilityBoundingSet='), expected)).toEqual([]);
  });

  test('the address families and writable paths may be listed in any order', () => {
    expect(gatewayUnitProblems(gatewayWith('RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6', 'RestrictAddressFamilies=AF_INET6 AF_INET AF_UNIX'), expected)).toEqual([]);
    expect(gatewayUnitProblems(gatewayWith('ReadWritePaths=/var/lib/openclaw /var/log/openclaw', 'ReadWritePaths=/var/log/openclaw /var/lib/openclaw'), expected)).toEqual([]);
  });

  test('a denied group only counts in a ~ filter', () => {
    expect(gatewayUnitProblems(gatewayWith('SystemCallFilter=~@privileged @resources', 'SystemCallFilter=@privileged @resources'), expected)).toEqual([
      'SystemCallFilter=~@privileged missing',
      'SystemCallFilter=~@resources missing',
    ]);
  });

  test('MemoryDenyWriteExecute on breaks the V8 JIT: refused; explicitly off is fine', () => {
    const add = (v: string) => gatewayWith('LockPersonality=yes', `LockPersonality=yes\nMemoryDenyWriteExecute=${v}`);
    expect(gatewayUnitProblems(add('yes'), expected)).toEqual(['MemoryDenyWriteExecute must be off: the V8 JIT needs writable+executable memory']);
    expect(gatewayUnitProblems(add('no'), expected)).toEqual([]);
  });

  test.each(['-', '+', '!', ':', '@'])('an ExecStartPre= with the %s prefix is refused', (prefix) => {
    const extra = gatewayWith(`ExecStartPre=${GATEWAY_APPROVALS_IMPORT}`, `ExecStartPre=${GATEWAY_APPROVALS_IMPORT}\nExecStartPre=${prefix}/bin/true`);
    expect(gatewayUnitProblems(extra, expected)).toEqual(['ExecStartPre must run as the gateway user, and its failure must stop the start (no -, +, ! or : prefix)']);
  });

  test('an ExecStartPre= whose prefix is not the first character is not a prefix', () => {
    const extra = gatewayWith(`ExecStartPre=${GATEWAY_APPROVALS_IMPORT}`, `ExecStartPre=${GATEWAY_APPROVALS_IMPORT}\nExecStartPre=/bin/true -x`);
    expect(gatewayUnitProblems(extra, expected)).toEqual([]);
  });

  test.each(GATEWAY_ENVIRONMENT.map((v) => [v]))('Environment=%s dropped is refused', (v) => {
    expect(gatewayUnitProblems(gatewayWith(`Environment=${v.replace(/\/var\/lib\/openclaw$/, '/var/lib/openclaw')}`, ''), expected)).toEqual([`Environment=${v} missing`]);
  });

  test('the gateway token in the environment is refused; a longer variable name is not that one', () => {
    const add = (v: string) => gatewayWith('Environment=NODE_ENV=production', `Environment=NODE_ENV=production\nEnvironment=${v}`);
    expect(gatewayUnitProblems(add('OPENCLAW_GATEWAY_TOKEN=abc'), expected)).toEqual(['Environment=OPENCLAW_GATEWAY_TOKEN must not be set']);
    expect(gatewayUnitProblems(add('OPENCLAW_GATEWAY_TOKEN_FILE=/x'), expected)).toEqual([]);
  });

  test.each(['EnvironmentFile=/etc/openclaw/host.env', 'PassEnvironment=OPENCLAW_GATEWAY_TOKEN'])('%s is refused', (line) => {
    expect(gatewayUnitProblems(gatewayWith('UMask=0077', `UMask=0077\n${line}`), expected)).toEqual([
      'EnvironmentFile= and PassEnvironment= must not be set (nothing but the listed Environment=)',
    ]);
  });

  test('writable bind mounts (BindPaths=) are refused', () => {
    expect(gatewayUnitProblems(gatewayWith('UMask=0077', 'UMask=0077\nBindPaths=/etc:/var/lib/openclaw/etc'), expected)).toEqual([
      'BindPaths= must not be set (writable bind mounts)',
    ]);
  });

  test.each([
    ['Requires', 'openclaw-imds-preflight.service'],
    ['Requires', 'openclaw-secrets.service'],
    ['Requires', 'openclaw-state-volume.service'],
    ['After', 'openclaw-imds-preflight.service'],
    ['After', 'openclaw-secrets.service'],
    ['After', 'openclaw-state-volume.service'],
  ])('%s= without %s is refused', (key, unit) => {
    const line = `${key}=openclaw-imds-preflight.service openclaw-secrets.service openclaw-state-volume.service`;
    expect(gatewayUnitProblems(gatewayWith(line, line.replace(` ${unit}`, '').replace(`=${unit} `, '=')), expected)).toEqual([`${key}= must include ${unit}`]);
  });

  test('given the expectations: exactly the agent-file bind mounts and the secret-file assertions', () => {
    const lastBind = `BindReadOnlyPaths=${expected.bindMounts[3]}`;
    const lastAssert = `AssertFileNotEmpty=${expected.secretFiles[2]}`;
    expect(gatewayUnitProblems(gatewayWith(lastBind, ''), expected)).toEqual([
      `BindReadOnlyPaths must be exactly the agent files (${expected.bindMounts.join(' ')}), is ${expected.bindMounts.slice(0, 3).join(' ')}`,
    ]);
    expect(gatewayUnitProblems(gatewayWith(lastAssert, ''), expected)).toEqual([
      `AssertFileNotEmpty must name exactly the secret files (${expected.secretFiles.join(' ')}), is ${expected.secretFiles.slice(0, 2).join(' ')}`,
    ]);
    // Without expectations, neither is checked.
    expect(gatewayUnitProblems(gatewayWith(lastBind, ''))).toEqual([]);
    const none = { bindMounts: ['/a:/b'], secretFiles: ['/c'] };
    const stripped = gatewayText
      .split('\n')
      .filter((l) => !l.startsWith('BindReadOnlyPaths=') && !l.startsWith('AssertFileNotEmpty='))
      .join('\n');
    expect(gatewayUnitProblems(stripped, none)).toEqual([
      'BindReadOnlyPaths must be exactly the agent files (/a:/b), is unset',
      'AssertFileNotEmpty must name exactly the secret files (/c), is unset',
    ]);
  });
});

describe('renderSystemdFiles', () => {
  test('renders the systemd files and host.env, keyed by bundle path', () => {
    expect(Object.keys(files)).toEqual([...SYSTEMD_FILES, HOST_ENV_PATH]);
    expect(HOST_ENV_PATH).toBe('openclaw/host.env');
    expect(files[HOST_ENV_PATH]).toBe(renderHostTemplate(config, 'systemd/host.env'));
  });

  test('the gateway unit carries the config\'s bind mounts and secret-file assertions', () => {
    expect(gatewayText).toContain(`\n${expected.bindMounts.map((m) => `BindReadOnlyPaths=${m}`).join('\n')}\n`);
    expect(gatewayText).toContain(`\n${expected.secretFiles.map((f) => `AssertFileNotEmpty=${f}`).join('\n')}\n`);
  });

  test('refuses a weakened gateway template, listing every problem', () => {
    const weaken = (t: string) => t.replace('NoNewPrivileges=yes', 'NoNewPrivileges=no').replace('UMask=0077', 'UMask=0022');
    expect(() => withHostSource(`systemd/${GATEWAY_UNIT}`, weaken, () => renderSystemdFiles(config, CONFIG_DIR))).toThrow(
      new Error(`host/systemd/${GATEWAY_UNIT}: sandbox weakened:\n  - NoNewPrivileges=yes missing\n  - UMask=0077 missing`),
    );
  });
});
