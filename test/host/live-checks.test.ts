import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  GetCommandInvocationCommand,
  InvalidInstanceId,
  InvocationDoesNotExist,
  SendCommandCommand,
  SSMClient,
  SSMServiceException,
  type CommandInvocationStatus,
  type GetCommandInvocationCommandInput,
  type GetCommandInvocationCommandOutput,
  type SendCommandCommandInput,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { TemplateResource } from '../../lib/compliance/control';
import { loadConfig } from '../../lib/config/load';
import type { ResolvedConfig } from '../../lib/config/schema';
import { renderEgressProxyConfig } from '../../lib/host/egress-proxy';
import { hostLiveChecks, HOST_LIVE_CHECKS } from '../../lib/host/live-checks';
import {
  collectorEnvironment,
  DNS_NAME_PATTERN,
  HOST_FACTS_COLLECTOR,
  HOST_FACTS_TIMEOUT_SECONDS,
  verificationCommands,
  verificationDocumentContent,
} from '../../lib/host/live-document';
import { DEFAULT_POLLING, HOST_FACTS_IAM, hostFacts, parseFacts, type HostFacts, type HostFactsPolling } from '../../lib/host/live-host-facts';
import { hostLiveSettings, KNOWN_AUDIT_FINDINGS, type HostLiveSettings } from '../../lib/host/live-settings';
import { renderNftablesRules } from '../../lib/host/nftables-rules';
import { readHostSource } from '../../lib/host/template';
import type { DeployedStack } from '../../lib/verify/deployed-stacks';
import type { CheckResult, LiveCheck } from '../../lib/verify/live-check';
import type { VerifySettings } from '../../lib/verify/settings';
import { VerifyContext } from '../../lib/verify/verify-context';
import { CONFIG_DIR, NOW } from '../support/config-fixture';
import { answerStackResources } from '../support/stack-resources';

// The host live checks (lib/host/live-checks.ts, live-host-facts.ts, live-settings.ts,
// live-document.ts) without a synthesized app: one hand-made gateway stack (the gateway instance,
// the verification document CloudFormation holds, another document beside it) and a network stack
// with the NAT instance; CloudFormation answers ListStackResources with the physical IDs (an
// AWS::SSM::Document's is its name); SSM answers SendCommand with a command ID and
// GetCommandInvocation as its API reference says (InvocationDoesNotExist until the invocation
// exists, then InProgress, then a terminal Status; ResponseCode -1 until the script ran;
// StandardOutputContent the first 24,000 characters of stdout, StandardErrorContent the first
// 8,000 of stderr). The facts are the one line host/verify/collect-host-facts.sh prints: compact
// JSON, its families in the collector's order; one test runs the document itself.
// The synthesized example/prod runs in test/verify/host-live-checks.test.ts.

const load = (env: 'prod' | 'dev'): ResolvedConfig => loadConfig({ configDir: CONFIG_DIR, client: 'example', env, now: NOW }).config;
const PROD_CONFIG = load('prod');
const DEV_CONFIG = load('dev');
const PROD = hostLiveSettings(PROD_CONFIG);

const NAME = 'openclaw-example-prod';
const ACCOUNT = PROD_CONFIG.aws.account;
const REGION = PROD_CONFIG.aws.region;
const INSTANCE = 'i-0a1b2c3d4e5f60718';
const NAT_INSTANCE = 'i-0f9e8d7c6b5a40312';
const COMMAND = '2d7f5c1e-8b3a-4f6d-9e0c-1a2b3c4d5e6f';
const OTHER_DOCUMENT = `${NAME}-session-preferences`;
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
/** sha256sum of the files the deployment put on the host (the rendered ruleset and squid.conf). */
const RULESET_SHA = sha256(renderNftablesRules(PROD_CONFIG));
const PROXY_SHA = sha256(renderEgressProxyConfig(PROD_CONFIG));

// ---------------------------------------------------------------------------------------------
// The stacks and CloudFormation.

const gatewayStack = (resources: Record<string, TemplateResource>): DeployedStack => ({ stackName: `${NAME}-gateway`, role: 'gateway', region: REGION, template: { Resources: resources } });
const document = (name: string, content: Record<string, unknown>): TemplateResource => ({ Type: 'AWS::SSM::Document', Properties: { Name: name, DocumentType: 'Command', UpdateMethod: 'NewVersion', Content: content } });
const GATEWAY_RESOURCES: Record<string, TemplateResource> = {
  SessionPreferences: document(OTHER_DOCUMENT, { schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs: {} }),
  GatewayHost: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't4g.medium' } },
  VerifyHostDocument: document(PROD.documentName, verificationDocumentContent(NAME, PROD)),
};
const NETWORK: DeployedStack = { stackName: `${NAME}-network`, role: 'network', region: REGION, template: { Resources: { NatInstance: { Type: 'AWS::EC2::Instance', Properties: { InstanceType: 't4g.nano' } } } } };
const PHYSICAL: Record<string, string> = { GatewayHost: INSTANCE, NatInstance: NAT_INSTANCE, VerifyHostDocument: PROD.documentName, SessionPreferences: OTHER_DOCUMENT };

const cfn = mockClient(CloudFormationClient);
const ssm = mockClient(SSMClient);
afterAll(() => {
  cfn.restore();
  ssm.restore();
});
afterEach(() => jest.restoreAllMocks());

// ---------------------------------------------------------------------------------------------
// SSM Run Command.

/** What GetCommandInvocation answers on one poll: an invocation, or an error it throws. */
type Poll = GetCommandInvocationCommandOutput | Error;

const invocationDoesNotExist = () => new InvocationDoesNotExist({ message: '', $metadata: { httpStatusCode: 400 } });

/** GetCommandInvocation's answer for the verification document's one step. */
function invocation(status: CommandInvocationStatus, details: string, o: { stdout?: string; stderr?: string; code?: number } = {}): GetCommandInvocationCommandOutput {
  const ran = o.code !== undefined;
  return {
    $metadata: { httpStatusCode: 200 },
    CommandId: COMMAND,
    InstanceId: INSTANCE,
    Comment: 'npm run verify: host facts',
    DocumentName: PROD.documentName,
    DocumentVersion: '3',
    PluginName: 'collectHostFacts',
    ResponseCode: o.code ?? -1,
    ExecutionStartDateTime: ran ? '2026-11-21T12:00:01.120Z' : '',
    ExecutionElapsedTime: ran ? 'PT41.5S' : '',
    ExecutionEndDateTime: ran ? '2026-11-21T12:00:42.620Z' : '',
    Status: status,
    StatusDetails: details,
    StandardOutputContent: (o.stdout ?? '').slice(0, 24_000),
    StandardOutputUrl: '',
    StandardErrorContent: (o.stderr ?? '').slice(0, 8_000),
    StandardErrorUrl: '',
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
}
const IN_PROGRESS = invocation('InProgress', 'InProgress');
const success = (stdout: string) => invocation('Success', 'Success', { stdout, code: 0 });

/** The one line the collector prints: compact JSON (its printf and js()/jarr() print what JSON.stringify does). */
const printed = (facts: unknown) => `${JSON.stringify(facts)}\n`;

interface Setup {
  /** GetCommandInvocation's answers, poll by poll; the last one repeats. @default InvocationDoesNotExist, InProgress, Success with HOST */
  readonly polls?: readonly Poll[];
  /** The gateway stack's resources. @default GATEWAY_RESOURCES */
  readonly gateway?: Record<string, TemplateResource>;
  /** SendCommand's error. @default none */
  readonly sendError?: Error;
  readonly settings?: HostLiveSettings;
}

/** A context on the two stacks; CloudFormation and SSM answer as set up. */
function context(s: Setup = {}): VerifyContext {
  cfn.reset();
  ssm.reset();
  const gateway = gatewayStack(s.gateway ?? GATEWAY_RESOURCES);
  for (const stack of [gateway, NETWORK]) {
    answerStackResources(cfn, stack, (id) => PHYSICAL[id]);
  }
  if (s.sendError) ssm.on(SendCommandCommand).rejects(s.sendError);
  else {
    ssm.on(SendCommandCommand).callsFake((input: SendCommandCommandInput) => ({
      $metadata: { httpStatusCode: 200 },
      Command: {
        CommandId: COMMAND,
        DocumentName: input.DocumentName,
        DocumentVersion: input.DocumentVersion,
        Comment: input.Comment,
        Parameters: input.Parameters,
        InstanceIds: input.InstanceIds,
        Targets: [],
        RequestedDateTime: NOW,
        Status: 'Pending',
        StatusDetails: 'Pending',
        MaxConcurrency: '50',
        MaxErrors: '0',
        TargetCount: 1,
        CompletedCount: 0,
        ErrorCount: 0,
        DeliveryTimedOutCount: 0,
        TimeoutSeconds: 3600,
      },
    }));
  }
  const polls = s.polls ?? [invocationDoesNotExist(), IN_PROGRESS, success(printed(HOST))];
  let n = 0;
  ssm.on(GetCommandInvocationCommand).callsFake((input: GetCommandInvocationCommandInput) => {
    // Another command or instance: no such invocation.
    if (input.CommandId !== COMMAND || input.InstanceId !== INSTANCE) throw invocationDoesNotExist();
    const answer = polls[Math.min(n++, polls.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer;
  });
  const settings = { host: s.settings ?? PROD } as unknown as VerifySettings;
  return new VerifyContext({ name: NAME, account: ACCOUNT, region: REGION, stacks: [gateway, NETWORK], settings, options: { writeProbes: false, now: NOW } });
}

/**
 * A clock that only the injected sleep moves (Date.now() is the checks' deadline clock). Its sleep
 * resolves at once, so a wait that never ends would never yield to a timer either: it throws
 * after MAX_POLLS sleeps instead, failing the test rather than hanging it.
 */
function fakeClock(intervalMs = 7, timeoutMs = 60_000): { polling: HostFactsPolling; slept: number[] } {
  let now = NOW.getTime();
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  const slept: number[] = [];
  return {
    slept,
    polling: {
      intervalMs,
      timeoutMs,
      sleep: async (ms) => {
        if (slept.length >= MAX_POLLS) throw new Error(`slept more than ${MAX_POLLS} times: the wait for the SSM command never ends`);
        slept.push(ms);
        now += ms;
      },
    },
  };
}

/** Polls made in this test with NO_WAIT (reset before each). */
let polls = 0;
/** Most polls a test may make: a wait that never ends fails its test here instead of hanging it. */
const MAX_POLLS = 200;
/** No delay between polls (and the deadline clock never moves), at most MAX_POLLS a test. */
const NO_WAIT: HostFactsPolling = {
  intervalMs: 0,
  timeoutMs: 60_000,
  sleep: async () => {
    polls += 1;
    if (polls > MAX_POLLS) throw new Error(`polled more than ${MAX_POLLS} times: the wait for the SSM command never ends`);
  },
};
beforeEach(() => {
  polls = 0;
});
const CHECKS = hostLiveChecks(NO_WAIT);
const check = (id: string): LiveCheck => CHECKS.find((c) => c.id === id)!;
const pass = (id: string, resource: string, evidence: string): CheckResult => ({ check: id, control: check(id).control, status: 'pass', resource, evidence });
const fail = (id: string, resource: string, evidence: string): CheckResult => ({ check: id, control: check(id).control, status: 'fail', resource, evidence });

// ---------------------------------------------------------------------------------------------
// The facts of a correct example/prod host, as the collector prints them.

const RO = 'ro,nosuid,nodev,relatime';
const SECRETS = '/run/openclaw/secrets/ops';
const HOST = {
  version: 1,
  imds: { withoutToken: 401, tokenPut: 200, withToken: 200 },
  ruleset: { state: 'equal', sha256: RULESET_SHA, diffHead: [] as string[] },
  agentFiles: {
    namespace: 'gateway',
    mounts: [
      `/etc/openclaw/gateways/ops ${RO}`,
      `/var/lib/openclaw/ops/workspaces/ops/SOUL.md ${RO}`,
      `/var/lib/openclaw/ops/workspaces/ops/AGENTS.md ${RO}`,
      `/etc/openclaw/agents/ops ${RO}`,
    ],
    writeRefused: 4,
    writable: [] as string[],
  },
  listeners: { gatewayPid: 2345, addresses: ['127.0.0.1:18789'] },
  audit: { critical: 0, warn: 1, info: 3, findings: [{ id: 'gateway.probe_failed', severity: 'warn', detail: 'missing scope: operator.read' }] },
  secretFiles: [
    `${SECRETS}|openclaw-ops|openclaw-ops|700|80|2|directory`,
    `${SECRETS}/agent-ops.json|openclaw-ops|openclaw-ops|400|212|1|regular file`,
    `${SECRETS}/gateway-token|openclaw-ops|openclaw-ops|400|64|1|regular file`,
    '/etc/nginx/openclaw/origin-verify.map.conf|root|root|600|180|1|regular file',
  ],
  dns: { allowed: { name: 'secretsmanager.eu-west-1.amazonaws.com', resolves: true, address: '10.0.1.57' }, denied: { name: 'example.com', resolves: false } },
  units: {
    units: {
      // systemctl show prints the Service properties before the Unit ones, whatever the order of -p.
      'openclaw-imds-preflight.service': 'Result=success ExecMainStatus=0 ActiveState=active ',
      'openclaw-secrets.service': 'Result=success ExecMainStatus=0 ActiveState=active ',
    } as Record<string, string>,
    retrieval: 'openclaw-secrets: OK 5 secrets (gateway-token-ops, agent-ops, gateway-token-support, agent-support, origin-verify) in 1.84 s',
  },
  origin: { url: 'http://127.0.0.1:8080/', status: 403 },
  proxy: { active: 'active', sha256: PROXY_SHA },
};
type Host = typeof HOST;
/** The correct host's facts with one family changed. */
const host = <K extends keyof Host>(family: K, value: Host[K]) => ({ ...HOST, [family]: value });

/** Runs check `id` on a host that printed `facts`. */
async function judge(id: string, facts: unknown, settings?: HostLiveSettings): Promise<readonly CheckResult[]> {
  return check(id).run(context({ polls: [success(printed(facts))], settings }));
}
const at = (p: string) => `${INSTANCE}:${p}`;

// =============================================================================================

describe('hostLiveSettings', () => {
  const PROD_SETTINGS: HostLiveSettings = {
    documentName: 'openclaw-example-prod-verify-host',
    parameters: { AllowedName: 'secretsmanager.eu-west-1.amazonaws.com', DeniedName: 'example.com' },
    gatewayUser: 'openclaw-ops',
    gatewayUnit: 'openclaw-gateway@ops.service',
    gatewayPort: 18789,
    ruleset: { path: '/etc/nftables/openclaw.nft', sha256: RULESET_SHA },
    readOnlyMounts: ['/etc/openclaw/gateways/ops', '/etc/openclaw/agents/ops', '/var/lib/openclaw/ops/workspaces/ops/SOUL.md', '/var/lib/openclaw/ops/workspaces/ops/AGENTS.md'],
    readOnlyDirs: ['/etc/openclaw/gateways/ops', '/etc/openclaw/agents/ops'],
    readOnlyRoots: ['/etc/openclaw/gateways/ops', '/var/lib/openclaw/ops/workspaces'],
    agentFilesDir: '/etc/openclaw/agents',
    secretsDir: SECRETS,
    secretFiles: [
      { path: SECRETS, type: 'directory', owner: 'openclaw-ops', group: 'openclaw-ops', mode: '700' },
      { path: `${SECRETS}/gateway-token`, type: 'regular file', owner: 'openclaw-ops', group: 'openclaw-ops', mode: '400' },
      { path: `${SECRETS}/agent-ops.json`, type: 'regular file', owner: 'openclaw-ops', group: 'openclaw-ops', mode: '400' },
      { path: '/etc/nginx/openclaw/origin-verify.map.conf', type: 'regular file', owner: 'root', group: 'root', mode: '600' },
    ],
    bootUnits: ['openclaw-imds-preflight.service', 'openclaw-secrets.service'],
    retrieval: { unit: 'openclaw-secrets.service', ids: ['gateway-token-ops', 'agent-ops', 'gateway-token-support', 'agent-support', 'origin-verify'] },
    origin: { url: 'http://127.0.0.1:8080/', status: 403 },
    proxy: { unit: 'squid.service', path: '/etc/squid/squid.conf', sha256: PROXY_SHA },
    knownAuditFindings: [
      {
        id: 'gateway.probe_failed',
        severity: 'warn',
        detail: 'missing scope: operator.read',
        why: 'the deep probe connects without a paired device, so a configured-token gateway gives it no read scope (docs/openclaw.md)',
      },
    ],
  };

  it("prod: the first gateway's user, unit, port, mounts and secret files; the digests of the rendered ruleset and squid.conf", () => {
    expect(PROD).toEqual(PROD_SETTINGS);
    expect(KNOWN_AUDIT_FINDINGS).toEqual(PROD_SETTINGS.knownAuditFindings);
    // SHA-256 in hex, of the rendered files (not of anything else).
    expect(PROD.ruleset.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(PROD.proxy.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("dev: its own document; the ruleset and squid.conf are dev's own renders; the rest as prod", () => {
    const dev = hostLiveSettings(DEV_CONFIG);
    expect(dev).toEqual({
      ...PROD_SETTINGS,
      documentName: 'openclaw-example-dev-verify-host',
      ruleset: { path: '/etc/nftables/openclaw.nft', sha256: sha256(renderNftablesRules(DEV_CONFIG)) },
      proxy: { ...PROD_SETTINGS.proxy, sha256: sha256(renderEgressProxyConfig(DEV_CONFIG)) },
    });
    expect(dev.ruleset.sha256).not.toBe(PROD.ruleset.sha256);
    expect(dev.proxy.sha256).not.toBe(PROD.proxy.sha256);
  });

  it('the denied name is the first of example.com, example.org, example.net the allowlist does not hold, else iana.org', () => {
    const withExtra = (extraDomains: string[]) => hostLiveSettings({ ...PROD_CONFIG, network: { ...PROD_CONFIG.network, egress: { ...PROD_CONFIG.network.egress, extraDomains } } }).parameters;
    expect(withExtra(['example.com'])).toEqual({ AllowedName: 'secretsmanager.eu-west-1.amazonaws.com', DeniedName: 'example.org' });
    expect(withExtra(['example.com', 'example.org'])).toEqual({ AllowedName: 'secretsmanager.eu-west-1.amazonaws.com', DeniedName: 'example.net' });
    expect(withExtra(['example.org'])).toEqual({ AllowedName: 'secretsmanager.eu-west-1.amazonaws.com', DeniedName: 'example.com' });
    expect(withExtra(['example.net', 'example.org', 'example.com'])).toEqual({ AllowedName: 'secretsmanager.eu-west-1.amazonaws.com', DeniedName: 'iana.org' });
  });

  it('a first gateway shared by two agents: each agent folder and both required files of each, in agent order; its token and both agent documents', () => {
    const s = hostLiveSettings({ ...PROD_CONFIG, openclaw: { ...PROD_CONFIG.openclaw, sharedGateways: { crew: ['support', 'ops'] } } });
    const dir = '/run/openclaw/secrets/crew';
    expect({ user: s.gatewayUser, unit: s.gatewayUnit, port: s.gatewayPort, mounts: s.readOnlyMounts, dirs: s.readOnlyDirs, roots: s.readOnlyRoots, agentFilesDir: s.agentFilesDir, secretsDir: s.secretsDir, files: s.secretFiles }).toEqual({
      user: 'openclaw-crew',
      unit: 'openclaw-gateway@crew.service',
      port: 18789,
      mounts: [
        '/etc/openclaw/gateways/crew',
        '/etc/openclaw/agents/ops',
        '/etc/openclaw/agents/support',
        '/var/lib/openclaw/crew/workspaces/ops/SOUL.md',
        '/var/lib/openclaw/crew/workspaces/ops/AGENTS.md',
        '/var/lib/openclaw/crew/workspaces/support/SOUL.md',
        '/var/lib/openclaw/crew/workspaces/support/AGENTS.md',
      ],
      dirs: ['/etc/openclaw/gateways/crew', '/etc/openclaw/agents/ops', '/etc/openclaw/agents/support'],
      roots: ['/etc/openclaw/gateways/crew', '/var/lib/openclaw/crew/workspaces'],
      agentFilesDir: '/etc/openclaw/agents',
      secretsDir: dir,
      files: [
        { path: dir, type: 'directory', owner: 'openclaw-crew', group: 'openclaw-crew', mode: '700' },
        { path: `${dir}/gateway-token`, type: 'regular file', owner: 'openclaw-crew', group: 'openclaw-crew', mode: '400' },
        { path: `${dir}/agent-ops.json`, type: 'regular file', owner: 'openclaw-crew', group: 'openclaw-crew', mode: '400' },
        { path: `${dir}/agent-support.json`, type: 'regular file', owner: 'openclaw-crew', group: 'openclaw-crew', mode: '400' },
        { path: '/etc/nginx/openclaw/origin-verify.map.conf', type: 'regular file', owner: 'root', group: 'root', mode: '600' },
      ],
    });
  });
});

// =============================================================================================

describe('the verification document (live-document.ts)', () => {
  const ENV = {
    OCV_GATEWAY_USER: 'openclaw-ops',
    OCV_GATEWAY_UNIT: 'openclaw-gateway@ops.service',
    OCV_IMDS: 'http://169.254.169.254',
    OCV_NFT_FILE: '/etc/nftables/openclaw.nft',
    OCV_READONLY_ROOTS: '/etc/openclaw/gateways/ops /var/lib/openclaw/ops/workspaces',
    OCV_READONLY_DIRS: '/etc/openclaw/gateways/ops /etc/openclaw/agents/ops',
    OCV_SECRETS_DIR: SECRETS,
    OCV_SECRET_FILES: '/etc/nginx/openclaw/origin-verify.map.conf',
    OCV_UNITS: 'openclaw-imds-preflight.service openclaw-secrets.service',
    OCV_RETRIEVAL_UNIT: 'openclaw-secrets.service',
    OCV_ORIGIN_URL: 'http://127.0.0.1:8080/',
    OCV_NODE: '/opt/openclaw/node_modules/node/bin/node',
    OCV_OPENCLAW_BIN: '/opt/openclaw/node_modules/openclaw/openclaw.mjs',
    OCV_STATE_DIR: '/var/lib/openclaw',
    OCV_CONFIG_FILE: '/etc/openclaw/openclaw.json',
    OCV_PROXY_UNIT: 'squid.service',
    OCV_PROXY_CONF: '/etc/squid/squid.conf',
  };
  const EXPORTS = Object.entries(ENV).map(([k, v]) => `export ${k}='${v}'`);
  const GUARD = 'if [ -z "${BASH_VERSION:-}" ]; then exec /bin/bash "$0" "$@"; fi';
  const PARAMS = ["export OCV_ALLOWED_NAME='{{ AllowedName }}'", "export OCV_DENIED_NAME='{{ DeniedName }}'"];

  it("the collector's environment: the settings' values, the secret files outside the secrets folder only", () => {
    expect(collectorEnvironment(PROD)).toEqual(ENV);
    // A file of a folder whose name merely starts like the secrets folder's is outside it; one inside it and the folder itself are listed by the collector.
    const s: HostLiveSettings = {
      ...PROD,
      secretFiles: [...PROD.secretFiles, { path: `${SECRETS}2/gateway-token`, type: 'regular file', owner: 'root', group: 'root', mode: '400' }, { path: `${SECRETS}/sub/x`, type: 'regular file', owner: 'root', group: 'root', mode: '400' }],
    };
    expect(collectorEnvironment(s).OCV_SECRET_FILES).toBe(`/etc/nginx/openclaw/origin-verify.map.conf ${SECRETS}2/gateway-token`);
  });

  it('the commands: shebang, the re-run-under-bash guard, the values, the two parameters, then the collector without its shebang and last newline', () => {
    expect(verificationCommands(PROD, '#!/usr/bin/env bash\nset -u\necho "$OCV_IMDS"\n')).toEqual(['#!/usr/bin/env bash', GUARD, ...EXPORTS, ...PARAMS, 'set -u', 'echo "$OCV_IMDS"']);
    // Only the one last newline goes; a collector without one keeps its last line.
    expect(verificationCommands(PROD, '#!/usr/bin/env bash\necho a\n\n').slice(-2)).toEqual(['echo a', '']);
    expect(verificationCommands(PROD, '#!/usr/bin/env bash\necho a').slice(-2)).toEqual([PARAMS[1], 'echo a']);
    // The default is the collector file itself.
    const collector = readHostSource(HOST_FACTS_COLLECTOR);
    expect(verificationCommands(PROD)).toEqual(['#!/usr/bin/env bash', GUARD, ...EXPORTS, ...PARAMS, ...collector.replace(/\n$/, '').split('\n').slice(1)]);
    expect(HOST_FACTS_COLLECTOR).toBe('verify/collect-host-facts.sh');
  });

  it('refuses a collector without the bash shebang, and a value a single-quoted shell word cannot hold (an empty one it can)', () => {
    expect(() => verificationCommands(PROD, '#!/bin/sh\necho a\n')).toThrow(new Error('verify/collect-host-facts.sh must start with #!/usr/bin/env bash'));
    expect(() => verificationCommands({ ...PROD, gatewayUser: "o'neil" }, '#!/usr/bin/env bash\n')).toThrow(new Error('verification document: unsafe value for OCV_GATEWAY_USER: "o\'neil"'));
    expect(() => verificationCommands({ ...PROD, origin: { url: 'http://127.0.0.1:8080/$(id)', status: 403 } }, '#!/usr/bin/env bash\n')).toThrow(
      new Error('verification document: unsafe value for OCV_ORIGIN_URL: "http://127.0.0.1:8080/$(id)"'),
    );
    expect(() => verificationCommands({ ...PROD, gatewayUnit: 'a\nb' }, '#!/usr/bin/env bash\n')).toThrow(new Error('verification document: unsafe value for OCV_GATEWAY_UNIT: "a\\nb"'));
    const noOuterFiles = { ...PROD, secretFiles: PROD.secretFiles.slice(0, 3) };
    expect(verificationCommands(noOuterFiles, '#!/usr/bin/env bash\n')).toContain("export OCV_SECRET_FILES=''");
  });

  it('the content: schema 2.2, the two DNS-name parameters, one aws:runShellScript step of 150 s', () => {
    const collector = '#!/usr/bin/env bash\necho facts\n';
    expect(verificationDocumentContent(NAME, PROD, collector)).toEqual({
      schemaVersion: '2.2',
      description: 'Collect the facts npm run verify checks on the openclaw-example-prod gateway host (read-only, except a write test as the gateway user that must fail)',
      parameters: {
        AllowedName: { type: 'String', description: 'A name on the egress allowlist: it must resolve', allowedPattern: '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$' },
        DeniedName: { type: 'String', description: 'A name not on the egress allowlist: it must not resolve', allowedPattern: '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$' },
      },
      mainSteps: [{ action: 'aws:runShellScript', name: 'collectHostFacts', inputs: { timeoutSeconds: '150', runCommand: verificationCommands(PROD, collector) } }],
    });
    expect(HOST_FACTS_TIMEOUT_SECONDS).toBe(150);
    expect(DNS_NAME_PATTERN).toBe('^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$');
    // Without a collector: the collector file.
    expect((verificationDocumentContent(NAME, PROD) as { mainSteps: { inputs: { runCommand: string[] } }[] }).mainSteps[0]!.inputs.runCommand).toEqual(verificationCommands(PROD));
  });
});

// =============================================================================================

describe('the checks', () => {
  it("one per fact family: id, control, title, host concern, not daily, needs the host, SendCommand and GetCommandInvocation; the default set awaits with the default polling", () => {
    const TITLES: [string, string, string][] = [
      ['host.imds-token-required', 'ec2-imdsv2-hop-limit-1', 'On the host, the metadata service refuses a call without an IMDSv2 token'],
      ['host.nftables-ruleset', 'host-firewall', 'The loaded nftables ruleset equals the rendered one'],
      ['host.agent-files-read-only', 'agent-files-read-only', 'Agent files are read-only mounts and a write as the gateway user fails'],
      ['host.gateway-loopback-only', 'gateway-loopback-only', 'The gateway listens on loopback only'],
      ['host.openclaw-audit', 'openclaw-security-audit', 'openclaw security audit --deep: 0 critical, 0 warn but the known finding'],
      ['host.secret-files', 'secret-files', 'Secret files present with their owner and mode'],
      ['host.egress-allowlist-dns', 'egress-dns-firewall', 'An allowlisted name resolves on the host, another does not'],
      ['host.boot-units', 'boot-preflight', 'The boot preflight and the secrets retrieval succeeded'],
      ['host.secrets-retrieved', 'secrets-retrieved', 'Each secret was fetched, non-empty, and written at boot'],
      ['host.egress-proxy', 'egress-proxy', 'The egress proxy runs with the rendered configuration'],
      ['host.origin-verify-enforced', 'origin-verify-header', 'From the host, the private origin refuses a request without the origin-verify header'],
    ];
    for (const checks of [CHECKS, HOST_LIVE_CHECKS]) {
      expect(checks.map(({ run: _run, ...c }) => c)).toEqual(
        TITLES.map(([id, control, title]) => ({ id, control, title, concern: 'host', daily: false, iam: ['ssm:SendCommand', 'ssm:GetCommandInvocation'], needs: 'host' })),
      );
    }
    expect(HOST_FACTS_IAM).toEqual(['ssm:SendCommand', 'ssm:GetCommandInvocation']);
    expect(DEFAULT_POLLING).toEqual({ intervalMs: 2_000, timeoutMs: 180_000 });
  });

  it('on the correct host every check passes, naming what it saw, from ONE SendCommand of the verification document to the gateway instance', async () => {
    const ctx = context();
    const results: CheckResult[] = [];
    for (const c of CHECKS) results.push(...(await c.run(ctx)));
    expect(results).toEqual([
      pass('host.imds-token-required', INSTANCE, 'GET without a token 401, token PUT 200, GET with the token 200'),
      pass('host.nftables-ruleset', at('/etc/nftables/openclaw.nft'), `loaded ruleset equals the file; file sha256 ${RULESET_SHA.slice(0, 12)}`),
      pass('host.agent-files-read-only', at('/etc/openclaw/gateways/ops'), `mounted ${RO} in the gateway's mount namespace`),
      pass('host.agent-files-read-only', at('/etc/openclaw/agents/ops'), `mounted ${RO} in the gateway's mount namespace`),
      pass('host.agent-files-read-only', at('/var/lib/openclaw/ops/workspaces/ops/SOUL.md'), `mounted ${RO} in the gateway's mount namespace`),
      pass('host.agent-files-read-only', at('/var/lib/openclaw/ops/workspaces/ops/AGENTS.md'), `mounted ${RO} in the gateway's mount namespace`),
      pass('host.agent-files-read-only', at('/etc/openclaw/agents (write as openclaw-ops)'), '4 write(s) refused, writable: none'),
      pass('host.gateway-loopback-only', `${INSTANCE} (gateway pid 2345)`, 'listening on 127.0.0.1:18789'),
      pass('host.openclaw-audit', `${INSTANCE} (openclaw security audit --deep)`, '0 critical, 1 warn: warn gateway.probe_failed (known): missing scope: operator.read'),
      pass('host.secret-files', at(SECRETS), 'directory openclaw-ops:openclaw-ops 700'),
      pass('host.secret-files', at(`${SECRETS}/gateway-token`), 'regular file openclaw-ops:openclaw-ops 400, 64 bytes, 1 link(s)'),
      pass('host.secret-files', at(`${SECRETS}/agent-ops.json`), 'regular file openclaw-ops:openclaw-ops 400, 212 bytes, 1 link(s)'),
      pass('host.secret-files', at('/etc/nginx/openclaw/origin-verify.map.conf'), 'regular file root:root 600, 180 bytes, 1 link(s)'),
      pass('host.egress-allowlist-dns', `${INSTANCE}: secretsmanager.eu-west-1.amazonaws.com`, 'allowlisted name resolves (10.0.1.57)'),
      pass('host.egress-allowlist-dns', `${INSTANCE}: example.com`, 'name off the allowlist does not resolve'),
      pass('host.boot-units', at('openclaw-imds-preflight.service'), 'Result=success ExecMainStatus=0 ActiveState=active'),
      pass('host.boot-units', at('openclaw-secrets.service'), 'Result=success ExecMainStatus=0 ActiveState=active'),
      ...PROD.retrieval.ids.map((id) => pass('host.secrets-retrieved', at(`openclaw-secrets.service ${id}`), `last retrieval: ${HOST.units.retrieval}`)),
      pass('host.egress-proxy', at('squid.service'), 'active'),
      pass('host.egress-proxy', at('/etc/squid/squid.conf'), `sha256 ${PROXY_SHA.slice(0, 12)}`),
      pass('host.origin-verify-enforced', `${INSTANCE}: http://127.0.0.1:8080/`, 'HTTP 403 without the origin-verify header'),
    ]);
    expect(ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input)).toEqual([
      {
        DocumentName: 'openclaw-example-prod-verify-host',
        DocumentVersion: '$LATEST',
        InstanceIds: [INSTANCE],
        Parameters: { AllowedName: ['secretsmanager.eu-west-1.amazonaws.com'], DeniedName: ['example.com'] },
        Comment: 'npm run verify: host facts',
      },
    ]);
    // InvocationDoesNotExist right after SendCommand, then InProgress, then Success: three polls, for all eleven checks.
    expect(ssm.commandCalls(GetCommandInvocationCommand).map((c) => c.args[0].input)).toEqual(Array(3).fill({ CommandId: COMMAND, InstanceId: INSTANCE }));
  });

  it('the facts are shared through the context memo "host-facts": a check reads what is there', async () => {
    const ctx = context();
    const outcome = { ok: true as const, instanceId: 'i-memo', facts: { version: 1, origin: { url: 'http://127.0.0.1:8080/', status: 403 } } as HostFacts };
    await ctx.memo('host-facts', async () => outcome);
    expect(await hostFacts(ctx)).toBe(outcome);
    expect(await check('host.origin-verify-enforced').run(ctx)).toEqual([pass('host.origin-verify-enforced', 'i-memo: http://127.0.0.1:8080/', 'HTTP 403 without the origin-verify header')]);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  it('a family the collector did not report fails its check, naming the family', async () => {
    const families: [string, keyof Host][] = [
      ['host.imds-token-required', 'imds'],
      ['host.nftables-ruleset', 'ruleset'],
      ['host.agent-files-read-only', 'agentFiles'],
      ['host.gateway-loopback-only', 'listeners'],
      ['host.openclaw-audit', 'audit'],
      ['host.secret-files', 'secretFiles'],
      ['host.egress-allowlist-dns', 'dns'],
      ['host.boot-units', 'units'],
      ['host.secrets-retrieved', 'units'],
      ['host.egress-proxy', 'proxy'],
      ['host.origin-verify-enforced', 'origin'],
    ];
    for (const [id, family] of families) {
      const rest: Partial<Host> = { ...HOST };
      delete rest[family];
      expect(await judge(id, rest)).toEqual([fail(id, INSTANCE, `the collector reported no ${family} facts`)]);
    }
  });

  it('the real document, run as SSM runs it (parameters substituted), on a machine that is no gateway host: the families it printed judged, the others reported missing', async () => {
    const ruleset = '/etc/nftables/openclaw.nft';
    const present = [ruleset, SECRETS, '/etc/nginx/openclaw/origin-verify.map.conf'].filter((p) => fs.existsSync(p));
    expect(present).toEqual([]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-host-live-'));
    let stdout = '';
    try {
      const ctx = context({ polls: [IN_PROGRESS] });
      // The document as CloudFormation created it, run with the parameters of the SendCommand the checks made.
      const sendAndRun = (input: SendCommandCommandInput) => {
        const content = GATEWAY_RESOURCES.VerifyHostDocument!.Properties!.Content as { mainSteps: { inputs: { runCommand: string[] } }[] };
        const script = content.mainSteps[0]!.inputs.runCommand.join('\n').replace(/\{\{ (\w+) \}\}/g, (_m, p: string) => input.Parameters![p]![0]!);
        fs.writeFileSync(path.join(dir, '_script.sh'), `${script}\n`, { mode: 0o700 });
        const r = spawnSync('sh', [path.join(dir, '_script.sh')], { encoding: 'utf8', timeout: 20_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', OCV_FAMILIES: 'ruleset secretFiles' } });
        stdout = r.stdout;
        return { $metadata: {}, Command: { CommandId: COMMAND, Status: 'Pending' as const } };
      };
      ssm.on(SendCommandCommand).callsFake(sendAndRun);
      ssm.on(GetCommandInvocationCommand).callsFake(() => (stdout ? success(stdout) : IN_PROGRESS));
      const results: CheckResult[] = [];
      for (const id of ['host.imds-token-required', 'host.nftables-ruleset', 'host.secret-files']) results.push(...(await check(id).run(ctx)));
      expect(stdout).toBe(`${JSON.stringify({ version: 1, ruleset: { state: 'no-file', file: ruleset }, secretFiles: [`${SECRETS}|missing`, '/etc/nginx/openclaw/origin-verify.map.conf|missing'] })}\n`);
      expect(results).toEqual([
        fail('host.imds-token-required', INSTANCE, 'the collector reported no imds facts'),
        fail('host.nftables-ruleset', at(ruleset), 'no-file; expected the loaded ruleset equal to the rendered file'),
        fail('host.secret-files', at(SECRETS), 'missing; expected directory openclaw-ops:openclaw-ops 700'),
        fail('host.secret-files', at(`${SECRETS}/gateway-token`), 'missing; expected regular file openclaw-ops:openclaw-ops 400'),
        fail('host.secret-files', at(`${SECRETS}/agent-ops.json`), 'missing; expected regular file openclaw-ops:openclaw-ops 400'),
        fail('host.secret-files', at('/etc/nginx/openclaw/origin-verify.map.conf'), 'missing; expected regular file root:root 600'),
      ]);
      expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

// =============================================================================================

describe('the SSM command (live-host-facts.ts)', () => {
  const everyCheckFails = async (ctx: VerifyContext, evidence: string, checks: readonly LiveCheck[] = CHECKS) => {
    const results: CheckResult[] = [];
    for (const c of checks) results.push(...(await c.run(ctx)));
    expect(results).toEqual(checks.map((c) => ({ check: c.id, control: c.control, status: 'fail', resource: INSTANCE, evidence })));
  };
  /** Check `id` awaiting the command with `polling`. */
  const polled = (polling: HostFactsPolling, id: string) => hostLiveChecks(polling).find((c) => c.id === id)!;

  it('polls after sleeping intervalMs each time, through InvocationDoesNotExist and every non-terminal status, until Success', async () => {
    const clock = fakeClock(7);
    const ctx = context({ polls: [invocationDoesNotExist(), invocation('Pending', 'Pending'), invocation('Delayed', 'Delayed'), IN_PROGRESS, invocation('Cancelling', 'Cancelling'), success(printed(HOST))] });
    expect(await polled(clock.polling, 'host.imds-token-required').run(ctx)).toEqual([pass('host.imds-token-required', INSTANCE, 'GET without a token 401, token PUT 200, GET with the token 200')]);
    expect(clock.slept).toEqual([7, 7, 7, 7, 7, 7]);
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(6);
  });

  it('gives up at timeoutMs, naming the last status (or that the invocation never appeared), the timeout rounded to seconds', async () => {
    const clock = fakeClock(1_000, 2_500);
    const ctx = context({ polls: [invocationDoesNotExist(), invocation('InProgress', 'InProgress')] });
    await everyCheckFails(ctx, `SSM command ${COMMAND} still InProgress (InProgress) after 3 s`, hostLiveChecks(clock.polling));
    // Polled at 1 s, 2 s, 3 s: the third poll is at the deadline (2.5 s passed), and is the last.
    expect(clock.slept).toEqual([1_000, 1_000, 1_000]);
    const clock2 = fakeClock(1_000, 3_000);
    const ctx2 = context({ polls: [invocationDoesNotExist()] });
    expect(await polled(clock2.polling, 'host.origin-verify-enforced').run(ctx2)).toEqual([fail('host.origin-verify-enforced', INSTANCE, `SSM command ${COMMAND} still InvocationDoesNotExist after 3 s`)]);
    // At exactly the deadline it stops: three polls, not four.
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(3);
    const clock3 = fakeClock(1_000, 2_000);
    const ctx3 = context({ polls: [invocation('Delayed', 'Delayed')] });
    expect(await polled(clock3.polling, 'host.origin-verify-enforced').run(ctx3)).toEqual([fail('host.origin-verify-enforced', INSTANCE, `SSM command ${COMMAND} still Delayed (Delayed) after 2 s`)]);
    expect(clock3.slept).toEqual([1_000, 1_000]);
  });

  it('the default polling: every 2 s on the real timer, for 180 s', async () => {
    jest.useFakeTimers({ now: NOW });
    try {
      const ctx = context({ polls: [IN_PROGRESS] });
      let done: readonly CheckResult[] | undefined;
      void HOST_LIVE_CHECKS[0]!.run(ctx).then((r) => (done = r));
      await jest.advanceTimersByTimeAsync(1_999);
      expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(178_000);
      expect(done).toEqual([{ check: 'host.imds-token-required', control: 'ec2-imdsv2-hop-limit-1', status: 'fail', resource: INSTANCE, evidence: `SSM command ${COMMAND} still InProgress (InProgress) after 180 s` }]);
      expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(90);
    } finally {
      jest.useRealTimers();
    }
  });

  it('each terminal status other than Success ends the wait: every check fails with the status, its details and the last two lines of stderr', async () => {
    await everyCheckFails(context({ polls: [IN_PROGRESS, invocation('Failed', 'Undeliverable')] }), `SSM command ${COMMAND} Failed: Undeliverable`);
    await everyCheckFails(context({ polls: [invocation('TimedOut', 'DeliveryTimedOut')] }), `SSM command ${COMMAND} TimedOut: DeliveryTimedOut`);
    await everyCheckFails(context({ polls: [invocation('Cancelled', 'Cancelled')] }), `SSM command ${COMMAND} Cancelled: Cancelled`);
    await everyCheckFails(
      context({ polls: [invocation('Failed', 'Failed', { code: 127, stderr: '  line one\n/var/lib/amazon/ssm/i/document/orchestration/_script.sh: line 77: nft: command not found\nfailed to run commands: exit status 127\n\n' })] }),
      `SSM command ${COMMAND} Failed: Failed; stderr: /var/lib/amazon/ssm/i/document/orchestration/_script.sh: line 77: nft: command not found | failed to run commands: exit status 127`,
    );
    // The stderr tail is cut at 200 characters.
    const long = `${'x'.repeat(150)}\n${'y'.repeat(150)}\n`;
    await everyCheckFails(context({ polls: [invocation('TimedOut', 'ExecutionTimedOut', { code: 1, stderr: long })] }), `SSM command ${COMMAND} TimedOut: ExecutionTimedOut; stderr: ${'x'.repeat(150)} | ${'y'.repeat(47)}`);
  });

  it('errors other than InvocationDoesNotExist are errors of the run, shared by every check; so are a missing instance or document', async () => {
    const throttled = new SSMServiceException({ name: 'ThrottlingException', message: 'Rate exceeded', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    const ctx = context({ polls: [invocationDoesNotExist(), throttled] });
    await expect(check('host.imds-token-required').run(ctx)).rejects.toBe(throttled);
    await expect(check('host.egress-proxy').run(ctx)).rejects.toBe(throttled);
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
    const refused = new InvalidInstanceId({ message: `Instances [[${INSTANCE}]] not in a valid state for account ${ACCOUNT}`, $metadata: { httpStatusCode: 400 } });
    await expect(check('host.imds-token-required').run(context({ sendError: refused }))).rejects.toBe(refused);
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(0);

    const { GatewayHost, VerifyHostDocument, ...others } = GATEWAY_RESOURCES;
    await expect(check('host.imds-token-required').run(context({ gateway: others }))).rejects.toThrow(new Error('the gateway stack has 0 instances; expected 1'));
    await expect(check('host.imds-token-required').run(context({ gateway: { ...GATEWAY_RESOURCES, Second: GatewayHost! } }))).rejects.toThrow(new Error('the gateway stack has 2 instances; expected 1'));
    await expect(check('host.imds-token-required').run(context({ gateway: { ...others, GatewayHost: GatewayHost! } }))).rejects.toThrow(new Error('the gateway template has no SSM document openclaw-example-prod-verify-host'));
    // The document of another deployment is not this one's.
    const foreign = { ...others, GatewayHost: GatewayHost!, VerifyHostDocument: document('openclaw-example-dev-verify-host', VerifyHostDocument!.Properties!.Content as Record<string, unknown>) };
    await expect(check('host.imds-token-required').run(context({ gateway: foreign }))).rejects.toThrow(new Error('the gateway template has no SSM document openclaw-example-prod-verify-host'));
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  it('the facts are the last line that starts with "{", of version 1; anything else fails every check with the start of stdout', async () => {
    // Lines before the facts (something the document printed first) are passed over, even JSON ones.
    const before = `{"version":2}\nnote: collected in 41 s\n${printed(host('origin', { url: 'http://127.0.0.1:8080/', status: 200 })).trimEnd()}\n\n`;
    expect(await check('host.origin-verify-enforced').run(context({ polls: [success(before)] }))).toEqual([
      fail('host.origin-verify-enforced', `${INSTANCE}: http://127.0.0.1:8080/`, 'HTTP 200 without the origin-verify header; expected HTTP 403'),
    ]);
    const parseError = (text: string) => {
      try {
        JSON.parse(text);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('parsed');
    };
    await everyCheckFails(context({ polls: [success('')] }), `SSM command ${COMMAND} printed no facts (${parseError('')}): `);
    await everyCheckFails(context({ polls: [success('bash: line 1: jq: command not found\n')] }), `SSM command ${COMMAND} printed no facts (${parseError('')}): bash: line 1: jq: command not found\n`);
    await everyCheckFails(context({ polls: [success('{"version":2,"imds":{}}\n')] }), `SSM command ${COMMAND} printed no facts (not a version 1 facts object): {"version":2,"imds":{}}\n`);
    await everyCheckFails(context({ polls: [success('{"imds":{"withoutToken":401}}\n')] }), `SSM command ${COMMAND} printed no facts (not a version 1 facts object): {"imds":{"withoutToken":401}}\n`);
    // More than 24,000 characters: GetCommandInvocation returns the first 24,000, which do not parse. The evidence quotes 160.
    const big = printed(host('agentFiles', { ...HOST.agentFiles, writable: Array.from({ length: 400 }, (_, i) => `/var/lib/openclaw/ops/workspaces/ops/notes-${String(i).padStart(4, '0')}.md (opened for append; nothing written)`) }));
    expect(big.length).toBeGreaterThan(24_000);
    await everyCheckFails(context({ polls: [success(big)] }), `SSM command ${COMMAND} printed no facts (${parseError(big.slice(0, 24_000))}): ${big.slice(0, 160)}`);
  });

  it("answers without the fields SSM always sends: SendCommand without its command, polls without a status, a failure without details or stderr, a success without stdout", async () => {
    const ctx = context();
    ssm.on(SendCommandCommand).resolves({ $metadata: { httpStatusCode: 200 } });
    await everyCheckFails(ctx, 'SendCommand returned no command ID');
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(0);
    const clock = fakeClock(1_000, 1_000);
    await everyCheckFails(context({ polls: [{ $metadata: {} }] }), `SSM command ${COMMAND} still ? (?) after 1 s`, hostLiveChecks(clock.polling));
    await everyCheckFails(context({ polls: [{ $metadata: {}, Status: 'Failed' }] }), `SSM command ${COMMAND} Failed: `);
    await everyCheckFails(context({ polls: [{ $metadata: {}, Status: 'Success', StatusDetails: 'Success' }] }), `SSM command ${COMMAND} printed no facts (Unexpected end of JSON input): `);
  });

  it('parseFacts, directly', () => {
    expect(parseFacts('i-1', 'c-1', printed({ version: 1 }))).toEqual({ ok: true, instanceId: 'i-1', facts: { version: 1 } });
    expect(parseFacts('i-1', 'c-1', '{"version":"1"}')).toEqual({ ok: false, instanceId: 'i-1', evidence: 'SSM command c-1 printed no facts (not a version 1 facts object): {"version":"1"}' });
  });
});

// =============================================================================================

describe('host.imds-token-required', () => {
  const ID = 'host.imds-token-required';
  it('401 without a token, 200 for the token PUT and with the token passes; any one other status fails', async () => {
    expect(await judge(ID, HOST)).toEqual([pass(ID, INSTANCE, 'GET without a token 401, token PUT 200, GET with the token 200')]);
    // IMDSv1 allowed: the token-less GET answers.
    expect(await judge(ID, host('imds', { withoutToken: 200, tokenPut: 200, withToken: 200 }))).toEqual([
      fail(ID, INSTANCE, 'GET without a token 200, token PUT 200, GET with the token 200; expected 401, 200, 200'),
    ]);
    // The token PUT refused (a hop limit the PUT cannot cross), the GET with the empty token then 401.
    expect(await judge(ID, host('imds', { withoutToken: 401, tokenPut: 403, withToken: 200 }))).toEqual([
      fail(ID, INSTANCE, 'GET without a token 401, token PUT 403, GET with the token 200; expected 401, 200, 200'),
    ]);
    expect(await judge(ID, host('imds', { withoutToken: 401, tokenPut: 200, withToken: 401 }))).toEqual([
      fail(ID, INSTANCE, 'GET without a token 401, token PUT 200, GET with the token 401; expected 401, 200, 200'),
    ]);
  });
});

describe('host.nftables-ruleset', () => {
  const ID = 'host.nftables-ruleset';
  const R = at('/etc/nftables/openclaw.nft');
  it('equal and the file is the rendered one: pass; equal but another file: fail with both digests', async () => {
    expect(await judge(ID, HOST)).toEqual([pass(ID, R, `loaded ruleset equals the file; file sha256 ${RULESET_SHA.slice(0, 12)}`)]);
    const other = sha256('table inet openclaw {}\n');
    expect(await judge(ID, host('ruleset', { state: 'equal', sha256: other, diffHead: [] }))).toEqual([
      fail(ID, R, `loaded ruleset equals the file; file sha256 ${other.slice(0, 12)}; expected sha256 ${RULESET_SHA.slice(0, 12)} (the rendered ruleset)`),
    ]);
  });
  it('differing (with the diff head), no file, or an error: fail, saying which', async () => {
    const diffHead = ['< \t\ttcp dport { 18789, 18790 } counter drop comment "gateway port: loopback only"', '> \t\ttcp dport 18789 counter drop comment "gateway port: loopback only"'];
    expect(await judge(ID, host('ruleset', { state: 'differing', sha256: RULESET_SHA, diffHead }))).toEqual([
      fail(ID, R, `differing (rendered < > live): ${diffHead[0]} | ${diffHead[1]}; expected the loaded ruleset equal to the rendered file`),
    ]);
    expect(await judge(ID, host('ruleset', { state: 'no-file', file: '/etc/nftables/openclaw.nft' } as never))).toEqual([fail(ID, R, 'no-file; expected the loaded ruleset equal to the rendered file')]);
    // A differing state reported without its diff head.
    expect(await judge(ID, host('ruleset', { state: 'differing', sha256: RULESET_SHA } as never))).toEqual([fail(ID, R, 'differing (rendered < > live): ; expected the loaded ruleset equal to the rendered file')]);
    expect(await judge(ID, host('ruleset', { state: 'error', sha256: RULESET_SHA, error: 'live: Error: Could not process rule: Operation not permitted' } as never))).toEqual([
      fail(ID, R, 'error: live: Error: Could not process rule: Operation not permitted; expected the loaded ruleset equal to the rendered file'),
    ]);
  });
});

describe('host.agent-files-read-only', () => {
  const ID = 'host.agent-files-read-only';
  const W = at('/etc/openclaw/agents (write as openclaw-ops)');
  const mount = (p: string, opts: string) => `${p} ${opts}`;
  const files = (a: Partial<Host['agentFiles']>) => host('agentFiles', { ...HOST.agentFiles, ...a });
  it("an expected mount read-write, or not a mount: fail; read-only with other options: pass; the namespace named", async () => {
    const mounts = [
      mount('/etc/openclaw/gateways/ops', 'ro,nosuid,nodev,noexec,relatime'),
      mount('/var/lib/openclaw/ops/workspaces/ops/SOUL.md', 'rw,nosuid,nodev,relatime'),
      mount('/etc/openclaw/agents/ops', 'rw,relatime,held-by=/'),
    ];
    expect(await judge(ID, files({ mounts }))).toEqual([
      pass(ID, at('/etc/openclaw/gateways/ops'), "mounted ro,nosuid,nodev,noexec,relatime in the gateway's mount namespace"),
      fail(ID, at('/etc/openclaw/agents/ops'), "mounted rw,relatime,held-by=/ in the gateway's mount namespace; expected a read-only mount (ro)"),
      fail(ID, at('/var/lib/openclaw/ops/workspaces/ops/SOUL.md'), "mounted rw,nosuid,nodev,relatime in the gateway's mount namespace; expected a read-only mount (ro)"),
      fail(ID, at('/var/lib/openclaw/ops/workspaces/ops/AGENTS.md'), "not a mount point in the gateway's mount namespace; expected a read-only mount (ro)"),
      pass(ID, W, '4 write(s) refused, writable: none'),
    ]);
    // The gateway not running: the collector looked on the host.
    const results = await judge(ID, files({ namespace: 'host', mounts: [], writeRefused: 2 }));
    expect(results.map((r) => `${r.status} ${r.resource} | ${r.evidence}`)).toEqual([
      ...PROD.readOnlyMounts.map((p) => `fail ${at(p)} | not a mount point on the host (the gateway is not running); expected a read-only mount (ro)`),
      `pass ${W} | 2 write(s) refused, writable: none`,
    ]);
  });
  it('another mount under the read-only roots: fail when read-write, nothing when read-only', async () => {
    const mounts = [...HOST.agentFiles.mounts, mount('/var/lib/openclaw/ops/workspaces/ops/notes', 'rw,nosuid,nodev,relatime'), mount('/var/lib/openclaw/ops/workspaces/ops/USER.md', RO), mount('/etc/openclaw/gateways/ops/extra', 'rw,relatime')];
    const results = await judge(ID, files({ mounts }));
    expect(results.slice(4)).toEqual([
      fail(ID, at('/var/lib/openclaw/ops/workspaces/ops/notes'), "mounted rw,nosuid,nodev,relatime in the gateway's mount namespace; expected every mount under /etc/openclaw/gateways/ops and /var/lib/openclaw/ops/workspaces read-only"),
      fail(ID, at('/etc/openclaw/gateways/ops/extra'), "mounted rw,relatime in the gateway's mount namespace; expected every mount under /etc/openclaw/gateways/ops and /var/lib/openclaw/ops/workspaces read-only"),
      pass(ID, W, '4 write(s) refused, writable: none'),
    ]);
    expect(results.slice(0, 4).map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });
  it('the write test: a write that succeeded fails, and so does a test that refused nothing (nothing was tried)', async () => {
    const writable = ['/etc/openclaw/gateways/ops (created a file; removed)', '/var/lib/openclaw/ops/workspaces/ops/SOUL.md (opened for append; nothing written)'];
    expect((await judge(ID, files({ writeRefused: 2, writable }))).at(-1)).toEqual(
      fail(ID, W, `2 write(s) refused, writable: ${writable[0]}, ${writable[1]}; expected every write refused`),
    );
    expect((await judge(ID, files({ writeRefused: 0, writable: [] }))).at(-1)).toEqual(fail(ID, W, '0 write(s) refused, writable: none; expected every write refused'));
    expect((await judge(ID, files({ writeRefused: 1, writable: [] }))).at(-1)).toEqual(pass(ID, W, '1 write(s) refused, writable: none'));
  });
});

describe('host.gateway-loopback-only', () => {
  const ID = 'host.gateway-loopback-only';
  const R = `${INSTANCE} (gateway pid 2345)`;
  const listening = async (addresses: string[]) => (await judge(ID, host('listeners', { gatewayPid: 2345, addresses })))[0];
  it('loopback addresses only (IPv4 127/8, IPv6 ::1), one of them on the gateway port: pass', async () => {
    expect(await listening(['127.0.0.1:18789', '[::1]:18789', '127.10.200.11:41234', '::1:18791'])).toEqual(pass(ID, R, 'listening on 127.0.0.1:18789, [::1]:18789, 127.10.200.11:41234, ::1:18791'));
  });
  it('nothing listening, a wildcard or another address, or not on the gateway port: fail', async () => {
    const expected = 'expected loopback only, including 127.0.0.1:18789';
    expect(await listening([])).toEqual(fail(ID, R, `listening on none; ${expected}`));
    expect(await listening(['0.0.0.0:18789'])).toEqual(fail(ID, R, `listening on 0.0.0.0:18789; ${expected}`));
    expect(await listening(['127.0.0.1:18789', '*:18789'])).toEqual(fail(ID, R, `listening on 127.0.0.1:18789, *:18789; ${expected}`));
    expect(await listening(['127.0.0.1:18789', '[::]:18789'])).toEqual(fail(ID, R, `listening on 127.0.0.1:18789, [::]:18789; ${expected}`));
    expect(await listening(['127.0.0.1:18789', '10.0.1.57:18789'])).toEqual(fail(ID, R, `listening on 127.0.0.1:18789, 10.0.1.57:18789; ${expected}`));
    expect(await listening(['127.0.0.1:187890'])).toEqual(fail(ID, R, `listening on 127.0.0.1:187890; ${expected}`));
    expect(await listening(['127.0.0.1:18790'])).toEqual(fail(ID, R, `listening on 127.0.0.1:18790; ${expected}`));
    expect(await listening(['127.0.0.1%lo:18789'])).toEqual(fail(ID, R, `listening on 127.0.0.1%lo:18789; ${expected}`));
    expect(await listening(['[::ffff:127.0.0.1]:18789'])).toEqual(fail(ID, R, `listening on [::ffff:127.0.0.1]:18789; ${expected}`));
    // An unbracketed IPv6 address that only ends like ::1 (older ss prints IPv6 without brackets).
    expect(await listening(['127.0.0.1:18789', '2001:db8::1:18789'])).toEqual(fail(ID, R, `listening on 127.0.0.1:18789, 2001:db8::1:18789; ${expected}`));
  });
});

describe('host.openclaw-audit', () => {
  const ID = 'host.openclaw-audit';
  const R = `${INSTANCE} (openclaw security audit --deep)`;
  const EXPECTED = 'expected 0 critical and no warn but gateway.probe_failed';
  const audit = async (a: unknown) => (await judge(ID, host('audit', a as Host['audit'])))[0];
  const known = HOST.audit.findings[0]!;
  it('no finding, or only the known one: pass', async () => {
    expect(await audit({ critical: 0, warn: 0, info: 4, findings: [] })).toEqual(pass(ID, R, '0 critical, 0 warn'));
    expect(await audit(HOST.audit)).toEqual(pass(ID, R, '0 critical, 1 warn: warn gateway.probe_failed (known): missing scope: operator.read'));
  });
  it('the known id with another detail, another warn, a critical finding, or a count its list does not show: fail', async () => {
    expect(await audit({ critical: 0, warn: 1, info: 3, findings: [{ id: 'gateway.probe_failed', severity: 'warn', detail: 'connect ECONNREFUSED 127.0.0.1:18789' }] })).toEqual(
      fail(ID, R, `0 critical, 1 warn: warn gateway.probe_failed: connect ECONNREFUSED 127.0.0.1:18789; ${EXPECTED}`),
    );
    expect(await audit({ critical: 0, warn: 2, info: 3, findings: [known, { id: 'fs.config.perms_group_readable', severity: 'warn', detail: 'mode 640' }] })).toEqual(
      fail(ID, R, `0 critical, 2 warn: warn gateway.probe_failed (known): missing scope: operator.read; warn fs.config.perms_group_readable: mode 640; ${EXPECTED}`),
    );
    expect(await audit({ critical: 1, warn: 1, info: 3, findings: [{ id: 'gateway.auth_none', severity: 'critical', detail: 'no auth' }, known] })).toEqual(
      fail(ID, R, `1 critical, 1 warn: critical gateway.auth_none: no auth; warn gateway.probe_failed (known): missing scope: operator.read; ${EXPECTED}`),
    );
    // The known finding's id and detail at another severity is not the known finding.
    expect(await audit({ critical: 1, warn: 0, info: 3, findings: [{ ...known, severity: 'critical' }] })).toEqual(fail(ID, R, `1 critical, 0 warn: critical gateway.probe_failed: missing scope: operator.read; ${EXPECTED}`));
    // The collector lists at most 20 findings: a summary counting warns its list does not show.
    expect(await audit({ critical: 0, warn: 2, info: 3, findings: [known] })).toEqual(fail(ID, R, `0 critical, 2 warn: warn gateway.probe_failed (known): missing scope: operator.read; ${EXPECTED}`));
    // A summary without a critical count (the collector's -1), or no summary at all.
    expect(await audit({ critical: -1, warn: 1, info: 3, findings: [known] })).toEqual(fail(ID, R, `-1 critical, 1 warn: warn gateway.probe_failed (known): missing scope: operator.read; ${EXPECTED}`));
    expect(await audit({ critical: -1, warn: -1, info: -1, findings: [] })).toEqual(fail(ID, R, `-1 critical, -1 warn; ${EXPECTED}`));
  });
  it('with two known findings, a finding is known when it is either of them, by id, severity and detail all three', async () => {
    const second = { id: 'gateway.trusted_proxies_missing', severity: 'warn' as const, detail: 'behind nginx', why: 'test' };
    const settings = { ...PROD, knownAuditFindings: [...KNOWN_AUDIT_FINDINGS, second] };
    const judged = async (findings: { id: string; severity: string; detail: string }[]) => (await judge(ID, host('audit', { critical: 0, warn: findings.length, info: 0, findings } as Host['audit']), settings))[0]!;
    expect(await judged([{ id: second.id, severity: 'warn', detail: 'behind nginx' }])).toMatchObject({ status: 'pass', evidence: '0 critical, 1 warn: warn gateway.trusted_proxies_missing (known): behind nginx' });
    // Another id with a known finding's severity and detail is not that finding.
    expect(await judged([{ id: 'gateway.other', severity: 'warn', detail: 'behind nginx' }])).toMatchObject({ status: 'fail' });
  });
  it('an audit summary without a findings list reads as no finding', async () => {
    expect(await audit({ critical: 0, warn: 0, info: 2 })).toEqual(pass(ID, R, '0 critical, 0 warn'));
  });
  it('an audit that printed no JSON: fail with the error', async () => {
    expect(await audit({ error: 'no JSON from the audit: Error: Config invalid' })).toEqual(fail(ID, R, "no JSON from the audit: Error: Config invalid; expected the audit's JSON report"));
  });
  it('the expectation names every known finding', async () => {
    const settings = { ...PROD, knownAuditFindings: [...KNOWN_AUDIT_FINDINGS, { id: 'gateway.trusted_proxies_missing', severity: 'warn' as const, detail: 'behind nginx', why: 'test' }] };
    expect((await judge(ID, host('audit', { critical: 0, warn: 1, info: 0, findings: [{ id: 'x', severity: 'warn', detail: 'y' }] }), settings))[0]).toEqual(
      fail(ID, R, '0 critical, 1 warn: warn x: y; expected 0 critical and no warn but gateway.probe_failed, gateway.trusted_proxies_missing'),
    );
  });
});

describe('host.secret-files', () => {
  const ID = 'host.secret-files';
  const stats = (change: (lines: string[]) => string[]) => host('secretFiles', change([...HOST.secretFiles]));
  const replace = (from: string, to: string) => (lines: string[]) => lines.map((l) => (l.startsWith(`${from}|`) ? to : l));
  const TOKEN = `${SECRETS}/gateway-token`;
  const one = async (facts: unknown, p: string) => (await judge(ID, facts)).filter((r) => r.resource === at(p));
  it('owner, group, mode and type as expected; a regular file not empty and with one link', async () => {
    const bad: [string, string][] = [
      [`${TOKEN}|root|openclaw-ops|400|64|1|regular file`, 'regular file root:openclaw-ops 400, 64 bytes, 1 link(s)'],
      [`${TOKEN}|openclaw-ops|root|400|64|1|regular file`, 'regular file openclaw-ops:root 400, 64 bytes, 1 link(s)'],
      [`${TOKEN}|openclaw-ops|openclaw-ops|440|64|1|regular file`, 'regular file openclaw-ops:openclaw-ops 440, 64 bytes, 1 link(s)'],
      [`${TOKEN}|openclaw-ops|openclaw-ops|400|0|1|regular file`, 'regular file openclaw-ops:openclaw-ops 400, 0 bytes, 1 link(s)'],
      [`${TOKEN}|openclaw-ops|openclaw-ops|400|64|2|regular file`, 'regular file openclaw-ops:openclaw-ops 400, 64 bytes, 2 link(s)'],
      [`${TOKEN}|openclaw-ops|openclaw-ops|777|22|1|symbolic link`, 'symbolic link openclaw-ops:openclaw-ops 777'],
    ];
    for (const [line, seen] of bad) {
      expect(await one(stats(replace(TOKEN, line)), TOKEN)).toEqual([fail(ID, at(TOKEN), `${seen}; expected regular file openclaw-ops:openclaw-ops 400, not empty, 1 link`)]);
    }
    expect(await one(stats(replace(TOKEN, `${TOKEN}|openclaw-ops|openclaw-ops|400|1|1|regular file`)), TOKEN)).toEqual([pass(ID, at(TOKEN), 'regular file openclaw-ops:openclaw-ops 400, 1 bytes, 1 link(s)')]);
    // The folder: owner, group and mode only (its size and links are a folder's).
    expect(await one(stats(replace(SECRETS, `${SECRETS}|openclaw-ops|openclaw-ops|755|80|2|directory`)), SECRETS)).toEqual([fail(ID, at(SECRETS), 'directory openclaw-ops:openclaw-ops 755; expected directory openclaw-ops:openclaw-ops 700')]);
    expect(await one(stats(replace(SECRETS, `${SECRETS}|openclaw-ops|openclaw-ops|700|12|1|regular file`)), SECRETS)).toEqual([
      fail(ID, at(SECRETS), 'regular file openclaw-ops:openclaw-ops 700, 12 bytes, 1 link(s); expected directory openclaw-ops:openclaw-ops 700'),
    ]);
  });
  it('a file reported missing, or not listed in the folder, fails; a file in the folder that is not expected fails; results in the expected order, then the unexpected', async () => {
    const facts = stats((lines) => [
      ...lines.filter((l) => !l.startsWith(`${SECRETS}/agent-ops.json|`)).map((l) => (l.startsWith('/etc/nginx/') ? '/etc/nginx/openclaw/origin-verify.map.conf|missing' : l)),
      `${SECRETS}/agent-support.json|openclaw-ops|openclaw-ops|400|198|1|regular file`,
      `${SECRETS}/.gateway-token.tmp|root|root|600|0|1|regular empty file`,
    ]);
    expect(await judge(ID, facts)).toEqual([
      pass(ID, at(SECRETS), 'directory openclaw-ops:openclaw-ops 700'),
      pass(ID, at(TOKEN), 'regular file openclaw-ops:openclaw-ops 400, 64 bytes, 1 link(s)'),
      fail(ID, at(`${SECRETS}/agent-ops.json`), 'missing; expected regular file openclaw-ops:openclaw-ops 400'),
      fail(ID, at('/etc/nginx/openclaw/origin-verify.map.conf'), 'missing; expected regular file root:root 600'),
      fail(ID, at(`${SECRETS}/agent-support.json`), `unexpected file in ${SECRETS}`),
      fail(ID, at(`${SECRETS}/.gateway-token.tmp`), `unexpected file in ${SECRETS}`),
    ]);
  });
});

describe('host.egress-allowlist-dns', () => {
  const ID = 'host.egress-allowlist-dns';
  const A = `${INSTANCE}: secretsmanager.eu-west-1.amazonaws.com`;
  const D = `${INSTANCE}: example.com`;
  const dns = (allowed: object, denied: object) => judge(ID, host('dns', { allowed, denied } as Host['dns']));
  it('the allowlisted name not resolving, the other resolving: both fail, with the address seen', async () => {
    expect(await dns({ name: 'secretsmanager.eu-west-1.amazonaws.com', resolves: false }, { name: 'example.com', resolves: true, address: '2600:1406:3a00:21::173e:2e65' })).toEqual([
      fail(ID, A, 'allowlisted name does not resolve; expected it resolves'),
      fail(ID, D, 'name off the allowlist resolves (2600:1406:3a00:21::173e:2e65); expected no answer (DNS Firewall NXDOMAIN)'),
    ]);
  });
  it('answers for other names than the parameters (the names swapped) prove nothing: both fail', async () => {
    expect(await dns({ name: 'example.com', resolves: true, address: '10.0.1.57' }, { name: 'secretsmanager.eu-west-1.amazonaws.com', resolves: false })).toEqual([
      fail(ID, D, 'allowlisted name resolves (10.0.1.57); expected it resolves'),
      fail(ID, A, 'name off the allowlist does not resolve; expected no answer (DNS Firewall NXDOMAIN)'),
    ]);
  });
});

describe('host.boot-units and host.secrets-retrieved', () => {
  const UNITS = 'host.boot-units';
  const RET = 'host.secrets-retrieved';
  const PRE = 'openclaw-imds-preflight.service';
  const units = (u: Record<string, string>, retrieval = HOST.units.retrieval) => host('units', { units: u, retrieval });
  it('each unit must be active, Result=success and ExecMainStatus=0; what systemctl printed, trimmed, is the evidence', async () => {
    const expected = 'expected ActiveState=active Result=success ExecMainStatus=0';
    const seen: [string, string][] = [
      ['Result=exit-code ExecMainStatus=3 ActiveState=failed ', 'fail'],
      // A oneshot without RemainAfterExit= after it ran (or a unit systemd does not know): inactive.
      ['Result=success ExecMainStatus=0 ActiveState=inactive ', 'fail'],
      ['Result=success ExecMainStatus=1 ActiveState=active ', 'fail'],
      ['Result=exit-code ExecMainStatus=0 ActiveState=active ', 'fail'],
      ['Result=success ExecMainStatus=0 ActiveState=activating ', 'fail'],
      ['Result=success ExecMainStatus=0 ActiveState=active ', 'pass'],
      ['ActiveState=active Result=success ExecMainStatus=0 ', 'pass'],
    ];
    for (const [line, status] of seen) {
      const [first, second] = await judge(UNITS, units({ [PRE]: line, 'openclaw-secrets.service': HOST.units.units['openclaw-secrets.service']! }));
      expect(first).toEqual(status === 'pass' ? pass(UNITS, at(PRE), line.trim()) : fail(UNITS, at(PRE), `${line.trim()}; ${expected}`));
      expect(second!.status).toBe('pass');
    }
    // systemctl without a bus prints its error instead; a unit the collector did not report.
    expect(await judge(UNITS, units({ [PRE]: 'Failed to connect to bus: No such file or directory ' }))).toEqual([
      fail(UNITS, at(PRE), `Failed to connect to bus: No such file or directory; ${expected}`),
      fail(UNITS, at('openclaw-secrets.service'), `not reported; ${expected}`),
    ]);
  });
  it('the last retrieval line must be OK and name each secret', async () => {
    const ok = await judge(RET, HOST);
    expect(ok.map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    const partial = 'openclaw-secrets: OK 4 secrets (gateway-token-ops, agent-ops, gateway-token-support, origin-verify) in 1.02 s, 1 changed';
    expect(await judge(RET, units(HOST.units.units, partial))).toEqual(
      PROD.retrieval.ids.map((id) =>
        id === 'agent-support'
          ? fail(RET, at(`openclaw-secrets.service ${id}`), `last retrieval: ${partial}; expected an OK line naming ${id} (fetched, non-empty, written)`)
          : pass(RET, at(`openclaw-secrets.service ${id}`), `last retrieval: ${partial}`),
      ),
    );
    const failed = 'openclaw-secrets: FAILED SecretEmpty: agent-ops: /telegram/botToken is empty [metric SecretFetchFailed{Reason=SecretEmpty} published to OpenClaw/Secrets]';
    expect(await judge(RET, units(HOST.units.units, failed))).toEqual(PROD.retrieval.ids.map((id) => fail(RET, at(`openclaw-secrets.service ${id}`), `last retrieval: ${failed}; expected an OK line naming ${id} (fetched, non-empty, written)`)));
    expect(await judge(RET, units(HOST.units.units, ''))).toEqual(PROD.retrieval.ids.map((id) => fail(RET, at(`openclaw-secrets.service ${id}`), `no retrieval line this boot; expected an OK line naming ${id} (fetched, non-empty, written)`)));
  });
  it('one secret ("secret"), and more than nine', async () => {
    const one = { ...PROD, retrieval: { unit: 'openclaw-secrets.service', ids: ['origin-verify'] } };
    const line1 = 'openclaw-secrets: OK 1 secret (origin-verify) in 0.31 s';
    expect(await judge(RET, units(HOST.units.units, line1), one)).toEqual([pass(RET, at('openclaw-secrets.service origin-verify'), `last retrieval: ${line1}`)]);
    const ids = Array.from({ length: 12 }, (_, i) => `agent-a${i}`);
    const line12 = `openclaw-secrets: OK 12 secrets (${ids.join(', ')}) in 2.50 s`;
    const results = await judge(RET, units(HOST.units.units, line12), { ...PROD, retrieval: { unit: 'openclaw-secrets.service', ids } });
    expect(results.map((r) => `${r.status} ${r.resource}`)).toEqual(ids.map((id) => `pass ${at(`openclaw-secrets.service ${id}`)}`));
  });
});

describe('host.egress-proxy and host.origin-verify-enforced', () => {
  const PROXY = 'host.egress-proxy';
  const ORIGIN = 'host.origin-verify-enforced';
  it('the proxy not active, its file unreadable or not the rendered one: fail', async () => {
    expect(await judge(PROXY, host('proxy', { active: 'inactive', sha256: '' }))).toEqual([
      fail(PROXY, at('squid.service'), 'inactive; expected active'),
      fail(PROXY, at('/etc/squid/squid.conf'), `not readable; expected sha256 ${PROXY_SHA.slice(0, 12)} (the rendered squid.conf)`),
    ]);
    const changed = sha256(`${renderEgressProxyConfig(PROD_CONFIG)}http_access allow all\n`);
    expect(await judge(PROXY, host('proxy', { active: 'active', sha256: changed }))).toEqual([
      pass(PROXY, at('squid.service'), 'active'),
      fail(PROXY, at('/etc/squid/squid.conf'), `sha256 ${changed.slice(0, 12)}; expected sha256 ${PROXY_SHA.slice(0, 12)} (the rendered squid.conf)`),
    ]);
  });
  it('the origin answering another status, or another URL answering the refusal: fail', async () => {
    expect(await judge(ORIGIN, host('origin', { url: 'http://127.0.0.1:8080/', status: 200 }))).toEqual([fail(ORIGIN, `${INSTANCE}: http://127.0.0.1:8080/`, 'HTTP 200 without the origin-verify header; expected HTTP 403')]);
    expect(await judge(ORIGIN, host('origin', { url: 'http://127.0.0.1:8081/', status: 403 }))).toEqual([fail(ORIGIN, `${INSTANCE}: http://127.0.0.1:8081/`, 'HTTP 403 without the origin-verify header; expected HTTP 403')]);
  });
});
