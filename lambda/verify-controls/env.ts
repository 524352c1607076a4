/**
 * The daily drift check's environment, set at synth by its construct
 * (lib/alarms/controls-drift-check.ts) and read once per invocation.
 */
import * as zlib from 'zlib';
import type { StackRole } from '../../lib/verify/deployed-stacks';
import type { VerifySettings } from '../../lib/verify/settings';

/** One stack of the deployment: where to read its deployed template. */
export interface StackLocation {
  readonly stackName: string;
  readonly role: StackRole;
  readonly region: string;
}

export interface DriftCheckEnv {
  /** `<prefix>-<client>-<env>` (DEPLOYMENT_NAME). */
  readonly name: string;
  /** The deployment's account (ACCOUNT). */
  readonly account: string;
  /** The deployment's main region (AWS_REGION, set by Lambda). */
  readonly region: string;
  /** The five stacks (STACKS, JSON). */
  readonly stacks: readonly StackLocation[];
  /** verifySettings(config) computed at synth (SETTINGS_GZIP: JSON, gzip, base64). */
  readonly settings: VerifySettings;
  /** Where the metrics go (METRIC_NAMESPACE). */
  readonly namespace: string;
}

function required(env: NodeJS.ProcessEnv, key: string): string {
  const v = env[key];
  if (v === undefined || v === '') throw new Error(`verify-controls: environment variable ${key} is not set`);
  return v;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): DriftCheckEnv {
  return {
    name: required(env, 'DEPLOYMENT_NAME'),
    account: required(env, 'ACCOUNT'),
    region: required(env, 'AWS_REGION'),
    stacks: JSON.parse(required(env, 'STACKS')) as StackLocation[],
    settings: JSON.parse(zlib.gunzipSync(Buffer.from(required(env, 'SETTINGS_GZIP'), 'base64')).toString('utf8')) as VerifySettings,
    namespace: required(env, 'METRIC_NAMESPACE'),
  };
}
