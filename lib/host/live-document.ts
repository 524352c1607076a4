/**
 * The content of the deployment's verification document: the collector
 * (host/verify/collect-host-facts.sh) run by aws:runShellScript, preceded by
 * the OCV_* values it reads (from the host live settings) and the two SendCommand
 * parameters. Pure (reads only the collector file), so that the construct
 * (lib/host/verification-document.ts) and the tests share it.
 */
import type { HostLiveSettings } from './live-settings';
import { HOST_PATHS } from './paths';
import { IMDS_ENDPOINT } from './template-values';
import { readHostSource } from './template';

/** The collector, under host/ (not in the deployment bundle). */
export const HOST_FACTS_COLLECTOR = 'verify/collect-host-facts.sh';
/** How long the host may take (the audit is the slow part); the checks poll a little longer. */
export const HOST_FACTS_TIMEOUT_SECONDS = 150;
/** A SendCommand parameter value: a DNS name. SSM substitutes it into the script, so nothing else is allowed. */
export const DNS_NAME_PATTERN = '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$';

/** Values SSM substitutes; the collector sees them as OCV_ALLOWED_NAME and OCV_DENIED_NAME. */
const PARAMETER_VARIABLES = { AllowedName: 'OCV_ALLOWED_NAME', DeniedName: 'OCV_DENIED_NAME' } as const;

/** The OCV_* environment of the collector on the deployed host (everything but the parameters). */
export function collectorEnvironment(s: HostLiveSettings): Record<string, string> {
  return {
    OCV_GATEWAY_USER: s.gatewayUser,
    OCV_GATEWAY_UNIT: s.gatewayUnit,
    OCV_IMDS: IMDS_ENDPOINT,
    OCV_NFT_FILE: s.ruleset.path,
    OCV_READONLY_ROOTS: s.readOnlyRoots.join(' '),
    OCV_READONLY_DIRS: s.readOnlyDirs.join(' '),
    OCV_SECRETS_DIR: s.secretsDir,
    OCV_SECRET_FILES: s.secretFiles.filter((f) => !f.path.startsWith(`${s.secretsDir}/`) && f.path !== s.secretsDir).map((f) => f.path).join(' '),
    OCV_UNITS: s.bootUnits.join(' '),
    OCV_RETRIEVAL_UNIT: s.retrieval.unit,
    OCV_ORIGIN_URL: s.origin.url,
    OCV_NODE: HOST_PATHS.node,
    OCV_OPENCLAW_BIN: HOST_PATHS.openclawBin,
    OCV_STATE_DIR: HOST_PATHS.stateDir,
    OCV_CONFIG_FILE: HOST_PATHS.configFile,
    OCV_PROXY_UNIT: s.proxy.unit,
    OCV_PROXY_CONF: s.proxy.path,
  };
}

/** `export NAME='value'`; refuses a value a single-quoted shell word cannot hold as is. */
function exportLine(name: string, value: string): string {
  if (!/^[A-Za-z0-9_./:{}@ -]*$/.test(value)) throw new Error(`verification document: unsafe value for ${name}: ${JSON.stringify(value)}`);
  return `export ${name}='${value}'`;
}

/** The runShellScript lines: shebang, a guard that re-runs the script under bash when sh runs it, the values, the collector. */
export function verificationCommands(s: HostLiveSettings, collector: string = readHostSource(HOST_FACTS_COLLECTOR)): string[] {
  const [shebang, ...body] = collector.replace(/\n$/, '').split('\n');
  if (shebang !== '#!/usr/bin/env bash') throw new Error(`${HOST_FACTS_COLLECTOR} must start with #!/usr/bin/env bash`);
  return [
    shebang,
    // SSM runs the file with sh on some agents: re-run it with bash (a no-op when the shebang was honoured).
    'if [ -z "${BASH_VERSION:-}" ]; then exec /bin/bash "$0" "$@"; fi',
    ...Object.entries(collectorEnvironment(s)).map(([k, v]) => exportLine(k, v)),
    ...Object.entries(PARAMETER_VARIABLES).map(([param, variable]) => exportLine(variable, `{{ ${param} }}`)),
    ...body,
  ];
}

/** The document's content (schema 2.2, one aws:runShellScript step). */
export function verificationDocumentContent(deployment: string, s: HostLiveSettings, collector?: string): Record<string, unknown> {
  return {
    schemaVersion: '2.2',
    description: `Collect the facts npm run verify checks on the ${deployment} gateway host (read-only, except a write test as the gateway user that must fail)`,
    parameters: Object.fromEntries(
      Object.keys(PARAMETER_VARIABLES).map((param) => [
        param,
        { type: 'String', description: param === 'AllowedName' ? 'A name on the egress allowlist: it must resolve' : 'A name not on the egress allowlist: it must not resolve', allowedPattern: DNS_NAME_PATTERN },
      ]),
    ),
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: 'collectHostFacts',
        inputs: { timeoutSeconds: String(HOST_FACTS_TIMEOUT_SECONDS), runCommand: verificationCommands(s, collector) },
      },
    ],
  };
}
