/**
 * What the spend meter's tests share: the real bundled meter and the database
 * helper (support/spend-db.ts), both run with the pinned Node 24 (node:sqlite,
 * zstd), and usage records in the exact format OpenClaw 2026.9.6 writes, made
 * from a record the real OpenClaw wrote.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { nodeBundleOptions } from '../../../lib/bundling/esbuild-options';
import { bundleSpendMeter } from '../../../lib/bundling/host-programs';
import { BREAKER_NFT_TABLE, type SpendMeterGateway, type SpendMeterManifest } from '../../../lib/host/spend-meter';
import type { FakeAws } from '../../support/fake-aws/world';
import { readCalls, recorder, runAsync, writeExecutable, type RunResult } from './runtime-tools';
import type { DumpedRow, SpendDbOp } from './spend-db';

/** A run of a program: its result and its stdout and stderr in lines. */
export type Run = RunResult & { readonly out: string[]; readonly err: string[] };

const lines = (s: string) => s.split('\n').filter(Boolean);

/** Writes the bundled meter and the bundled database helper into `dir`; returns their paths. */
export function writePrograms(dir: string): { meter: string; helper: string } {
  const meter = path.join(dir, 'spend-meter.js');
  fs.writeFileSync(meter, bundleSpendMeter(), { mode: 0o644 });
  const helper = path.join(dir, 'spend-db.js');
  const built = buildSync({ ...nodeBundleOptions('test/host-runtime/support/spend-db.ts', 'node24'), minify: false });
  fs.writeFileSync(helper, built.outputFiles[0]!.text, { mode: 0o644 });
  return { meter, helper };
}

/** Runs the database helper's operations (Node 24); returns one result per operation. */
export async function runDbOps(node: string, helper: string, ops: readonly SpendDbOp[]): Promise<unknown[]> {
  const file = path.join(path.dirname(helper), `ops-${crypto.randomBytes(6).toString('hex')}.json`);
  fs.writeFileSync(file, JSON.stringify(ops));
  try {
    const r = await runAsync(node, [helper, file], { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`spend-db helper failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as unknown[];
  } finally {
    fs.rmSync(file, { force: true });
  }
}

export const dumpRows = async (node: string, helper: string, db: string) => (await runDbOps(node, helper, [{ op: 'rows', db }]))[0] as DumpedRow[];

/**
 * One gateway of a hand-made manifest (its state folder <openclawStateDir>/<id>), with limits no
 * test of metering reaches (the breaker's own tests use the config's limits).
 */
export function testGateway(openclawStateDir: string, id: string, n = 0): SpendMeterGateway {
  return {
    id,
    agents: [id],
    unit: `openclaw-gateway@${id}.service`,
    user: `openclaw-${id}`,
    stateDir: path.join(openclawStateDir, id),
    proxyPort: 3129 + n,
    nftCounter: `egress_blocked_${id}`,
    limits: { modelDailyUsd: 1_000_000, modelMonthlyUsd: 1_000_000, toolCallsPer5Min: 1_000_000, blockedEgressPer5Min: 1_000_000 },
  };
}

/** The breaker's part of a hand-made manifest: gateways `ids`, markers and access log in `dir`. */
export function breakerFields(dir: string, openclawStateDir: string, ids: readonly string[] = ['ops']) {
  return {
    gateways: ids.map((id, n) => testGateway(openclawStateDir, id, n)),
    breakerDir: path.join(dir, 'breaker'),
    nftTable: BREAKER_NFT_TABLE,
    egressAccessLog: path.join(dir, 'access.log'),
  };
}

/**
 * The stand-in systemctl and nft of a meter state folder: systemctl records its arguments
 * (systemctl-calls) and succeeds; nft answers `-j list counter inet <table> <name>` as nft
 * 1.0 does, with 0 packets (a host on which nothing was refused). A test of refused egress
 * passes the real nft instead (in a network namespace of its own).
 */
export function breakerTools(dir: string): { systemctl: string; nft: string; systemctlCalls: () => string[][] } {
  const log = path.join(dir, 'systemctl-calls');
  const systemctl = recorder(path.join(dir, 'fake-systemctl'), log, 'exit 0');
  const nft = writeExecutable(
    path.join(dir, 'fake-nft'),
    [
      '#!/usr/bin/env bash',
      '[ "$1 $2 $3 $4" = "-j list counter inet" ] || { echo "fake nft: unexpected $*" >&2; exit 1; }',
      'printf \'{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"counter": {"family": "inet", "name": "%s", "table": "%s", "handle": 3, "packets": 0, "bytes": 0}}]}\\n\' "$6" "$5"',
      '',
    ].join('\n'),
  );
  return { systemctl, nft, systemctlCalls: () => readCalls(log) };
}

/** Runs the meter with a manifest written next to it, against the fakes (and breakerTools' stand-ins unless args name others). */
export async function runMeter(
  node: string,
  meter: string,
  aws: FakeAws,
  manifest: SpendMeterManifest,
  args: readonly string[] = [],
  env: Record<string, string> = {},
  wrap: readonly string[] = [],
): Promise<Run> {
  const file = path.join(path.dirname(manifest.stateFile), 'spend-meter.json');
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  const cmd = wrap.length ? wrap[0]! : node;
  const tools = breakerTools(path.dirname(manifest.stateFile));
  const toolArgs = [...(args.includes('--systemctl') ? [] : ['--systemctl', tools.systemctl]), ...(args.includes('--nft') ? [] : ['--nft', tools.nft])];
  const argv = [...wrap.slice(1), ...(wrap.length ? [node] : []), meter, '--manifest', file, '--imds-timeout-ms', '500', '--imds-attempts', '2', ...toolArgs, ...args];
  const r = await runAsync(cmd, argv, { env: aws.env(env), timeoutMs: 40_000 });
  return { ...r, out: lines(r.stdout), err: lines(r.stderr) };
}

/** What a constructed usage record says. */
export interface RecordSpec {
  /** ISO time of the call (message.timestamp and the event's timestamp). */
  readonly at: string;
  readonly input?: number;
  readonly output?: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
  readonly provider?: string | null;
  readonly model?: string | null;
  readonly id?: string;
}

/**
 * An assistant message event exactly as OpenClaw 2026.9.6 writes it (same keys,
 * same nesting), made from `template` (one the real OpenClaw wrote) with the
 * spec's time, model and token counts; a short content keeps it uncompressed.
 */
export function assistantEvent(template: Record<string, unknown>, spec: RecordSpec): { json: string; createdAt: number; id: string } {
  const ms = Date.parse(spec.at);
  const id = spec.id ?? crypto.randomUUID();
  const e = structuredClone(template) as Record<string, unknown> & { message: Record<string, unknown> };
  const usage = { input: spec.input ?? 0, output: spec.output ?? 0, cacheRead: spec.cacheRead ?? 0, cacheWrite: spec.cacheWrite ?? 0 };
  e.id = id;
  e.parentId = crypto.randomUUID();
  e.timestamp = new Date(ms + 150).toISOString();
  const m = e.message;
  m.content = [{ type: 'text', text: 'All fine.' }];
  if (spec.provider === null) delete m.provider;
  else m.provider = spec.provider ?? 'anthropic';
  if (spec.model === null) delete m.model;
  else m.model = spec.model ?? 'claude-sonnet-4-6';
  m.responseModel = m.model;
  m.usage = {
    ...usage,
    totalTokens: usage.input + usage.output + usage.cacheRead + usage.cacheWrite,
    cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 },
    contextUsage: { state: 'available', promptTokens: usage.input + usage.cacheRead + usage.cacheWrite, totalTokens: usage.input + usage.output + usage.cacheRead + usage.cacheWrite },
  };
  m.timestamp = ms;
  m.responseId = `msg_${id.slice(0, 8)}`;
  return { json: JSON.stringify(e), createdAt: ms + 150, id };
}

/** A user message event as OpenClaw writes it (no usage; its text may mention the word). */
export function userEvent(at: string, text: string): { json: string; createdAt: number } {
  const ms = Date.parse(at);
  return {
    json: JSON.stringify({ type: 'message', id: crypto.randomUUID(), parentId: crypto.randomUUID(), timestamp: new Date(ms).toISOString(), message: { role: 'user', content: text, timestamp: ms } }),
    createdAt: ms,
  };
}
