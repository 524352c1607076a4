import type { ManifestSecret } from '../../lib/secrets/secrets-manifest';
import { diagnoseCallError } from '../../host/fetch-secrets/diagnose';

// Focused in-process checks of the classification of GetSecretValue errors (host/fetch-secrets/diagnose.ts).

const ctx = {
  secret: { secretId: 'openclaw/x', region: 'eu-west-1' } as unknown as ManifestSecret,
  stage: 'AWSCURRENT',
  role: 'arn:aws:iam::111111111111:role/host',
  endpoint: 'https://sm.test',
};
const sdkError = (name: string | undefined, message: string, extra: Record<string, unknown> = {}) => Object.assign({ name, message }, extra);
const reason = (e: unknown) => diagnoseCallError(e, ctx).reason;

test.each(['DecryptionFailure', 'KMSInvalidStateException', 'KMSDisabledException', 'KMSAccessDeniedException', 'KMSNotFoundException'])(
  'KMS error %s is KmsDecryptDenied',
  (name) => expect(reason(sdkError(name, 'x'))).toBe('KmsDecryptDenied'),
);

test.each([
  'InvalidSignatureException',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
  'MissingAuthenticationToken',
])('refused credentials %s are AccessDenied with the clock/credentials hint', (name) => {
  const f = diagnoseCallError(sdkError(name, 'x'), ctx);
  expect(f.reason).toBe('AccessDenied');
  expect(f.detail).toMatch(/^Secrets Manager refused the request's credentials/);
});

test('a KMS message counts only for AccessDenied or InvalidRequest, with any words between key and its state', () => {
  expect(reason(sdkError('AccessDeniedException', 'the key is now disabled'))).toBe('KmsDecryptDenied');
  expect(reason(sdkError('InvalidRequestException', 'KMS key unusable'))).toBe('KmsDecryptDenied');
  expect(reason(sdkError('ValidationException', 'KMS key unusable'))).toBe('Unexpected');
});

test('deleted secrets are SecretMissing only for InvalidRequestException with a deletion message', () => {
  expect(reason(sdkError('InvalidRequestException', 'secret is marked for deletion'))).toBe('SecretMissing');
  expect(reason(sdkError('InvalidRequestException', 'bad parameter'))).toBe('Unexpected');
  expect(reason(sdkError('ValidationException', 'deleted'))).toBe('Unexpected');
});

test('network error codes are recognised by the whole code (anchored regex)', () => {
  expect(reason(sdkError('Error', 'x', { code: 'ECONNRESET' }))).toBe('ServiceUnavailable');
  expect(reason(sdkError('RequestTimeoutException', 'x'))).toBe('ServiceUnavailable');
  expect(reason(sdkError('Error', 'x', { code: 'xECONNRESET' }))).toBe('Unexpected');
  expect(reason(sdkError('Error', 'x', { code: 'ECONNRESETx' }))).toBe('Unexpected');
  expect(diagnoseCallError(sdkError('Error', 'x', { code: 'ETIMEDOUT' }), ctx).detail).toContain('(no answer from https://sm.test: ETIMEDOUT: x)');
});

test('a server fault without an HTTP status reads "HTTP error"', () => {
  const f = diagnoseCallError(sdkError('InternalFailure', 'boom', { $fault: 'server' }), ctx);
  expect(f.reason).toBe('ServiceUnavailable');
  expect(f.detail).toContain('after 1 attempt (HTTP error: InternalFailure: boom)');
});

test('a client error (HTTP 400, fault client) of a name it does not know is Unexpected, not ServiceUnavailable (only throttling, 5xx, no answer or a server fault are)', () => {
  const f = diagnoseCallError(sdkError('ValidationException', 'bad input', { $fault: 'client', $metadata: { httpStatusCode: 400, attempts: 1 } }), ctx);
  expect([f.reason, f.detail]).toEqual([
    'Unexpected',
    'Secrets Manager in eu-west-1 answered an error this program does not classify (ValidationException: bad input, HTTP 400); check the secret in the Secrets Manager console',
  ]);
});
