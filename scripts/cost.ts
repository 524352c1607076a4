/**
 * Estimates the monthly AWS cost of one client x environment from its
 * synthesized templates, at us-east-1 list prices (lib/cost/price-table.ts)
 * and the usage assumptions of lib/cost/usage-assumptions.ts.
 *   npm run cost -- --client example --env prod [--region us-east-1] [--no-basis]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { buildApp } from '../lib/app';
import { ConfigError } from '../lib/config/errors';
import { estimateMonthlyCost } from '../lib/cost/estimate';
import { formatCostReport } from '../lib/cost/report';
import { PRICE_REGION } from '../lib/cost/price-table';
import { stageTemplates } from '../lib/cost/templates';
import { formatUsageAssumptions } from '../lib/cost/usage-assumptions';
import { deploymentName } from '../lib/shared/naming';

const USAGE = 'usage: npm run cost -- --client <client> --env <env> [--region <region>] [--no-basis] [--config-dir <dir>]';

function parse() {
  try {
    const { values } = parseArgs({
      strict: true,
      allowPositionals: false,
      options: {
        client: { type: 'string' },
        env: { type: 'string' },
        region: { type: 'string', default: PRICE_REGION },
        'no-basis': { type: 'boolean', default: false },
        'config-dir': { type: 'string', default: path.resolve(__dirname, '..', 'config') },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    if (!values.client || !values.env) throw new Error('--client and --env are required');
    if (values.client === 'all' || values.env === 'all') throw new Error('one client and one environment at a time (not "all")');
    return { ...values, client: values.client, env: values.env };
  } catch (e) {
    console.error(`cost: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const args = parse();
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-cost-'));
try {
  const built = buildApp({
    configDir: args['config-dir'],
    now: new Date(),
    outdir,
    // Asset bundling is skipped: the estimate reads resources, not code.
    context: { client: args.client, env: args.env, 'aws:cdk:bundling-stacks': [] },
  });
  const deployment = built.deployments[0];
  if (!deployment) throw new Error(`no deployment for ${args.client}/${args.env}`);
  const lines = estimateMonthlyCost(stageTemplates(deployment.stage), deployment.config, args.region);
  console.log(formatUsageAssumptions());
  console.log('');
  console.log(formatCostReport(lines, { title: deploymentName(deployment.config), region: args.region, basis: !args['no-basis'] }));
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exitCode = 1;
  } else {
    console.error(`cost: ${(e as Error).message}`);
    process.exitCode = 1;
  }
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
