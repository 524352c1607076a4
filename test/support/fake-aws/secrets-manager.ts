import { startFakeServer, type FakeAnswer, type ReceivedRequest } from './server';
import { verifySigV4, type FakeCredentials } from './sigv4';

export type Stage = 'AWSCURRENT' | 'AWSPENDING' | 'AWSPREVIOUS';

/** A stored secret: its region and the SecretString of each stage it has. */
export interface FakeSecret {
  readonly region: string;
  readonly stages: Partial<Record<Stage, string>>;
  /** Holds SecretBinary instead of SecretString (every stage). */
  readonly binary?: boolean;
}

/** An error the fake answers instead of the value (awsJson1.1 error shape). */
export interface InjectedError {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

/** Errors of the real service, as the SDK sees them. Messages never hold values. */
export const SM_ERRORS = {
  accessDenied: (): InjectedError => ({
    status: 400,
    type: 'AccessDeniedException',
    message: 'User: arn:aws:sts::000000000000:assumed-role/openclaw-test-gateway-role/i-0test is not authorized to perform: secretsmanager:GetSecretValue on resource because no identity-based policy allows the secretsmanager:GetSecretValue action',
  }),
  kmsAccessDenied: (): InjectedError => ({ status: 400, type: 'AccessDeniedException', message: 'Access to KMS is not allowed' }),
  decryptionFailure: (): InjectedError => ({ status: 400, type: 'DecryptionFailure', message: "Secrets Manager can't decrypt the protected secret text using the provided KMS key." }),
  notFound: (): InjectedError => ({ status: 400, type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }),
  throttling: (): InjectedError => ({ status: 400, type: 'ThrottlingException', message: 'Rate exceeded' }),
  internal: (): InjectedError => ({ status: 500, type: 'InternalServiceError', message: 'An error occurred on the server side.' }),
};

/** One GetSecretValue call as the fake saw it. */
export interface SmCall {
  readonly secretId: string;
  readonly stage: Stage;
  /** Region of the credential scope (the region the client signed for). */
  readonly region: string;
  /** amz-sdk-request header: attempt=N; max=M. */
  readonly attempt: string;
  /** What was answered: 'value', 'absent' (stage not found), an injected error type, or 'InvalidSignatureException'. */
  readonly outcome: string;
}

/** One PutSecretValue call as the fake saw it: exactly what was sent. */
export interface SmPut {
  readonly secretId: string;
  /** Region of the credential scope. */
  readonly region: string;
  /** The request body's members, as sent (SecretId, SecretString, ClientRequestToken, VersionStages if any...). */
  readonly input: Readonly<Record<string, unknown>>;
  /** 'stored', an injected error type, or ResourceNotFoundException. */
  readonly outcome: string;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): FakeAnswer => ({
  status,
  headers: { 'content-type': 'application/x-amz-json-1.1', ...headers },
  body: JSON.stringify(body),
});
const error = (e: InjectedError): FakeAnswer => json(e.status, { __type: e.type, message: e.message }, { 'x-amzn-errortype': e.type });

/**
 * A stand-in Secrets Manager on 127.0.0.1 (awsJson1.1, GetSecretValue and PutSecretValue).
 * Every request must be SigV4-signed (service secretsmanager) with the
 * credentials it accepts, which are the fake IMDS's: it recomputes the
 * signature and refuses anything else with 403 InvalidSignatureException.
 * Secrets are looked up by name in the region of the credential scope, by
 * stage. Errors can be injected per secret name ('*': any), for the next N
 * calls or for good.
 */
export async function startFakeSecretsManager(accepted: FakeCredentials) {
  const secrets = new Map<string, FakeSecret>();
  const injected: { secretId: string; stage?: Stage; error: InjectedError; remaining: number }[] = [];
  const calls: SmCall[] = [];
  const puts: SmPut[] = [];
  const rejections: string[] = [];

  const answer = (req: ReceivedRequest): FakeAnswer => {
    const sig = verifySigV4(req, accepted, 'secretsmanager');
    const target = req.headers['x-amz-target'];
    let input: { SecretId?: unknown; VersionStage?: unknown } = {};
    try {
      input = JSON.parse(req.body.toString('utf8') || '{}') as typeof input;
    } catch {
      return json(400, { __type: 'SerializationException', message: 'body is not JSON' });
    }
    const secretId = typeof input.SecretId === 'string' ? input.SecretId : '';
    const stage = (typeof input.VersionStage === 'string' ? input.VersionStage : 'AWSCURRENT') as Stage;
    const record = (region: string, outcome: string) =>
      calls.push({ secretId, stage, region, attempt: String(req.headers['amz-sdk-request'] ?? ''), outcome });
    if (!sig.ok) {
      rejections.push(sig.why);
      record('?', 'InvalidSignatureException');
      return error({ status: 403, type: 'InvalidSignatureException', message: 'The request signature we calculated does not match the signature you provided.' });
    }
    if (req.method === 'POST' && target === 'secretsmanager.PutSecretValue' && req.headers['content-type'] === 'application/x-amz-json-1.1') {
      return putSecretValue(sig.region, input as Record<string, unknown>);
    }
    if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue' || req.headers['content-type'] !== 'application/x-amz-json-1.1') {
      return json(400, { __type: 'UnknownOperationException', message: `unsupported call ${String(target)}` });
    }
    const inj = injected.find((i) => (i.secretId === '*' || i.secretId === secretId) && (!i.stage || i.stage === stage) && i.remaining > 0);
    if (inj) {
      inj.remaining--;
      record(sig.region, inj.error.type);
      return error(inj.error);
    }
    const secret = secrets.get(secretId);
    if (!secret || secret.region !== sig.region) {
      record(sig.region, 'ResourceNotFoundException');
      return error(SM_ERRORS.notFound());
    }
    const value = secret.stages[stage];
    if (value === undefined) {
      record(sig.region, 'absent');
      return error({ status: 400, type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret value for staging label: ${stage}` });
    }
    record(sig.region, 'value');
    const arn = `arn:aws:secretsmanager:${sig.region}:000000000000:secret:${secretId}-Ab12Cd`;
    const payload = secret.binary ? { SecretBinary: Buffer.from(value).toString('base64') } : { SecretString: value };
    return json(200, { ARN: arn, Name: secretId, VersionId: `v-${stage.toLowerCase()}`, VersionStages: [stage], CreatedDate: 1_790_000_000, ...payload });
  };

  /**
   * PutSecretValue as Secrets Manager does it: a new version whose id is the
   * ClientRequestToken, labelled with VersionStages (default AWSCURRENT); the
   * version that was AWSCURRENT becomes AWSPREVIOUS. Errors as for GetSecretValue.
   */
  const putSecretValue = (region: string, input: Record<string, unknown>): FakeAnswer => {
    const secretId = typeof input.SecretId === 'string' ? input.SecretId : '';
    const record = (outcome: string) => puts.push({ secretId, region, input, outcome });
    const inj = injected.find((i) => (i.secretId === '*' || i.secretId === secretId) && !i.stage && i.remaining > 0);
    if (inj) {
      inj.remaining--;
      record(inj.error.type);
      return error(inj.error);
    }
    const secret = secrets.get(secretId);
    if (!secret || secret.region !== region) {
      record('ResourceNotFoundException');
      return error(SM_ERRORS.notFound());
    }
    if (typeof input.SecretString !== 'string' || typeof input.ClientRequestToken !== 'string') {
      record('InvalidParameterException');
      return error({ status: 400, type: 'InvalidParameterException', message: 'You must provide SecretString and ClientRequestToken.' });
    }
    const labels = Array.isArray(input.VersionStages) ? (input.VersionStages as Stage[]) : (['AWSCURRENT'] as Stage[]);
    const stages: Partial<Record<Stage, string>> = { ...secret.stages };
    if (labels.includes('AWSCURRENT') && stages.AWSCURRENT !== undefined) stages.AWSPREVIOUS = stages.AWSCURRENT;
    for (const l of labels) stages[l] = input.SecretString;
    secrets.set(secretId, { ...secret, stages });
    record('stored');
    const arn = `arn:aws:secretsmanager:${region}:000000000000:secret:${secretId}-Ab12Cd`;
    return json(200, { ARN: arn, Name: secretId, VersionId: input.ClientRequestToken, VersionStages: labels });
  };

  const server = await startFakeServer(answer);
  return {
    ...server,
    calls,
    /** PutSecretValue calls. */
    puts,
    /** Why each refused request was refused (signature checks). */
    rejections,
    /** Stores (or replaces) a secret. */
    put(secretId: string, secret: FakeSecret) {
      secrets.set(secretId, secret);
    },
    /** The stored secret (with what PutSecretValue wrote), or undefined. */
    get(secretId: string): FakeSecret | undefined {
      return secrets.get(secretId);
    },
    remove(secretId: string) {
      secrets.delete(secretId);
    },
    /** Answers `error` to the next `times` calls for `secretId` ('*': any secret), optionally of one stage only. */
    inject(secretId: string, e: InjectedError, times = Number.POSITIVE_INFINITY, stage?: Stage) {
      injected.push({ secretId, error: e, remaining: times, ...(stage ? { stage } : {}) });
    },
    /** No injected errors, no recorded calls (secrets stay). */
    reset() {
      injected.length = 0;
      calls.length = 0;
      puts.length = 0;
      rejections.length = 0;
    },
  };
}

export type FakeSecretsManager = Awaited<ReturnType<typeof startFakeSecretsManager>>;
