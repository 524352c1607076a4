/**
 * Turns an error of a Secrets Manager GetSecretValue call into a classified
 * SecretsFailure: the probable cause and what to check. Uses the SDK error's
 * name, message, HTTP status and attempt count; never a response body.
 */
import type { ManifestSecret } from '../../lib/secrets/secrets-manifest';
import { describeError, SecretsFailure } from './failure';

/** Context of a call, for the messages. */
export interface CallContext {
  readonly secret: ManifestSecret;
  readonly stage: string;
  /** The instance role the calls are signed as. */
  readonly role: string;
  /** The Secrets Manager endpoint of the secret's region. */
  readonly endpoint: string;
}

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** Error names of requests refused because of their signature or credentials. */
const CREDENTIALS_REFUSED = new Set([
  'InvalidSignatureException',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'MissingAuthenticationToken',
]);
const THROTTLING = /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|LimitExceeded/;
const KMS_NAMES = new Set(['DecryptionFailure', 'KMSInvalidStateException', 'KMSDisabledException', 'KMSAccessDeniedException', 'KMSNotFoundException']);
const KMS_MESSAGE = /\bKMS\b|kms:|\bkey\b.*\b(disabled|pending deletion|invalid state)\b/i;

/** True when the SDK reports the stage label as absent (ResourceNotFoundException). */
export const isNotFound = (e: unknown) => (e as SdkError).name === 'ResourceNotFoundException';

/** Classifies an error of GetSecretValue for `ctx`. */
export function diagnoseCallError(e: unknown, ctx: CallContext): SecretsFailure {
  const err = e as SdkError;
  const name = err.name ?? 'Error';
  const message = err.message ?? '';
  const status = err.$metadata?.httpStatusCode;
  const attempts = err.$metadata?.attempts ?? 1;
  const { secretId, region } = ctx.secret;
  const what = describeError(e);
  const stage = ctx.stage === 'AWSCURRENT' ? '' : ` (${ctx.stage})`;
  const subject = `${secretId}${stage}`;

  if (KMS_NAMES.has(name) || ((name === 'AccessDeniedException' || name === 'InvalidRequestException') && KMS_MESSAGE.test(message))) {
    return new SecretsFailure(
      'KmsDecryptDenied',
      subject,
      `Secrets Manager could not decrypt the value with the secret's KMS key (${what}); key disabled or policy changed? check that the key is enabled and that its key policy lets role ${ctx.role} use kms:Decrypt through Secrets Manager (kms:ViaService secretsmanager.${region}.amazonaws.com)`,
    );
  }
  if (name === 'AccessDeniedException') {
    return new SecretsFailure(
      'AccessDenied',
      subject,
      `Secrets Manager denied GetSecretValue (${what}); policy changed? check the IAM policy of the host role ${ctx.role} (secretsmanager:GetSecretValue on this secret) and the secret's resource policy`,
    );
  }
  if (CREDENTIALS_REFUSED.has(name)) {
    return new SecretsFailure(
      'AccessDenied',
      subject,
      `Secrets Manager refused the request's credentials (${what}); is the host clock right (chronyd)? were the credentials of role ${ctx.role} revoked? check the instance profile and the time sync`,
    );
  }
  if (name === 'ResourceNotFoundException' || (name === 'InvalidRequestException' && /deletion|deleted/i.test(message))) {
    return new SecretsFailure(
      'SecretMissing',
      subject,
      `Secrets Manager in ${region} has no secret of that name with a value labelled ${ctx.stage} (${what}); check that the deployment created it (cdk deploy), that it is not scheduled for deletion, and the region of the manifest`,
    );
  }
  const throttled = THROTTLING.test(name);
  const network = status === undefined && /^(E[A-Z]+|TimeoutError|RequestTimeout.*)$/.test(err.code ?? name);
  if (throttled || (status !== undefined && status >= 500) || network || err.$fault === 'server') {
    const why = throttled ? 'throttled' : network ? `no answer from ${ctx.endpoint}` : `HTTP ${status ?? 'error'}`;
    return new SecretsFailure(
      'ServiceUnavailable',
      subject,
      `Secrets Manager in ${region} still failing after ${attempts} attempt${attempts === 1 ? '' : 's'} (${why}: ${what}); check the AWS Health Dashboard, the Secrets Manager VPC endpoint or NAT route of the subnet, and the host's outbound security group; the next boot or refresh retries`,
    );
  }
  return new SecretsFailure(
    'Unexpected',
    subject,
    `Secrets Manager in ${region} answered an error this program does not classify (${what}${status ? `, HTTP ${status}` : ''}); check the secret in the Secrets Manager console`,
  );
}
