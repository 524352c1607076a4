/**
 * Stores an operator's document in an agent's secret (`npm run secrets:set`):
 * checks it against the keys the deployment reads (checkAgentDocument), then
 * PutSecretValue. No error or result carries a value.
 */
import { PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ResolvedConfig } from '../config/schema';
import { checkAgentDocument, normaliseAgentDocument } from './agent-document';
import { agentSecretName, agentSecretPointers, providerKeyOwners } from './secrets-manifest';

export interface SetAgentSecretOptions {
  /** A client for the deployment's region (config.aws.region). */
  readonly client: SecretsManagerClient;
  readonly config: ResolvedConfig;
  readonly agent: string;
  /** The JSON document, as read. */
  readonly document: string;
}

export interface SetAgentSecretResult {
  readonly secretName: string;
  readonly versionId: string;
  /** The pointers stored (agentSecretPointers). */
  readonly pointers: readonly string[];
}

/** The document does not fit the agent: one message per problem, naming pointers only. */
export class AgentDocumentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the document has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.join('; ')}`);
    this.name = 'AgentDocumentError';
  }
}

/** Writing failed (AWS said no, or no credentials): a one-line cause and what to do. */
export class SetAgentSecretError extends Error {
  constructor(
    message: string,
    /** The AWS error name, e.g. AccessDeniedException. */
    readonly awsErrorName?: string,
  ) {
    super(message);
    this.name = 'SetAgentSecretError';
  }
}

/** Every string of the document, so an unexpected echo in an AWS message can be cut out. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

function redact(message: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 4).reduce((m, s) => m.split(s).join('<redacted>'), message);
}

function explainAwsError(error: unknown, config: ResolvedConfig, secretName: string, secrets: readonly string[]): SetAgentSecretError {
  const name = error instanceof Error ? error.name : 'Error';
  const raw = error instanceof Error ? error.message : String(error);
  const detail = oneLine(redact(raw, secrets));
  const target = `${secretName} in ${config.aws.region} (account ${config.aws.account})`;
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return new SetAgentSecretError(
      `could not write ${target}: access denied (${name}); assume the break-glass role named in config breakGlass.roleName ` +
        `(${config.breakGlass.roleName}): the secret's resource policy lets only it write values`,
      name,
    );
  }
  if (name === 'ResourceNotFoundException') {
    return new SetAgentSecretError(
      `could not write ${target}: the secret does not exist (${name}); deploy the stack first ` +
        `(npx cdk deploy --all -c client=${config.client} -c env=${config.env}), or use credentials of account ${config.aws.account}`,
      name,
    );
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
    return new SetAgentSecretError(`could not write ${target}: no AWS credentials (${name}: ${detail}); sign in (e.g. aws sso login --profile <profile>) and set AWS_PROFILE`, name);
  }
  return new SetAgentSecretError(`could not write ${target}: ${name}: ${detail}`, name);
}

/**
 * Checks the document against the agent's required pointers and stores it,
 * normalised (JSON.stringify of the parsed object), as the secret's new
 * current version. Throws AgentDocumentError (nothing written) or
 * SetAgentSecretError.
 */
export async function setAgentSecret(options: SetAgentSecretOptions): Promise<SetAgentSecretResult> {
  const { client, config, agent, document } = options;
  if (!config.openclaw.agents[agent]) {
    const agents = Object.keys(config.openclaw.agents).sort();
    throw new AgentDocumentError([`no agent "${agent}" in openclaw.agents of ${config.client}/${config.env}; agents: ${agents.join(', ') || 'none'}`]);
  }
  const pointers = agentSecretPointers(config, agent);
  const problems = checkAgentDocument(document, pointers, {
    agent,
    providerKeyOwners: providerKeyOwners(config),
    secretNameOf: (a) => agentSecretName(config, a),
  });
  if (problems.length > 0) throw new AgentDocumentError(problems);

  const secretName = agentSecretName(config, agent);
  const secretString = normaliseAgentDocument(document);
  let versionId: string | undefined;
  try {
    const out = await client.send(new PutSecretValueCommand({ SecretId: secretName, SecretString: secretString }));
    versionId = out.VersionId;
  } catch (e) {
    throw explainAwsError(e, config, secretName, stringsOf(JSON.parse(secretString)));
  }
  if (!versionId) throw new SetAgentSecretError(`wrote ${secretName} but Secrets Manager returned no version id`);
  return { secretName, versionId, pointers };
}
