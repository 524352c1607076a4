/**
 * The operators' kill switch, needing only AWS credentials (a profile of the
 * deployment's account allowed to invoke the function; the break-glass role
 * is):
 *   npm run kill    -- --client <c> --env <e> --reason "<why>" [--dry-run]
 *   npm run restore -- --client <c> --env <e> --reason "<why>"
 *   npm run restore -- --client <c> --env <e> --agent <id> --reason "<why>"
 *   npm run kill    -- --client <c> --env <e> --status
 * It invokes the same Lambda the budgets and spend alarms trigger, waits for
 * its summary and prints it. With --agent, restore is of that one agent's gateway
 * after its breaker stopped it: the deployment's <name>-restore-agent document, sent
 * to the gateway instance (lib/spend/restore-agent.ts). Exit 0 when done, 1 when
 * the kill switch (or the restore command) reports an incomplete run or cannot be
 * reached, 2 for a usage error.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { ConfigError } from '../lib/config/errors';
import { loadConfig } from '../lib/config/load';
import { invokeKillSwitch, killSwitchFunctionName, type KillSwitchAction } from '../lib/spend/kill-switch-request';
import { restoreAgent } from '../lib/spend/restore-agent';
import { restoreAgentDocumentName } from '../lib/spend/restore-agent-document';
import { deploymentName } from '../lib/shared/naming';

const USAGE = 'usage: npm run kill|restore -- --client <c> --env <e> --reason "<why>" [--dry-run] [--status] [--config-dir DIR]; npm run restore -- --client <c> --env <e> --agent <id> --reason "<why>"';

function fail(message: string, code: number): never {
  console.error(`kill-switch: ${message}`);
  process.exit(code);
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      strict: true,
      options: {
        action: { type: 'string' },
        client: { type: 'string' },
        env: { type: 'string' },
        reason: { type: 'string' },
        agent: { type: 'string' },
        'requested-by': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        status: { type: 'boolean', default: false },
        'config-dir': { type: 'string', default: path.resolve(__dirname, '..', 'config') },
      },
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`, 2);
  }
  const action: KillSwitchAction = values.status ? 'status' : values.action === 'restore' ? 'restore' : values.action === 'kill' ? 'kill' : fail(`--action kill|restore is set by npm run kill / restore\n${USAGE}`, 2);
  if (!values.client || !values.env) fail(`--client and --env are required\n${USAGE}`, 2);
  if (action !== 'status' && !values.reason) fail(`--reason is required: it is recorded with what the kill switch does\n${USAGE}`, 2);
  let config;
  try {
    config = loadConfig({ configDir: values['config-dir'], client: values.client, env: values.env, now: new Date() }).config;
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message, 1);
    throw e;
  }
  const requestedBy = values['requested-by'] ?? `${os.userInfo().username}@${os.hostname()} (npm run ${action === 'restore' ? 'restore' : 'kill'})`;
  if (values.agent !== undefined) {
    if (action !== 'restore') fail(`--agent is for npm run restore only (the breaker stops one agent; the kill switch stops them all)\n${USAGE}`, 2);
    if (values['dry-run']) fail(`--dry-run is not available with --agent\n${USAGE}`, 2);
    const name = deploymentName(config);
    console.error(`kill-switch: restore of agent ${values.agent} of ${name}: ${restoreAgentDocumentName(name)} to the gateway instance in ${config.aws.region} (account ${config.aws.account})`);
    try {
      const result = await restoreAgent(
        { ec2: new EC2Client({ region: config.aws.region }), ssm: new SSMClient({ region: config.aws.region }) },
        config,
        { agent: values.agent, reason: values.reason!, requestedBy },
      );
      console.log(JSON.stringify(result, null, 2));
      if (result.status !== 'Success') fail(`the restore of gateway ${result.gateway} ended ${result.status}: ${result.output.trim().slice(-500)}`, 1);
    } catch (e) {
      const err = e as { name?: string; message?: string };
      fail(`could not restore agent ${values.agent}: ${err.name ?? 'Error'}: ${err.message ?? String(e)}`, 1);
    }
    return;
  }
  const client = new LambdaClient({ region: config.aws.region });
  const request = {
    action,
    reason: values.reason ?? 'status request',
    requestedBy,
    ...(values['dry-run'] ? { dryRun: true } : {}),
  };
  console.error(`kill-switch: ${action}${request.dryRun ? ' (dry run)' : ''} of ${killSwitchFunctionName(config)} in ${config.aws.region} (account ${config.aws.account})`);
  try {
    const result = await invokeKillSwitch(client, config, request);
    console.log(JSON.stringify(result.summary, null, 2));
    if (result.error) fail(`the kill switch reports an incomplete ${action}: ${result.error}`, 1);
  } catch (e) {
    const err = e as { name?: string; message?: string };
    fail(`could not invoke ${killSwitchFunctionName(config)}: ${err.name ?? 'Error'}: ${err.message ?? String(e)} (credentials for account ${config.aws.account}? deployed?)`, 1);
  }
}

void main();
