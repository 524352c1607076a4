/**
 * Secrets Manager side of a rotation: the event check every step starts with,
 * the pending version (create, read) and the final stage move. Values read
 * here are registered with the step's log before anything else happens.
 */
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { type StepLog } from './log';

/** The function's own region: each secret is rotated by a function next to it. */
const secretsManager = new SecretsManagerClient({});

export const CURRENT = 'AWSCURRENT';
export const PENDING = 'AWSPENDING';
/**
 * The staging label createSecret puts on the version it creates, next to
 * AWSPENDING: it tells a real rotation's testSecret from Secrets Manager's
 * configuration test, which creates an AWSPENDING version of its own (value
 * undocumented), runs only testSecret and removes it. Each label sits on one
 * version at a time: the next rotation's createSecret moves it.
 */
export const ROTATION_LABEL = 'OPENCLAW_ROTATION';

/** Version id -> its staging labels. */
export type VersionStages = Readonly<Record<string, readonly string[]>>;

export class RotationEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationEventError';
  }
}

export type VersionCheck = { readonly alreadyCurrent: true } | { readonly alreadyCurrent: false; readonly versions: VersionStages };

/**
 * The check of the AWS rotation templates, before any step: rotation enabled,
 * the token is a version of the secret, and that version is AWSPENDING. A
 * version already AWSCURRENT means the rotation is over: nothing to do.
 */
export async function checkVersion(secretId: string, token: string): Promise<VersionCheck> {
  const meta = await secretsManager.send(new DescribeSecretCommand({ SecretId: secretId }));
  if (meta.RotationEnabled !== true) throw new RotationEventError(`secret ${secretId} is not enabled for rotation`);
  const versions: VersionStages = meta.VersionIdsToStages ?? {};
  const stages = versions[token];
  if (stages === undefined) throw new RotationEventError(`secret version ${token} has no stage for rotation of secret ${secretId}`);
  if (stages.includes(CURRENT)) return { alreadyCurrent: true };
  if (!stages.includes(PENDING)) throw new RotationEventError(`secret version ${token} is not AWSPENDING for rotation of secret ${secretId}`);
  return { alreadyCurrent: false, versions };
}

const isNotFound = (err: unknown) => err instanceof Error && err.name === 'ResourceNotFoundException';

/** The AWSPENDING value of version `token`, or undefined when the version has no value yet. */
export async function readPending(secretId: string, token: string, log: StepLog): Promise<string | undefined> {
  try {
    const out = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: PENDING }));
    log.secret(out.SecretString);
    if (typeof out.SecretString !== 'string') throw new RotationEventError(`secret version ${token} of ${secretId} holds no SecretString`);
    return out.SecretString;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The AWSPENDING value of version `token`; throws when it has none. */
export async function pendingValue(secretId: string, token: string, log: StepLog): Promise<string> {
  const value = await readPending(secretId, token, log);
  if (value === undefined) throw new RotationEventError(`secret version ${token} of ${secretId} has no AWSPENDING value (did createSecret run?)`);
  return value;
}

/** Whether version `token` was created by this function's createSecret (a real rotation), per its labels. */
export const isRotationVersion = (versions: VersionStages, token: string) => versions[token]?.includes(ROTATION_LABEL) === true;

/** The version AWSCURRENT is on; none before a secret created without a value has one. */
const currentVersionId = (versions: VersionStages) => Object.entries(versions).find(([, stages]) => stages.includes(CURRENT))?.[0];

/** The AWSCURRENT value (proves the function can read and decrypt the secret). */
export async function currentValue(secretId: string, versions: VersionStages, log: StepLog): Promise<string> {
  const current = currentVersionId(versions);
  if (current === undefined) throw new RotationEventError(`secret ${secretId} has no AWSCURRENT version`);
  const out = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId, VersionId: current, VersionStage: CURRENT }));
  log.secret(out.SecretString);
  if (typeof out.SecretString !== 'string') throw new RotationEventError(`the AWSCURRENT version of ${secretId} holds no SecretString`);
  return out.SecretString;
}

/**
 * createSecret: a random value of `length` letters and digits as version
 * `token`, AWSPENDING and ROTATION_LABEL. Secrets Manager lists the version (AWSPENDING, no value)
 * before this step runs, so "already created" is whether it has a value.
 */
export async function createPending(secretId: string, token: string, length: number, log: StepLog): Promise<'created' | 'already-pending'> {
  if ((await readPending(secretId, token, log)) !== undefined) return 'already-pending';
  const { RandomPassword } = await secretsManager.send(
    new GetRandomPasswordCommand({ PasswordLength: length, ExcludePunctuation: true, IncludeSpace: false }),
  );
  log.secret(RandomPassword);
  if (typeof RandomPassword !== 'string' || RandomPassword.length !== length) {
    throw new Error(`GetRandomPassword returned no value of ${length} characters`);
  }
  await secretsManager.send(
    new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: RandomPassword, VersionStages: [PENDING, ROTATION_LABEL] }),
  );
  return 'created';
}

/** finishSecret: AWSCURRENT moves to `token` (Secrets Manager then labels the old version AWSPREVIOUS). */
export async function promotePending(secretId: string, token: string, versions: VersionStages): Promise<{ previousVersion: string | undefined }> {
  const current = currentVersionId(versions);
  await secretsManager.send(
    new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: CURRENT, MoveToVersionId: token, RemoveFromVersionId: current }),
  );
  return { previousVersion: current };
}
