/**
 * Stores an operator's document in an agent's secret (`npm run secrets:set`):
 * checks it against the keys the deployment reads (checkAgentDocument), then
 * PutSecretValue. No error or result carries a value.
 */
import { PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ResolvedConfig } from '../config/schema';
import { checkAgentDocument, normaliseAgentDocument } from './agent-document';
import { agentSecretName, agentSecretPointers } from './secrets-manifest';

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

/**
 * Every value of a checked document ({"<top>": {"<leaf>": "<value>"}}: checkAgentDocument allows
 * nothing else), so an unexpected echo in an AWS message can be cut out.
 */
const valuesOf = (doc: Record<string, Record<string, string>>): string[] => Object.values(doc).flatMap((o) => Object.values(o));

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

function redact(message: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 4).reduce((m, s) => m.split(s).join('<redacted>'), message);
}

/** The errors with which AWS refuses a request's credentials (AWS's common errors). */
const REFUSED_CREDENTIALS = ['ExpiredTokenException', 'UnrecognizedClientException', 'InvalidSignatureException'];

/** `error`: what the SDK's send rejected with (an Error: a service exception, or the credential chain's CredentialsProviderError). */
function explainAwsError(error: Error, config: ResolvedConfig, secretName: string, secrets: readonly string[]): SetAgentSecretError {
  const { name } = error;
  const detail = oneLine(redact(error.message, secrets));
  const target = `${secretName} in ${config.aws.region} (account ${config.aws.account})`;
  // Secrets Manager's name for it (its Common Errors); 'AccessDenied' is S3's and STS's.
  if (name === 'AccessDeniedException') {
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
  // Credentials the service refused: an expired session (ExpiredTokenException), keys it does not
  // know (UnrecognizedClientException), a wrong secret key (InvalidSignatureException).
  if (REFUSED_CREDENTIALS.includes(name)) {
    return new SetAgentSecretError(`could not write ${target}: AWS refused the credentials (${name}: ${detail}); sign in again (e.g. aws sso login --profile <profile>)`, name);
  }
  // The SDK's CredentialsProviderError, or any other credential error the chain throws.
  if (/credential/i.test(name)) {
    return new SetAgentSecretError(`could not write ${target}: no AWS credentials (${name}: ${detail}); sign in (e.g. aws sso login --profile <profile>) and set AWS_PROFILE`, name);
  }
  return new SetAgentSecretError(`could not write ${target}: ${name}: ${detail}`, name);
}

/**
 * Checks the document against the agent's required pointers (its own
 * provider's API key, always, and its platforms' bot tokens) and stores it,
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
  const problems = checkAgentDocument(document, pointers, { agent, provider: config.openclaw.agents[agent]!.provider });
  if (problems.length > 0) throw new AgentDocumentError(problems);

  const secretName = agentSecretName(config, agent);
  const secretString = normaliseAgentDocument(document);
  let versionId: string | undefined;
  try {
    const out = await client.send(new PutSecretValueCommand({ SecretId: secretName, SecretString: secretString }));
    versionId = out.VersionId;
  } catch (e) {
    throw explainAwsError(e as Error, config, secretName, valuesOf(JSON.parse(secretString) as Record<string, Record<string, string>>));
  }
  if (!versionId) throw new SetAgentSecretError(`wrote ${secretName} but Secrets Manager returned no version id`);
  return { secretName, versionId, pointers };
}
