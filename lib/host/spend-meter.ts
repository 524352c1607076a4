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
 * The spend alarms (lib/spend/spend-alarms.ts) watch the two without dimensions.
 *
 * Pure: no clock, no file system. Imported by the host program for its types and
 * constants only (nothing of the CDK or zod may reach the bundle).
 */
import type { ResolvedConfig } from '../config/schema';
import { deploymentName, hostMetricNamespace } from '../shared/naming';
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
export const SPEND_METER_MANIFEST_VERSION = 1;

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
  return {
    version: SPEND_METER_MANIFEST_VERSION,
    deployment: deploymentName(config),
    region: config.aws.region,
    namespace: hostMetricNamespace(deploymentName(config)),
    openclawStateDir: paths.openclawStateDir ?? HOST_PATHS.stateDir,
    stateFile: paths.stateFile ?? SPEND_METER_STATE_FILE,
    prices,
    limits: { dailyUsd: config.spend.modelDailyLimitUsd, monthlyUsd: config.spend.modelMonthlyLimitUsd },
  };
}

/** The manifest as the bundle ships it. */
export const spendMeterManifestText = (config: ResolvedConfig) => `${JSON.stringify(renderSpendMeterManifest(config), null, 2)}\n`;
