/**
 * Stores the JSON document of one agent's secret, read from stdin:
 *   npm run secrets:set -- --client example --env prod --agent support < document.json
 *   (or paste it, then Ctrl-D)
 * The document holds the agent's own keys, e.g.
 *   {"anthropic": {"apiKey": "..."}, "telegram": {"botToken": "..."}}
 * Every agent holds its own provider's API key (two agents on one provider hold
 * two keys; docs/secrets.md, "Creating a scoped key per agent", says how to
 * create one per agent) and the bot token of each platform it answers on.
 * It is checked against what the deployment reads (one line per problem,
 * exit 1), then written with PutSecretValue to <prefix>/<client>/<env>/agents/<agent>
 * in config aws.region, with the operator's credentials (default chain, e.g.
 * AWS_PROFILE of the break-glass role). Nothing printed ever holds a value.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../lib/config/errors';
import { loadConfig } from '../lib/config/load';
import { AgentDocumentError, SetAgentSecretError, setAgentSecret } from '../lib/secrets/set-agent-secret';
import { agentSecretName, agentSecretPointers } from '../lib/secrets/secrets-manifest';

const USAGE = 'usage: npm run secrets:set -- --client <client> --env <env> --agent <agent> [--config-dir <dir>]  (the JSON document on stdin)';
const fail = (message: string) => {
  console.error(`secrets:set: ${message}`);
  process.exitCode = 1;
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  let values: { client?: string; env?: string; agent?: string; 'config-dir': string };
  try {
    ({ values } = parseArgs({
      options: {
        client: { type: 'string' },
        env: { type: 'string' },
        agent: { type: 'string' },
        'config-dir': { type: 'string', default: path.resolve(__dirname, '..', 'config') },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return fail(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  const { client, env, agent } = values;
  if (!client || !env || !agent) return fail(`--client, --env and --agent are required\n${USAGE}`);

  let config;
  try {
    config = loadConfig({ configDir: values['config-dir'], client, env, now: new Date() }).config;
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message);
    throw e;
  }
  const agents = Object.keys(config.openclaw.agents).sort();
  if (!agents.includes(agent)) return fail(`no agent "${agent}" in openclaw.agents of ${client}/${env}; agents: ${agents.join(', ') || 'none'}`);

  const pointers = agentSecretPointers(config, agent);
  const secretName = agentSecretName(config, agent);
  if (process.stdin.isTTY) {
    const keys = pointers.length ? `keys ${pointers.join(', ')}` : 'no keys: an empty object {}';
    console.error(
      `secrets:set: paste the JSON document for agent ${agent} (${keys}) for ${secretName} in ${config.aws.region}, ` +
        'then press Enter and Ctrl-D. The terminal shows what you paste: clear it afterwards, or pipe the document in instead.',
    );
  }
  const document = await readStdin();

  try {
    const sm = new SecretsManagerClient({ region: config.aws.region });
    const result = await setAgentSecret({ client: sm, config, agent, document });
    const list = result.pointers.length ? result.pointers.join(', ') : 'none';
    console.log(`secrets:set: stored ${result.pointers.length} value${result.pointers.length === 1 ? '' : 's'} (${list}) in ${result.secretName} (version ${result.versionId})`);
  } catch (e) {
    if (e instanceof AgentDocumentError) {
      for (const p of e.problems) console.error(`secrets:set: ${p}`);
      console.error(`secrets:set: nothing written to ${secretName}`);
      process.exitCode = 1;
      return;
    }
    if (e instanceof SetAgentSecretError) return fail(e.message);
    // Anything else: its name only; an unexpected message could hold anything.
    return fail(`could not write ${secretName}: unexpected ${e instanceof Error ? e.name : typeof e}`);
  }
}

main().catch((e: unknown) => {
  fail(`unexpected ${e instanceof Error ? e.name : typeof e}`);
});
