/**
 * Estimates the monthly AWS cost of one client x environment from its
 * synthesized templates, at us-east-1 list prices (lib/cost/price-table.ts)
 * and the usage assumptions of lib/cost/usage-assumptions.ts, then what one more
 * agent would add (the deployment synthesized again with one more agent).
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
import type { ResolvedConfig } from '../lib/config/schema';
import type { CostLine } from '../lib/cost/cost-line';
import { addedAgentCost, formatAddedAgent } from '../lib/cost/added-agent';
import { configWithOneMoreAgent } from '../lib/cost/one-more-agent';
import { agentGateways } from '../lib/openclaw/gateways';

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

/**
 * The cost of one more agent: the same deployment synthesized again with one more agent
 * (lib/cost/one-more-agent.ts), estimated, and compared line by line.
 */
function nextAgentSection(config: ResolvedConfig, lines: readonly CostLine[]): string {
  const copy = configWithOneMoreAgent(args['config-dir'], config);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-cost-'));
  try {
    const more = buildApp({
      configDir: copy.configDir,
      now: new Date(),
      outdir: out,
      context: { client: config.client, env: config.env, 'aws:cdk:bundling-stacks': [] },
    }).deployments[0]!;
    const after = estimateMonthlyCost(stageTemplates(more.stage), more.config, args.region);
    return formatAddedAgent(addedAgentCost(lines, after, agentGateways(config).length));
  } catch (e) {
    if (e instanceof ConfigError) return `One more agent: its deployment is refused (set a larger instance.type, or leave it out):\n${e.message}`;
    throw e;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(copy.root, { recursive: true, force: true });
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
  console.log('');
  console.log(nextAgentSection(deployment.config, lines));
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
