import { HOST_LOG_FILES } from '../../lib/host/log-files';
import { HOST_PATHS } from '../../lib/host/paths';

// lib/host/paths.ts: the host path contract every renderer, unit and script shares, exactly.
// A path changed here moves a file on the host: the units' sandbox (ReadWritePaths=,
// ReadOnlyPaths=), the tmpfs secrets and the state volume all depend on these.

test('every host path, exactly', () => {
  expect(HOST_PATHS).toEqual({
    user: 'openclaw',
    installDir: '/opt/openclaw',
    node: '/opt/openclaw/node_modules/node/bin/node',
    openclawBin: '/opt/openclaw/node_modules/openclaw/openclaw.mjs',
    configDir: '/etc/openclaw',
    configFile: '/etc/openclaw/openclaw.json',
    agentFilesDir: '/etc/openclaw/agents',
    agentFilesManifest: '/etc/openclaw/agents.sha256',
    stateVolumeDir: '/var/lib/openclaw-volume',
    stateDir: '/var/lib/openclaw',
    workspacesDir: '/var/lib/openclaw/workspaces',
    secretsDir: '/run/openclaw/secrets',
    logDir: '/var/log/openclaw',
    auditLogDir: '/var/log/openclaw-audit',
    logExportStateDir: '/var/lib/openclaw-log-export',
    spendMeterStateDir: '/var/lib/openclaw-meter',
    cloudwatchAgentConfig: '/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json',
    libexecDir: '/usr/local/libexec/openclaw',
  });
});

test('every log file the host writes for shipping or diagnosis, exactly; the gateway log file is in the gateway log folder (the unit lets the gateway write there only)', () => {
  expect(HOST_LOG_FILES).toEqual({
    gateway: '/var/log/openclaw/openclaw.log',
    nginxAccess: '/var/log/nginx/access.log',
    nginxError: '/var/log/nginx/error.log',
    egressProxyAccess: '/var/log/squid/access.log',
    egressProxyCache: '/var/log/squid/cache.log',
  });
  expect(HOST_LOG_FILES.gateway.startsWith(`${HOST_PATHS.logDir}/`)).toBe(true);
});

test('the secrets are on tmpfs (/run), never on a disk that outlives the boot', () => {
  expect(HOST_PATHS.secretsDir.startsWith('/run/')).toBe(true);
});
