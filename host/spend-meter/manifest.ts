/**
 * Reads and checks the meter's manifest (lib/host/spend-meter.ts renders it at
 * synth; the bundle installs it root 0644). Anything not of the expected shape
 * is refused, naming the first bad field: the meter never guesses a price or a path.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SPEND_METER_MANIFEST_VERSION, type SpendMeterGateway, type SpendMeterManifest, type SpendMeterPrice } from '../../lib/host/spend-meter';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const NAMESPACE = /^[^:\s][^:]{0,254}$/;
const NAME = /^[a-z0-9-]{1,200}$/;
const MODEL = /^[a-z0-9-]+\/[A-Za-z0-9._:-]+$/;
const MAX_PRICE = 1_000_000;
/** A gateway or agent id (lib/openclaw/gateways.ts: it becomes a user name, a unit instance, a file name). */
const ID = /^[a-z0-9][a-z0-9_-]{0,22}$/;
const AGENT = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const NFT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_GATEWAYS = 64;

export class ManifestError extends Error {}

type Json = Record<string, unknown>;

/** The manifest of `file`, or a ManifestError. */
export function loadManifest(file: string): SpendMeterManifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ManifestError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ManifestError(`${file}: not valid JSON`);
  }
  return checkManifest(doc, file);
}

/** Checks a parsed manifest; `file` names it in the error. */
export function checkManifest(doc: unknown, file: string): SpendMeterManifest {
  const fail = (where: string, what: string) =>
    new ManifestError(`${file}: ${where}: ${what}; the manifest is rendered by lib/host/spend-meter.ts and installed by the bundle: reinstall it`);
  const obj = (v: unknown, where: string): Json => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail(where, 'expected an object');
    return v as Json;
  };
  const str = (o: Json, key: string, re: RegExp, prefix = ''): string => {
    const v = o[key];
    if (typeof v !== 'string' || !re.test(v)) throw fail(`${prefix}${key}`, `expected a string matching ${re}`);
    return v;
  };
  const absolute = (o: Json, key: string, prefix = ''): string => {
    const v = o[key];
    if (typeof v !== 'string' || !path.isAbsolute(v) || v.includes('\0') || path.normalize(v) !== v) throw fail(`${prefix}${key}`, 'expected an absolute, normalized path');
    return v;
  };
  const amount = (v: unknown, where: string, min: number): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > MAX_PRICE) throw fail(where, `expected an amount from ${min} to ${MAX_PRICE}`);
    return v;
  };
  const root = obj(doc, 'document');
  if (root.version !== SPEND_METER_MANIFEST_VERSION) throw fail('version', `expected ${SPEND_METER_MANIFEST_VERSION}`);
  const pricesDoc = obj(root.prices, 'prices');
  const prices: Record<string, SpendMeterPrice> = {};
  for (const [model, raw] of Object.entries(pricesDoc)) {
    if (!MODEL.test(model)) throw fail(`prices.${model}`, 'expected a <provider>/<model> key');
    const p = obj(raw, `prices.${model}`);
    const keys: (keyof SpendMeterPrice)[] = ['inputPerMTok', 'outputPerMTok', 'cacheReadPerMTok', 'cacheWritePerMTok'];
    prices[model] = Object.fromEntries(keys.map((k) => [k, amount(p[k], `prices.${model}.${k}`, 0)])) as unknown as SpendMeterPrice;
  }
  if (Object.keys(prices).length === 0) throw fail('prices', 'expected at least one model');
  const limits = obj(root.limits, 'limits');
  const stateFile = absolute(root, 'stateFile');
  const openclawStateDir = absolute(root, 'openclawStateDir');
  if (stateFile.startsWith(`${openclawStateDir}/`)) throw fail('stateFile', `must not be in OpenClaw's state folder ${openclawStateDir} (the gateway could change it)`);
  const breakerDir = absolute(root, 'breakerDir');
  if (breakerDir.startsWith(`${openclawStateDir}/`) || breakerDir === openclawStateDir) throw fail('breakerDir', `must not be in OpenClaw's state folder ${openclawStateDir}`);
  const egressAccessLog = absolute(root, 'egressAccessLog');
  const nftTable = str(root, 'nftTable', NFT_NAME);
  const list = root.gateways;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_GATEWAYS) throw fail('gateways', `expected a list of 1 to ${MAX_GATEWAYS} gateways`);
  const gateways = list.map((raw, n): SpendMeterGateway => {
    const where = `gateways[${n}]`;
    const g = obj(raw, where);
    const id = str(g, 'id', ID, `${where}.`);
    const stateDir = absolute(g, 'stateDir', `${where}.`);
    // Its own folder of OpenClaw's state: a database is one gateway's, never two.
    if (stateDir !== path.join(openclawStateDir, id)) throw fail(`${where}.stateDir`, `expected ${path.join(openclawStateDir, id)}`);
    const agents = g.agents;
    if (!Array.isArray(agents) || agents.length === 0 || agents.some((a) => typeof a !== 'string' || !AGENT.test(a))) throw fail(`${where}.agents`, 'expected a list of agent ids');
    const port = g.proxyPort;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw fail(`${where}.proxyPort`, 'expected a TCP port');
    const unit = str(g, 'unit', /^openclaw-gateway@[a-z0-9][a-z0-9_-]{0,22}\.service$/, `${where}.`);
    if (unit !== `openclaw-gateway@${id}.service`) throw fail(`${where}.unit`, `expected openclaw-gateway@${id}.service`);
    const l = obj(g.limits, `${where}.limits`);
    const count = (k: 'toolCallsPer5Min' | 'blockedEgressPer5Min') => {
      const v = l[k];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_PRICE) throw fail(`${where}.limits.${k}`, `expected a whole number from 1 to ${MAX_PRICE}`);
      return v;
    };
    return {
      id,
      agents: agents as string[],
      unit,
      user: str(g, 'user', /^openclaw-[a-z0-9][a-z0-9_-]{0,22}$/, `${where}.`),
      stateDir,
      proxyPort: port,
      nftCounter: str(g, 'nftCounter', NFT_NAME, `${where}.`),
      limits: {
        modelDailyUsd: amount(l.modelDailyUsd, `${where}.limits.modelDailyUsd`, 0),
        modelMonthlyUsd: amount(l.modelMonthlyUsd, `${where}.limits.modelMonthlyUsd`, 0),
        toolCallsPer5Min: count('toolCallsPer5Min'),
        blockedEgressPer5Min: count('blockedEgressPer5Min'),
      },
    };
  });
  if (new Set(gateways.map((g) => g.id)).size !== gateways.length) throw fail('gateways', 'expected distinct ids');
  if (new Set(gateways.map((g) => g.proxyPort)).size !== gateways.length) throw fail('gateways', 'expected distinct proxy ports');
  return {
    version: SPEND_METER_MANIFEST_VERSION,
    deployment: str(root, 'deployment', NAME),
    region: str(root, 'region', REGION),
    namespace: str(root, 'namespace', NAMESPACE),
    openclawStateDir,
    stateFile,
    prices,
    limits: { dailyUsd: amount(limits.dailyUsd, 'limits.dailyUsd', 0), monthlyUsd: amount(limits.monthlyUsd, 'limits.monthlyUsd', 0) },
    gateways,
    breakerDir,
    nftTable,
    egressAccessLog,
  };
}
