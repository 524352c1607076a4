/**
 * Monthly cost of one client x environment, from its synthesized templates:
 * what they create (instances, volumes, keys, secrets, alarms, WAF rules, log
 * groups, ...) times the list prices of lib/cost/price-table.ts, plus the
 * usage-based charges of lib/cost/usage-assumptions.ts. Nothing here is
 * written per stack: every line is found by resource type and properties.
 *
 * This file runs the service families in the report's order, each writing its
 * lines to one ledger (lib/cost/ledger.ts); the report is lib/cost/report.ts.
 */
import type { ResolvedConfig } from '../config/schema';
import { priceCloudTrail } from './cloudtrail';
import { priceDetailedMonitoring, priceInstances } from './compute';
import type { CostLine } from './cost-line';
import { priceEdge } from './edge';
import { priceKeysAndSecrets } from './keys-and-secrets';
import { Ledger } from './ledger';
import { priceLogBuckets } from './log-buckets';
import { priceLogGroups } from './log-groups';
import { priceMonitoring } from './monitoring';
import { priceNetwork } from './network';
import { priceOtherServices } from './other-services';
import { PRICE_REGION } from './price-table';
import { TemplateIndex, type StackTemplate } from './template-index';
import { listUnpricedTypes } from './unpriced-types';
import { usageValues, type Usage } from './usage-assumptions';
import { priceVolumes } from './volumes';

export interface EstimateOptions {
  /**
   * Override some usage assumptions.
   * @default none: every assumption at its value in lib/cost/usage-assumptions.ts
   */
  readonly usage?: Partial<Usage>;
}

/**
 * The monthly cost lines of one deployment: every stack's synthesized
 * template, the deployment's config, and the region the report is labelled
 * with (prices are always us-east-1 list prices: there is no regional table).
 */
export function estimateMonthlyCost(templates: readonly StackTemplate[], config: ResolvedConfig, region: string = PRICE_REGION, options: EstimateOptions = {}): CostLine[] {
  void region; // a label only: see formatCostReport
  const l = new Ledger(new TemplateIndex(templates), config, usageValues(options.usage));
  const instances = priceInstances(l);
  priceVolumes(l, instances);
  priceDetailedMonitoring(l, instances);
  priceNetwork(l, instances);
  priceKeysAndSecrets(l);
  priceEdge(l);
  priceMonitoring(l);
  const firehose = priceLogGroups(l);
  priceLogBuckets(l, firehose);
  priceCloudTrail(l);
  priceOtherServices(l);
  listUnpricedTypes(l);
  return l.lines();
}
