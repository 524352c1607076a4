/**
 * The fast model-spend meter of the gateway host (host/spend-meter/, bundled into
 * scripts/spend-meter.js, run every minute as root by openclaw-spend-meter.timer) and
 * the manifest it reads, rendered here at synth from the config: where OpenClaw's
 * state is, where the meter keeps its own, the price table (spend.modelPrices) and
 * the limits (spend.modelDailyLimitUsd, spend.modelMonthlyLimitUsd). Installed root
 * 0644 at SPEND_METER_MANIFEST_PATH: prices and paths, nothing secret.
 *
 * The meter publishes, every run, to the host namespace (OpenClaw/<name>):
 *   ModelSpendTodayUsd            model spend of the current UTC day, US dollars, unit None
 *   ModelSpendMonthUsd            model spend of the current UTC month, US dollars, unit None
 *   ModelSpendMonthUsd{Model=m}   the month's spend of model m (<provider>/<model>), for diagnosis
 *   AgentBreakerTripped{Gateway=id}  1 while that gateway's breaker marker is there, else 0 (unit Count)
 * The spend alarms (lib/spend/spend-alarms.ts) watch the two without dimensions; one
 * alarm per gateway watches AgentBreakerTripped (lib/alarms/breaker-alarms.ts).
 *
 * The per-agent breaker (host/spend-meter/breaker.ts): every run, per gateway
 * (lib/openclaw/gateways.ts), its model spend today and this month, its tool calls
 * and its refused egress (nftables counter egress_blocked_<id> and squid's TCP_DENIED
 * lines of its proxy port) in the last 5 minutes, against the limits of its agents'
 * openclaw.agents.<id>.breaker. Crossing one writes the marker
 * <breakerDir>/<id>.tripped and stops that gateway's unit only.
 *
 * Pure: no clock, no file system. Imported by the host program for its types and
 * constants only (nothing of the CDK or zod may reach the bundle).
 */
import * as path from 'path';
import type { ResolvedConfig } from '../config/schema';
import { agentGateways } from '../openclaw/gateways';
import { deploymentName, hostMetricNamespace } from '../shared/naming';
import { HOST_LOG_FILES } from './log-files';
import { HOST_PATHS } from './paths';

/** Where the bundle installs the manifest (root 0644). */
export const SPEND_METER_MANIFEST_PATH = `${HOST_PATHS.configDir}/spend-meter.json`;
/** The manifest's path in the deployment bundle. */
export const SPEND_METER_MANIFEST_BUNDLE_PATH = 'openclaw/spend-meter.json';
/** The meter (host/spend-meter/, bundled) in the deployment bundle; installed root 0644 in HOST_PATHS.libexecDir, run by Node 24. */
export const SPEND_METER_PROGRAM_PATH = 'scripts/spend-meter.js';
/** The meter's state (per-session positions in OpenClaw's usage records, running totals): root 0600. */
export const SPEND_METER_STATE_FILE = `${HOST_PATHS.spendMeterStateDir}/state.json`;
/**
 * Metric names (no dimensions: what the spend alarms watch): the meter's own copy of
 * MODEL_SPEND_TODAY_METRIC and MODEL_SPEND_MONTH_METRIC of lib/shared/metric-names.ts.
 * Bundled into spend-meter.js, whose bytes an import from there would change (and so
 * replace every host); test/shared/metric-names.test.ts pins them equal.
 */
export const MODEL_SPEND_TODAY_METRIC = 'ModelSpendTodayUsd';
export const MODEL_SPEND_MONTH_METRIC = 'ModelSpendMonthUsd';
/** Dimension of the per-model datum of MODEL_SPEND_MONTH_METRIC. */
export const MODEL_DIMENSION = 'Model';
/**
 * 1 (unit Count) while a gateway's breaker marker is there, 0 otherwise, with dimension
 * BREAKER_GATEWAY_DIMENSION; the meter's copy of AGENT_BREAKER_TRIPPED_METRIC of
 * lib/shared/metric-names.ts (pinned equal by test/shared/metric-names.test.ts).
 */
export const AGENT_BREAKER_TRIPPED_METRIC = 'AgentBreakerTripped';
/** Dimension of AGENT_BREAKER_TRIPPED_METRIC: the gateway id. */
export const BREAKER_GATEWAY_DIMENSION = 'Gateway';
/**
 * Where the breaker writes `<gateway id>.tripped` (root 0600 JSON); the gateway unit has
 * ConditionPathExists=!<that file>. Same value as BREAKER_MARKER_DIR of lib/host/paths.ts.
 */
export const SPEND_METER_BREAKER_DIR = `${HOST_PATHS.spendMeterStateDir}/breaker`;
/**
 * The host firewall's nftables table (family inet): NFT_TABLE of lib/host/nftables-rules.ts,
 * spelled here so that the bundled meter does not import the ruleset's renderer (pinned
 * equal by test/host-runtime/spend-meter-manifest.test.ts).
 */
export const BREAKER_NFT_TABLE = 'openclaw';
/** The window of the rate limits (toolCallsPer5Min, blockedEgressPer5Min). */
export const BREAKER_WINDOW_MS = 5 * 60_000;
/** Prefix of each gateway's nftables counter of refused direct connections: egress_blocked_<id>. */
export const EGRESS_BLOCKED_COUNTER_PREFIX = 'egress_blocked_';
export const SPEND_METER_MANIFEST_VERSION = 2;

/** List price of one model, US dollars per million tokens (spend.modelPrices). */
export interface SpendMeterPrice {
  /** Input (prompt) tokens, US dollars per million. */
  readonly inputPerMTok: number;
  /** Output (completion) tokens, US dollars per million. */
  readonly outputPerMTok: number;
  /** Tokens read from the prompt cache, US dollars per million. */
  readonly cacheReadPerMTok: number;
  /** Tokens written to the prompt cache, US dollars per million. */
  readonly cacheWritePerMTok: number;
}

/** The limits of one gateway (its agent's openclaw.agents.<id>.breaker; of a shared group, the lowest of each). */
export interface SpendMeterBreakerLimits {
  readonly modelDailyUsd: number;
  readonly modelMonthlyUsd: number;
  readonly toolCallsPer5Min: number;
  readonly blockedEgressPer5Min: number;
}

/** One gateway as the meter sees it (lib/openclaw/gateways.ts). */
export interface SpendMeterGateway {
  readonly id: string;
  readonly agents: readonly string[];
  /** openclaw-gateway@<id>.service: what a trip stops. */
  readonly unit: string;
  /** Its OS user (for the log line). */
  readonly user: string;
  /** Its OpenClaw state folder (agents/<agent>/agent/openclaw-agent.sqlite inside), under openclawStateDir. */
  readonly stateDir: string;
  /** Its squid listening port: the last field of its access-log lines. */
  readonly proxyPort: number;
  /** Its nftables counter of refused direct connections, in table inet nftTable. */
  readonly nftCounter: string;
  readonly limits: SpendMeterBreakerLimits;
}

/** What the meter reads at every run. */
export interface SpendMeterManifest {
  /** SPEND_METER_MANIFEST_VERSION: the meter refuses a manifest of another version. */
  readonly version: typeof SPEND_METER_MANIFEST_VERSION;
  /** `<prefix>-<client>-<env>`. */
  readonly deployment: string;
  /** Region of CloudWatch (the host's). */
  readonly region: string;
  /** OpenClaw/<name>. */
  readonly namespace: string;
  /** OpenClaw's state folder (HOST_PATHS.stateDir), only ever read. */
  readonly openclawStateDir: string;
  /** The meter's own state file, in its root 0700 folder. */
  readonly stateFile: string;
  /** `<provider>/<model>` -> price; a model not listed is priced at the highest listed price of each kind. */
  readonly prices: Readonly<Record<string, SpendMeterPrice>>;
  /** The limits that stop the gateway (the log line warns at or over them; the alarms act). */
  readonly limits: { readonly dailyUsd: number; readonly monthlyUsd: number };
  /** The gateways, in id order, with their breaker limits. */
  readonly gateways: readonly SpendMeterGateway[];
  /** Where the breaker markers are (root 0700). */
  readonly breakerDir: string;
  /** The nftables table (family inet) of the gateways' counters. */
  readonly nftTable: string;
  /** Squid's access log (the gateways' refused requests: TCP_DENIED). */
  readonly egressAccessLog: string;
}

/** Paths of the manifest that tests point elsewhere. */
export interface SpendMeterPaths {
  /**
   * OpenClaw's state folder, whose usage records the meter reads.
   * @default HOST_PATHS.stateDir
   */
  readonly openclawStateDir?: string;
  /**
   * The meter's own state file.
   * @default SPEND_METER_STATE_FILE
   */
  readonly stateFile?: string;
  /**
   * The breaker's marker folder.
   * @default SPEND_METER_BREAKER_DIR
   */
  readonly breakerDir?: string;
  /**
   * Squid's access log.
   * @default HOST_LOG_FILES.egressProxyAccess
   */
  readonly egressAccessLog?: string;
}

/** The lowest of each limit of `agents` (one agent: its own). */
function gatewayLimits(config: ResolvedConfig, agents: readonly string[]): SpendMeterBreakerLimits {
  const of = (k: keyof SpendMeterBreakerLimits) => Math.min(...agents.map((a) => config.openclaw.agents[a]!.breaker[k]));
  return { modelDailyUsd: of('modelDailyUsd'), modelMonthlyUsd: of('modelMonthlyUsd'), toolCallsPer5Min: of('toolCallsPer5Min'), blockedEgressPer5Min: of('blockedEgressPer5Min') };
}

/**
 * The manifest of a config (the host paths unless `paths` says otherwise).
 * Throws when the price table is empty: the meter could price nothing.
 */
export function renderSpendMeterManifest(config: ResolvedConfig, paths: SpendMeterPaths = {}): SpendMeterManifest {
  const models = Object.keys(config.spend.modelPrices).sort();
  if (models.length === 0) throw new Error(`spend meter: spend.modelPrices of ${config.client}/${config.env} is empty; the meter could price no usage`);
  const prices: Record<string, SpendMeterPrice> = {};
  for (const m of models) {
    const p = config.spend.modelPrices[m]!;
    prices[m] = { inputPerMTok: p.inputPerMTok, outputPerMTok: p.outputPerMTok, cacheReadPerMTok: p.cacheReadPerMTok, cacheWritePerMTok: p.cacheWritePerMTok };
  }
  const stateDir = paths.openclawStateDir ?? HOST_PATHS.stateDir;
  const gateways = agentGateways(config).map(
    (g): SpendMeterGateway => ({
      id: g.id,
      agents: [...g.agents],
      unit: g.unit,
      user: g.user,
      // Its place under the state folder the meter is given (the host's: g.stateDir).
      stateDir: path.posix.join(stateDir, path.posix.relative(HOST_PATHS.stateDir, g.stateDir)),
      proxyPort: g.proxyPort,
      nftCounter: `${EGRESS_BLOCKED_COUNTER_PREFIX}${g.id}`,
      limits: gatewayLimits(config, g.agents),
    }),
  );
  return {
    version: SPEND_METER_MANIFEST_VERSION,
    deployment: deploymentName(config),
    region: config.aws.region,
    namespace: hostMetricNamespace(deploymentName(config)),
    openclawStateDir: stateDir,
    stateFile: paths.stateFile ?? SPEND_METER_STATE_FILE,
    prices,
    limits: { dailyUsd: config.spend.modelDailyLimitUsd, monthlyUsd: config.spend.modelMonthlyLimitUsd },
    gateways,
    breakerDir: paths.breakerDir ?? SPEND_METER_BREAKER_DIR,
    nftTable: BREAKER_NFT_TABLE,
    egressAccessLog: paths.egressAccessLog ?? HOST_LOG_FILES.egressProxyAccess,
  };
}

/** The manifest as the bundle ships it. */
export const spendMeterManifestText = (config: ResolvedConfig) => `${JSON.stringify(renderSpendMeterManifest(config), null, 2)}\n`;
