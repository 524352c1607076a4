/**
 * fetch-secrets.js: the boot-time (and refresh-time) secret retrieval of the
 * OpenClaw host. Runs as root from openclaw-secrets.service before nginx and
 * the gateway; bundled into one file by bundle.ts and run with the pinned Node.
 *
 *   1. reads and checks the manifest (args.ts, manifest.ts),
 *   2. gets the instance role's credentials through IMDSv2 only (imds.ts),
 *   3. fetches and checks every secret, retrying throttling and 5xx (fetch.ts, content.ts),
 *   4. writes the files atomically: in boot mode all of them, only when all
 *      were fetched; with --refresh only the changed ones (write.ts).
 *
 * Success: `openclaw-secrets: OK <n> secrets (<ids>) in <s> s` on stdout
 * (after one `openclaw-secrets: changed <id>` line per rewritten file with
 * --refresh). Failure: exactly one `openclaw-secrets: FAILED <Reason>: ...`
 * line on stderr, the SecretRetrievalFailed{Reason} metric (best effort) and
 * the Reason's exit code (failure.ts). No secret value is ever printed.
 */
import { performance } from 'perf_hooks';
import type { SecretsManifest } from '../../lib/secrets/secrets-manifest';
import { parseOptions } from './args';
import { DEFAULT_METRIC_NAME, EXIT_CODES, LINE_PREFIX, SecretsFailure, describeError, failureLine, type MetricOutcome } from './failure';
import { fetchSecrets } from './fetch';
import { instanceCredentials, type InstanceCredentials } from './imds';
import { loadManifest, selectSecrets } from './manifest';
import { publishFailureMetric } from './metric';
import { isUpToDate, planFiles, writeFiles } from './write';

/** Runs the program; returns its stdout lines and exit code, or throws nothing. */
async function run(argv: readonly string[]): Promise<{ out: string[]; err: string[]; code: number }> {
  let manifest: SecretsManifest | undefined;
  let credentials: InstanceCredentials | undefined;
  try {
    const o = parseOptions(argv);
    manifest = loadManifest(o.manifest);
    const secrets = selectSecrets(manifest, o.only);
    credentials = await instanceCredentials({ timeoutMs: o.imdsTimeoutMs, attempts: o.imdsAttempts });
    const fetched = await fetchSecrets(secrets, credentials, o);
    const files = planFiles(fetched, o);
    const toWrite = o.refresh ? files.filter((f) => !isUpToDate(f)) : files;
    writeFiles(toWrite);
    const seconds = (performance.now() / 1000).toFixed(2);
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

// The host runs a supported Node; the SDK's notice for older ones would be a second stderr line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

void run(process.argv.slice(2)).then(({ out, err, code }) => {
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  if (err.length > 0) process.stderr.write(`${err.join('\n')}\n`);
  // Exit now: a metadata service that never answers must not keep the process alive.
  process.exit(code);
});
