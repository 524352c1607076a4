/**
 * Where the files rendered from the config (host.env, the secret files, the include
 * files of openclaw.json) sit on the gateway host, derived from HOST_PATHS.
 */
import { CONTROL_UI_ORIGINS_FILE, EXEC_APPROVALS_FILE } from '../openclaw/openclaw-config';
import { HOST_PATHS } from './paths';

/** Deployment identity read by the helper units (EnvironmentFile=): namespace, region. */
export const HOST_ENV_FILE = `${HOST_PATHS.configDir}/host.env`;
/**
 * The gateway token: written by openclaw-secrets.service (the secrets step) on tmpfs,
 * owner HOST_PATHS.user:HOST_PATHS.user, mode 0400, a regular file with one hard link
 * (OpenClaw refuses secret files readable by others, symlinked or hard-linked), like
 * every other secret file of openclawSecretFiles(config); openclaw-gateway.service
 * refuses to start without any of them (AssertFileNotEmpty=). openclaw.json refers to
 * them (`file` SecretRefs).
 */
export const GATEWAY_TOKEN_FILE = `${HOST_PATHS.secretsDir}/gateway-token`;
/** control-ui-origins.json on the host: `$include`d by openclaw.json; boot adds the CloudFront domain. */
export const CONTROL_UI_ORIGINS_HOST_FILE = `${HOST_PATHS.configDir}/${CONTROL_UI_ORIGINS_FILE}`;
/** exec-approvals.json on the host: imported before every gateway start (GATEWAY_APPROVALS_IMPORT). */
export const EXEC_APPROVALS_HOST_FILE = `${HOST_PATHS.configDir}/${EXEC_APPROVALS_FILE}`;
/**
 * The host's gateways, one line each, `<id> <user> <port> <agent>[,<agent>...]` (renderGatewaysList):
 * what install-bundle.sh, prepare-state.sh, refresh-secrets.sh, the integrity check, the log
 * export and the host facts loop over. root 0644 (names and ports, nothing secret).
 */
export const GATEWAYS_LIST_HOST_FILE = `${HOST_PATHS.configDir}/gateways.list`;
