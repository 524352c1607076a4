/**
 * npm run verify -- --list (the checks and drills, no credentials needed)
 * npm run verify -- --client <c> --env <e> [--write-probes] [--drill=<id>[,<id>]] [--only <concern>[,...]]
 *
 * Checks a deployed client x environment control by control with the
 * deploying account's credentials: synthesizes it (with the gate), checks
 * the credentials and the account, runs every live check, prints a table,
 * writes a JSON report and appends a "Verified live" section to the
 * compliance report. Exit 0 when every check passed, 1 when one failed (or
 * the config or gate failed), 2 for a usage or credentials error.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { GOVERNANCE_ENVIRONMENTS } from '../audit/audit-config';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import { GateError } from '../gate/finding';
import { deploymentName } from '../shared/naming';
import { ALL_DRILLS } from './all-drills';
import { ALL_LIVE_CHECKS } from './all-checks';
import type { CheckResult, LiveCheck, LiveConcern } from './live-check';
import { runChecks, describeError } from './run-checks';
import { verifySettings } from './settings';
import { synthesizeDeployment } from './synthesized-deployment';
import { VerifyContext, type HttpRequester } from './verify-context';
import { appendToComplianceReport, countFailures, renderCheckList, renderJson, renderTable, type VerifyRunInfo } from './verify-report';

export const VERIFY_USAGE =
  'usage: npm run verify -- --list | --client <c> --env <e> [--write-probes] [--drill=<id>[,<id>]] [--only <concern>[,...]] [--json FILE] [--config-dir DIR] [--outdir DIR]';

/** Where the command writes; tests capture both. */
export interface VerifyIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Rewrites one progress line in place (a terminal); undefined prints one line per finished check. */
  readonly progressLine?: (text: string) => void;
}

export interface VerifyDeps {
  readonly io: VerifyIo;
  readonly now: () => Date;
  /** @default the global fetch */
  readonly http?: HttpRequester;
  /** Extra synth context (tests skip asset bundling). @default {} */
  readonly synthContext?: Record<string, unknown>;
}

/** Why a run stopped before checking anything: one line, and the exit code. */
class Stop extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** Credential errors the SDK raises when it finds none (or cannot use what it found), as one line. */
export function credentialsProblem(e: unknown): string | undefined {
  const err = e as { name?: string; message?: string };
  const message = (err.message ?? '').replace(/\s+/g, ' ').trim();
  if (/Could not load credentials from any providers/i.test(message)) {
    return 'no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) for the deploying account';
  }
  if (err.name === 'CredentialsProviderError') return `could not load AWS credentials: ${message} (for SSO: aws sso login)`;
  if (/ExpiredToken|InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClient/.test(`${err.name} ${message}`)) {
    return `AWS refused the credentials (${err.name}): refresh them (aws sso login, or new keys) and run again`;
  }
  return undefined;
}

export async function runVerify(argv: readonly string[], deps: VerifyDeps): Promise<number> {
  const { io } = deps;
  try {
    return await verify(argv, deps);
  } catch (e) {
    if (e instanceof Stop) {
      io.err(`verify: ${e.message}`);
      return e.code;
    }
    throw e;
  }
}

async function verify(argv: readonly string[], deps: VerifyDeps): Promise<number> {
  const { io } = deps;
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        client: { type: 'string' },
        env: { type: 'string' },
        'write-probes': { type: 'boolean', default: false },
        drill: { type: 'string' },
        only: { type: 'string' },
        json: { type: 'string' },
        'config-dir': { type: 'string', default: path.resolve(__dirname, '..', '..', 'config') },
        outdir: { type: 'string', default: 'cdk.out' },
        list: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new Stop(`${(e as Error).message}\n${VERIFY_USAGE}`, 2);
  }
  if (values.list) {
    io.out(renderCheckList(ALL_LIVE_CHECKS, ALL_DRILLS));
    return 0;
  }
  if (!values.client || !values.env) throw new Stop(`--client and --env are required\n${VERIFY_USAGE}`, 2);
  const only = list(values.only) as LiveConcern[];
  const concerns = new Set(ALL_LIVE_CHECKS.map((c) => c.concern));
  const unknownConcern = only.find((c) => !concerns.has(c));
  if (unknownConcern) throw new Stop(`--only ${unknownConcern}: expected one of ${[...concerns].join(', ')}`, 2);
  const drills = list(values.drill).map((id) => ALL_DRILLS.find((d) => d.id === id) ?? id);
  const unknownDrill = drills.find((d) => typeof d === 'string');
  if (unknownDrill !== undefined) throw new Stop(`--drill ${String(unknownDrill)}: expected one of ${ALL_DRILLS.map((d) => d.id).join(', ') || '(none)'}`, 2);

  const now = deps.now();
  let config;
  try {
    config = loadConfig({ configDir: values['config-dir'], client: values.client, env: values.env, now }).config;
  } catch (e) {
    if (e instanceof ConfigError) throw new Stop(e.message, 1);
    throw e;
  }
  const nonProd = (GOVERNANCE_ENVIRONMENTS as readonly string[]).includes(config.env);
  const refused = drills.filter((d) => typeof d !== 'string' && d.nonProdOnly && !nonProd);
  if (refused.length) {
    throw new Stop(`--drill ${refused.map((d) => (typeof d === 'string' ? d : d.id)).join(',')} changes the deployment and runs only on ${GOVERNANCE_ENVIRONMENTS.join(' or ')}, not ${config.env}`, 2);
  }

  // Credentials first: a missing profile is found in a second, not after a synth.
  let account: string | undefined;
  try {
    account = (await new STSClient({ region: config.aws.region }).send(new GetCallerIdentityCommand({}))).Account;
  } catch (e) {
    throw new Stop(credentialsProblem(e) ?? `could not check the credentials: ${describeError(e)}`, 2);
  }
  if (account !== config.aws.account) {
    throw new Stop(`the credentials are for account ${account ?? '(unknown)'}, but ${config.client}/${config.env} is deployed in ${config.aws.account}: use a profile of that account`, 2);
  }

  io.err(`verify: synthesizing ${config.client}/${config.env} ...`);
  let synthesized;
  try {
    fs.mkdirSync(values.outdir, { recursive: true });
    synthesized = synthesizeDeployment({ configDir: values['config-dir'], client: values.client, env: values.env, outdir: values.outdir, now, context: deps.synthContext });
  } catch (e) {
    if (e instanceof ConfigError) throw new Stop(e.message, 1);
    if (e instanceof GateError) throw new Stop(`the gate failed, fix it before verifying:\n${e.message}`, 1);
    throw e;
  }

  const name = deploymentName(config);
  const writeProbes = values['write-probes'];
  const ctx = new VerifyContext({
    name,
    account: config.aws.account,
    region: config.aws.region,
    stacks: synthesized.stacks,
    settings: verifySettings(config),
    options: { writeProbes, now },
    http: deps.http,
  });
  const checks = ALL_LIVE_CHECKS.filter((c) => (only.length === 0 || only.includes(c.concern)) && (c.needs !== 'write-probes' || writeProbes));
  io.err(`verify: ${checks.length} checks on ${name} (account ${config.aws.account}, ${config.aws.region} and us-east-1)`);
  let done = 0;
  const results: CheckResult[] = await runChecks(checks, ctx, {
    started: (c: LiveCheck) => io.progressLine?.(`[${done + 1}/${checks.length}] ${c.id} ...`),
    finished: (c, rs) => {
      done++;
      const failed = rs.filter((r) => r.status === 'fail').length;
      const line = `[${done}/${checks.length}] ${failed ? 'FAIL' : 'ok  '} ${c.id}`;
      if (io.progressLine) io.progressLine(line);
      else io.err(line);
    },
  });
  io.progressLine?.('');
  for (const drill of drills) {
    if (typeof drill === 'string') continue;
    io.err(`verify: drill ${drill.id}: ${drill.title}`);
    try {
      results.push(...(await drill.run(ctx, (line) => io.err(`  ${line}`))));
    } catch (e) {
      results.push({ check: `drill.${drill.id}`, control: 'drill', status: 'fail', resource: '(drill)', evidence: describeError(e) });
    }
  }

  const info: VerifyRunInfo = {
    name,
    account: config.aws.account,
    region: config.aws.region,
    verifiedAt: now,
    options: [...(writeProbes ? ['--write-probes'] : []), ...(drills.length ? [`--drill=${list(values.drill).join(',')}`] : []), ...(only.length ? [`--only ${only.join(',')}`] : [])],
  };
  io.out(renderTable(results));
  const jsonFile = values.json ?? path.join(values.outdir, `verify-${config.client}-${config.env}.json`);
  fs.writeFileSync(jsonFile, renderJson(info, results));
  appendToComplianceReport(synthesized.reportFile, info, results);
  io.err(`verify: JSON report ${jsonFile}; appended to ${synthesized.reportFile}`);
  return countFailures(results) === 0 ? 0 : 1;
}
