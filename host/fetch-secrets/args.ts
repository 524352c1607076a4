/**
 * The command line of fetch-secrets.js:
 *   node fetch-secrets.js --manifest PATH [--passwd /etc/passwd] [--only id1,id2] [--refresh]
 *     [--max-attempts 5] [--retry-base-ms 100] [--concurrency 8]
 *     [--imds-timeout-ms 1000] [--imds-attempts 3]
 */
import { integerOption, strictArgs } from '../shared/strict-args';
import { SecretsFailure } from './failure';
import { PASSWD_FILE } from './users';

/** What the command line asks for. */
export interface Options {
  readonly manifest: string;
  /** The passwd file the owners of the text and json files (each secret's gateway user) are looked up in. */
  readonly passwd: string;
  /** Ids of the secrets to fetch; undefined: all of the manifest. */
  readonly only?: readonly string[];
  /** Write only changed files and print `changed <id>` lines; leave files untouched on failure. */
  readonly refresh: boolean;
  /** Attempts per Secrets Manager call, retries of throttling and 5xx included. */
  readonly maxAttempts: number;
  /** Base of the exponential backoff between attempts, in ms. */
  readonly retryBaseMs: number;
  /** Secrets fetched at the same time. */
  readonly concurrency: number;
  /** Time-out of each request to the instance metadata service, in ms. */
  readonly imdsTimeoutMs: number;
  /** Attempts of each request to the instance metadata service. */
  readonly imdsAttempts: number;
}

export const USAGE =
  'usage: node fetch-secrets.js --manifest PATH [--passwd /etc/passwd] [--only id1,id2] [--refresh] [--max-attempts 5] [--retry-base-ms 100] [--concurrency 8] [--imds-timeout-ms 1000] [--imds-attempts 3]';

const usage = (what: string) => new SecretsFailure('Usage', 'command line', `${what}; ${USAGE}`);

const integer = (name: string, raw: string | undefined, fallback: number | undefined, min: number, max: number): number => integerOption(name, raw, fallback, min, max, usage);

/** Parses argv (without node and the script); throws a Usage SecretsFailure. */
export function parseOptions(argv: readonly string[]): Options {
  const values = strictArgs(
    argv,
    {
      manifest: { type: 'string' },
      passwd: { type: 'string' },
      only: { type: 'string' },
      refresh: { type: 'boolean' },
      'max-attempts': { type: 'string' },
      'retry-base-ms': { type: 'string' },
      concurrency: { type: 'string' },
      'imds-timeout-ms': { type: 'string' },
      'imds-attempts': { type: 'string' },
    },
    usage,
  );
  const str = (k: string) => values[k] as string | undefined;
  const manifest = str('manifest');
  if (!manifest) throw usage('--manifest is required');
  const passwd = str('passwd');
  if (passwd === '') throw usage('--passwd: expected the path of a passwd file (default /etc/passwd)');
  const only = str('only');
  const ids = only?.split(',').map((s) => s.trim());
  if (ids?.some((id) => id === '')) throw usage(`--only: expected comma-separated secret ids (got "${only}")`);
  return {
    manifest,
    passwd: passwd ?? PASSWD_FILE,
    ...(ids ? { only: [...new Set(ids)] } : {}),
    refresh: values.refresh === true,
    maxAttempts: integer('max-attempts', str('max-attempts'), 5, 1, 20),
    retryBaseMs: integer('retry-base-ms', str('retry-base-ms'), 100, 0, 10_000),
    concurrency: integer('concurrency', str('concurrency'), 8, 1, 64),
    imdsTimeoutMs: integer('imds-timeout-ms', str('imds-timeout-ms'), 1000, 50, 30_000),
    imdsAttempts: integer('imds-attempts', str('imds-attempts'), 3, 1, 10),
  };
}
