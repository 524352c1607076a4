/**
 * The program of fetch-secrets.js as a function (main.ts is its thin entry:
 * process.argv in, stdout/stderr lines and the exit code out).
 *
 *   1. reads and checks the manifest (args.ts, manifest.ts),
 *   2. gets the instance role's credentials through IMDSv2 only (imds.ts),
 *   3. fetches and checks every secret, retrying throttling and 5xx (fetch.ts, content.ts),
 *   4. writes the files atomically, each owned by its gateway's user (users.ts)
 *      in that gateway's own 0700 folder: in boot mode all of them, only when
 *      all were fetched; with --refresh only the changed ones (write.ts).
 *
 * Where it talks to: the SDK's own configuration (the metadata service from
 * AWS_EC2_METADATA_SERVICE_ENDPOINT, the Secrets Manager and CloudWatch
 * endpoints from AWS_ENDPOINT_URL_*; on the host none is set and the real
 * endpoints are used). The only other input from outside is the clock.
 */
import { performance } from 'perf_hooks';
import type { SecretsManifest } from '../../lib/secrets/secrets-manifest';
import { parseOptions } from './args';
import { DEFAULT_METRIC_NAME, EXIT_CODES, LINE_PREFIX, SecretsFailure, describeError, failureLine, type MetricOutcome } from './failure';
import { fetchSecrets } from './fetch';
import { instanceCredentials, type InstanceCredentials } from './imds';
import { loadManifest, selectSecrets } from './manifest';
import { publishFailureMetric } from './metric';
import { resolveUsers } from './users';
import { isUpToDate, planFiles, prepareFolders, writeFiles } from './write';

/** What the program prints and its exit code. */
export interface RunResult {
  readonly out: string[];
  readonly err: string[];
  readonly code: number;
}

/** What the program takes from outside besides argv and the SDK configuration. */
export interface RunDeps {
  /** Milliseconds since the process started (the OK line reports it in seconds). */
  readonly elapsedMs: () => number;
}

const PROCESS_DEPS: RunDeps = { elapsedMs: () => performance.now() };

/**
 * Runs the program with `argv` (without node and the script); never throws.
 * Success: `openclaw-secrets: OK <n> secrets (<ids>) in <s> s` on stdout
 * (after one `openclaw-secrets: changed <id>` line per rewritten file with
 * --refresh; the manifest's `unit` of that id is the gateway to restart). Failure: exactly one `openclaw-secrets: FAILED <Reason>: ...`
 * line on stderr, the SecretRetrievalFailed{Reason} metric (best effort) and
 * the Reason's exit code (failure.ts). No secret value is ever printed.
 */
export async function runFetchSecrets(argv: readonly string[], deps: RunDeps = PROCESS_DEPS): Promise<RunResult> {
  let manifest: SecretsManifest | undefined;
  let credentials: InstanceCredentials | undefined;
  try {
    const o = parseOptions(argv);
    manifest = loadManifest(o.manifest);
    const secrets = selectSecrets(manifest, o.only);
    // Before any request: a missing gateway user fails fast, with nothing fetched or written.
    const owners = resolveUsers([...new Set(secrets.flatMap((s) => (s.kind === 'origin-verify' ? [] : [s.user])))], o.passwd);
    credentials = await instanceCredentials({ timeoutMs: o.imdsTimeoutMs, attempts: o.imdsAttempts });
    const fetched = await fetchSecrets(secrets, credentials, o);
    const files = planFiles(fetched, owners);
    prepareFolders(files);
    const toWrite = o.refresh ? files.filter((f) => !isUpToDate(f)) : files;
    writeFiles(toWrite);
    const seconds = (deps.elapsedMs() / 1000).toFixed(2);
    const ids = secrets.map((s) => s.id).join(', ');
    const ok = `${LINE_PREFIX} OK ${secrets.length} secret${secrets.length === 1 ? '' : 's'} (${ids}) in ${seconds} s${o.refresh ? `, ${toWrite.length} changed` : ''}`;
    return { out: [...(o.refresh ? toWrite.map((f) => `${LINE_PREFIX} changed ${f.secret.id}`) : []), ok], err: [], code: 0 };
  } catch (e) {
    const failure = e instanceof SecretsFailure ? e : new SecretsFailure('Unexpected', 'fetch-secrets', `${describeError(e)}; this is a bug of fetch-secrets: report it`);
    let metric: MetricOutcome;
    if (!manifest) metric = { published: false, why: 'no usable manifest' };
    else if (failure.exitCode === EXIT_CODES.Usage) metric = { published: false, why: 'command line error' };
    else metric = await publishFailureMetric(manifest, failure.reason, credentials);
    return { out: [], err: [failureLine(failure, manifest?.metricName ?? DEFAULT_METRIC_NAME, metric)], code: failure.exitCode };
  }
}
