import type { ResolvedConfig } from '../config/schema';

/** `<prefix>-<client>-<env>`: unique per client x environment, so several coexist in one account. */
export const deploymentName = (config: ResolvedConfig) => `${config.project.prefix}-${config.client}-${config.env}`;

/** CloudWatch namespace of the host's own metrics (preflight, integrity, spend). */
export const hostMetricNamespace = (name: string) => `OpenClaw/${name}`;

/** Log group name prefix of the host's logs. */
export const hostLogGroupPrefix = (name: string) => `/openclaw/${name}/`;

/** The SSM Command document `npm run verify` runs on the gateway host (lib/host/verification-document.ts). */
export const verificationDocumentName = (name: string) => `${name}-verify-host`;
