/**
 * The rotation function's configuration, read from its environment once per
 * invocation. Every problem is one error naming the variable, so a
 * misconfigured deployment fails its first rotation step with a clear line.
 *
 *   KIND                  origin-verify | gateway-token
 *   REFRESH_DOCUMENT      SSM document that makes the host re-read its secrets
 *   HOST_INSTANCE_ID      the gateway instance (i-...)
 *   HOST_REGION           region of the instance (may differ from the function's)
 *   VALUE_LENGTH          length of generated values; optional, default 48 (32-1024)
 *   REFRESH_POLL_MS       optional, default 2000: pause between command status polls
 *   REFRESH_MAX_WAIT_MS   optional, default 120000: how long to wait for the refresh
 *   DISTRIBUTION_ID       origin-verify only: the CloudFront distribution
 *   ORIGIN_HEADER         origin-verify only: the custom origin header's name
 */

export const KINDS = ['origin-verify', 'gateway-token'] as const;
export type Kind = (typeof KINDS)[number];

interface CommonEnv {
  readonly valueLength: number;
  readonly refreshDocument: string;
  readonly hostInstanceId: string;
  readonly hostRegion: string;
  readonly refreshPollMs: number;
  readonly refreshMaxWaitMs: number;
}

export interface OriginVerifyEnv extends CommonEnv {
  readonly kind: 'origin-verify';
  readonly distributionId: string;
  readonly originHeader: string;
}

export interface GatewayTokenEnv extends CommonEnv {
  readonly kind: 'gateway-token';
}

export type RotationEnv = OriginVerifyEnv | GatewayTokenEnv;

export const DEFAULT_VALUE_LENGTH = 48;
export const DEFAULT_REFRESH_POLL_MS = 2_000;
export const DEFAULT_REFRESH_MAX_WAIT_MS = 120_000;
/** nginx's map accepts 32-1024 characters (lib/host/nginx-config.ts). */
const MIN_VALUE_LENGTH = 32;
const MAX_VALUE_LENGTH = 1024;

/** SSM document names: letters, digits, `_-.`, 3-128 characters; or a document ARN. */
const DOCUMENT = /^([A-Za-z0-9_.-]{3,128}|arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:document\/[A-Za-z0-9_.-]{3,128})$/;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const DISTRIBUTION_ID = /^[A-Z0-9]{8,20}$/;
/** Same rule as the config schema (lib/edge/config-schema.ts), any case: CloudFront matches names case-insensitively. */
const HEADER_NAME = /^x-[a-z0-9-]{3,40}$/i;

export class EnvError extends Error {
  constructor(variable: string, problem: string) {
    super(`rotation function misconfigured: environment variable ${variable} ${problem}`);
    this.name = 'EnvError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string, pattern: RegExp, shape: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new EnvError(name, `is missing (expected ${shape})`);
  // The variables hold names and ids, never secrets: echoing the bad value helps.
  if (!pattern.test(value)) throw new EnvError(name, `is invalid: "${value}" is not ${shape}`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new EnvError(name, `is invalid: "${raw}" is not an integer from ${min} to ${max}`);
  }
  return Number(raw);
}

export function readEnv(env: Env = process.env): RotationEnv {
  const kind = env.KIND?.trim();
  if (kind === undefined || kind === '') throw new EnvError('KIND', `is missing (expected ${KINDS.join(' or ')})`);
  if (!(KINDS as readonly string[]).includes(kind)) throw new EnvError('KIND', `is invalid: "${kind}" is not ${KINDS.join(' or ')}`);
  const common: CommonEnv = {
    refreshDocument: required(env, 'REFRESH_DOCUMENT', DOCUMENT, 'an SSM document name or ARN'),
    hostInstanceId: required(env, 'HOST_INSTANCE_ID', INSTANCE_ID, 'an EC2 instance id (i-...)'),
    hostRegion: required(env, 'HOST_REGION', REGION, 'an AWS region such as eu-west-1'),
    valueLength: integer(env, 'VALUE_LENGTH', DEFAULT_VALUE_LENGTH, MIN_VALUE_LENGTH, MAX_VALUE_LENGTH),
    refreshPollMs: integer(env, 'REFRESH_POLL_MS', DEFAULT_REFRESH_POLL_MS, 1, 60_000),
    refreshMaxWaitMs: integer(env, 'REFRESH_MAX_WAIT_MS', DEFAULT_REFRESH_MAX_WAIT_MS, 1, 15 * 60_000),
  };
  if (kind === 'gateway-token') return { kind, ...common };
  return {
    kind: 'origin-verify',
    ...common,
    distributionId: required(env, 'DISTRIBUTION_ID', DISTRIBUTION_ID, 'a CloudFront distribution id'),
    originHeader: required(env, 'ORIGIN_HEADER', HEADER_NAME, 'an HTTP header name such as x-origin-verify'),
  };
}
