/**
 * The secret rotation function (lambda/rotate-secret), step by step, for both
 * kinds, against mocked Secrets Manager, CloudFront and SSM.
 */
import {
  CloudFrontClient,
  type DistributionConfig,
  GetDistributionConfigCommand,
  PreconditionFailed,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { GetCommandInvocationCommand, InvalidInstanceId, InvocationDoesNotExist, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { SecretsManagerRotationEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, RESERVED_MS } from '../../lambda/rotate-secret';
import { readEnv } from '../../lambda/rotate-secret/env';
import { UPDATE_ATTEMPTS } from '../../lambda/rotate-secret/origin-header';
import { ROTATION_LABEL } from '../../lambda/rotate-secret/secret-versions';
import { captureConsole, setHandlerEnv, type LoggedLine } from './support/handler-env';

const sm = mockClient(SecretsManagerClient);
const cf = mockClient(CloudFrontClient);
const ssm = mockClient(SSMClient);

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:oc/acme/prod/origin-verify-AbCdEf';
const TOKEN = '11111111-2222-3333-4444-555555555555';
const CURRENT_VERSION = '99999999-8888-7777-6666-555555555555';
const CURRENT_VALUE = 'CurrentOriginVerifyValue0123456789abcdefghijklmn'; // 48
const PENDING_VALUE = 'PendingRotatedValue0123456789abcdefghijklmnopqrs'; // 48
const GENERATED_VALUE = 'GeneratedRandomValue0123456789abcdefghijklmnopqr'; // 48
const OTHER_HEADER_VALUE = 'SomeOtherHeaderSecretValue-42';
const THIRD_VALUE = 'NeitherPendingNorCurrentValue0123456789abcdefghi'; // 48
const DISTRIBUTION_ID = 'E1ABCDEFGHIJKL';
const DOCUMENT = 'oc-acme-prod-refresh-secrets';
const INSTANCE = 'i-0123456789abcdef0';
const COMMAND_ID = 'cmd-0001';

const BASE_ENV = {
  REFRESH_DOCUMENT: DOCUMENT,
  HOST_INSTANCE_ID: INSTANCE,
  HOST_REGION: 'eu-west-1',
  REFRESH_POLL_MS: '1',
  REFRESH_MAX_WAIT_MS: '5000',
};
/** A short wait for the tests of a refresh that never succeeds. */
const SHORT_WAIT = { REFRESH_MAX_WAIT_MS: '40' };
/** More status reads than any test needs: a fake asked more often fails loudly (a loop that never ends). */
const MAX_POLLS = 1000;
const ORIGIN_VERIFY_ENV = { ...BASE_ENV, KIND: 'origin-verify', DISTRIBUTION_ID, ORIGIN_HEADER: 'x-origin-verify' };
const GATEWAY_TOKEN_ENV = { ...BASE_ENV, KIND: 'gateway-token' };
const ENV_NAMES = ['KIND', 'REFRESH_DOCUMENT', 'HOST_INSTANCE_ID', 'HOST_REGION', 'VALUE_LENGTH', 'REFRESH_POLL_MS', 'REFRESH_MAX_WAIT_MS', 'DISTRIBUTION_ID', 'ORIGIN_HEADER'];

const setEnv = (values: Record<string, string>) => setHandlerEnv(ENV_NAMES, values);

const event = (Step: SecretsManagerRotationEvent['Step'], token = TOKEN): SecretsManagerRotationEvent => ({
  SecretId: SECRET_ARN,
  ClientRequestToken: token,
  Step,
});

/** Secrets Manager as the rotation sees it: versions with stages, and values for some. */
interface SecretState {
  rotationEnabled: boolean;
  stages: Record<string, string[]>;
  /** A version's value: SecretString, or SecretBinary (bytes). */
  values: Record<string, string | Uint8Array>;
}

let state: SecretState;

function fakeSecretsManager(): void {
  sm.on(DescribeSecretCommand).callsFake(async () => ({
    ARN: SECRET_ARN,
    RotationEnabled: state.rotationEnabled,
    VersionIdsToStages: state.stages,
  }));
  sm.on(GetSecretValueCommand).callsFake(async (input: { VersionId?: string; VersionStage?: string }) => {
    const id = input.VersionId ?? '';
    const value = state.values[id];
    if (value === undefined || (input.VersionStage !== undefined && !state.stages[id]?.includes(input.VersionStage))) {
      throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value", $metadata: {} });
    }
    return typeof value === 'string' ? { ARN: SECRET_ARN, VersionId: id, SecretString: value } : { ARN: SECRET_ARN, VersionId: id, SecretBinary: value };
  });
  sm.on(GetRandomPasswordCommand).resolves({ RandomPassword: GENERATED_VALUE });
  // As Secrets Manager does: a label sits on one version; moving AWSCURRENT moves AWSPREVIOUS to the old one.
  const attach = (label: string, versionId: string) => {
    for (const id of Object.keys(state.stages)) state.stages[id] = state.stages[id]!.filter((l) => l !== label);
    state.stages[versionId] = [...(state.stages[versionId] ?? []), label];
  };
  sm.on(PutSecretValueCommand).callsFake(async (input: { ClientRequestToken: string; SecretString: string; VersionStages: string[] }) => {
    state.values[input.ClientRequestToken] = input.SecretString;
    for (const label of input.VersionStages) attach(label, input.ClientRequestToken);
    return { ARN: SECRET_ARN, VersionId: input.ClientRequestToken };
  });
  sm.on(UpdateSecretVersionStageCommand).callsFake(async (input: { VersionStage: string; MoveToVersionId: string }) => {
    const previous = Object.keys(state.stages).find((id) => state.stages[id]!.includes(input.VersionStage));
    attach(input.VersionStage, input.MoveToVersionId);
    if (input.VersionStage === 'AWSCURRENT' && previous !== undefined && previous !== input.MoveToVersionId) attach('AWSPREVIOUS', previous);
    return { ARN: SECRET_ARN };
  });
}

/**
 * Rotation under way: the pending version exists, with `pendingValue` or (null) no value yet.
 * Once createSecret put its value, the version also carries the function's rotation label.
 */
function pendingState(pendingValue: string | null = PENDING_VALUE): SecretState {
  return {
    rotationEnabled: true,
    stages: { [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: pendingValue === null ? ['AWSPENDING'] : ['AWSPENDING', ROTATION_LABEL] },
    values: { [CURRENT_VERSION]: CURRENT_VALUE, ...(pendingValue === null ? {} : { [TOKEN]: pendingValue }) },
  };
}

/** A distribution with two gateway origins sending the header (any case) and one origin without it. */
function distribution(headerValue: string, secondValue = headerValue): DistributionConfig {
  return {
    CallerReference: 'cdk-ref-1',
    Comment: 'oc acme prod gateway',
    Enabled: true,
    Origins: {
      Quantity: 3,
      Items: [
        {
          Id: 'gateway',
          DomainName: 'ip-10-0-1-10.eu-west-1.compute.internal',
          OriginPath: '',
          CustomHeaders: {
            Quantity: 2,
            Items: [
              { HeaderName: 'X-Origin-Verify', HeaderValue: headerValue },
              { HeaderName: 'x-other-secret', HeaderValue: OTHER_HEADER_VALUE },
            ],
          },
          VpcOriginConfig: { VpcOriginId: 'vo_abc', OriginReadTimeout: 30, OriginKeepaliveTimeout: 5 },
        },
        {
          Id: 'gateway-ws',
          DomainName: 'ip-10-0-1-10.eu-west-1.compute.internal',
          CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'x-origin-verify', HeaderValue: secondValue }] },
        },
        { Id: 'static', DomainName: 'assets.example.com', CustomHeaders: { Quantity: 0 } },
      ],
    },
    DefaultCacheBehavior: { TargetOriginId: 'gateway', ViewerProtocolPolicy: 'https-only' },
  } as DistributionConfig;
}

/** `config` with the origin-verify header of every origin set to `value`: what the update must send. */
function expectedUpdate(config: DistributionConfig, value: string): DistributionConfig {
  const copy = structuredClone(config);
  copy.Origins!.Items![0]!.CustomHeaders!.Items![0]!.HeaderValue = value;
  copy.Origins!.Items![1]!.CustomHeaders!.Items![0]!.HeaderValue = value;
  return copy;
}

type Invocation = string | Error | { Status: string; StatusDetails: string };

/** SSM: SendCommand returns COMMAND_ID; GetCommandInvocation answers `statuses` in turn (the last one repeats). */
function fakeSsm(...statuses: Invocation[]): string[] {
  const regions: string[] = [];
  ssm.on(SendCommandCommand).callsFake(async (_input, getClient) => {
    regions.push(await getClient().config.region());
    return { Command: { CommandId: COMMAND_ID } };
  });
  let i = 0;
  ssm.on(GetCommandInvocationCommand).callsFake(async () => {
    if (i >= MAX_POLLS) throw new Error(`fake SSM: GetCommandInvocation asked more than ${MAX_POLLS} times`);
    const next = statuses[Math.min(i++, statuses.length - 1)]!;
    if (next instanceof Error) throw next;
    const { Status, StatusDetails } = typeof next === 'string' ? { Status: next, StatusDetails: next } : next;
    return { CommandId: COMMAND_ID, InstanceId: INSTANCE, Status, StatusDetails, ResponseCode: Status === 'Failed' ? 1 : 0 };
  });
  return regions;
}

const invocationMissing = () => new InvocationDoesNotExist({ message: 'invocation does not exist', $metadata: {} });

let logged: LoggedLine[];

/**
 * Every test here polls the host refresh on real timers, relying on REFRESH_POLL_MS=1 and
 * REFRESH_MAX_WAIT_MS=5000 (40 where a refresh must time out). Were they not read as set (the defaults are 2 s and 2 min), the file
 * would take minutes: fail it at once instead.
 */
beforeAll(() => {
  const { refreshPollMs, refreshMaxWaitMs } = readEnv(ORIGIN_VERIFY_ENV);
  if (refreshPollMs !== 1 || refreshMaxWaitMs !== 5000) throw new Error(`REFRESH_POLL_MS/REFRESH_MAX_WAIT_MS read as ${refreshPollMs}/${refreshMaxWaitMs} ms, not 1/5000`);
});

beforeEach(() => {
  sm.reset();
  cf.reset();
  ssm.reset();
  state = pendingState();
  fakeSecretsManager();
  setEnv(ORIGIN_VERIFY_ENV);
  logged = captureConsole();
});

afterEach(() => jest.restoreAllMocks());

afterAll(() => setEnv({}));

const lines = (level?: string) => logged.filter((l) => level === undefined || l.level === level).map((l) => JSON.parse(l.text) as Record<string, unknown>);

describe('createSecret', () => {
  it.each([['origin-verify', ORIGIN_VERIFY_ENV], ['gateway-token', GATEWAY_TOKEN_ENV]])('%s: generates a value and puts it as AWSPENDING under the token', async (_kind, env) => {
    setEnv(env);
    state = pendingState(null);
    await handler(event('createSecret'));
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' });
    expect(sm.commandCalls(GetRandomPasswordCommand).map((c) => c.args[0].input)).toEqual([
      { PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false },
    ]);
    expect(sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: SECRET_ARN, ClientRequestToken: TOKEN, SecretString: GENERATED_VALUE, VersionStages: ['AWSPENDING', 'OPENCLAW_ROTATION'] },
    ]);
    expect(cf.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('takes the length from VALUE_LENGTH', async () => {
    setEnv({ ...ORIGIN_VERIFY_ENV, VALUE_LENGTH: '64' });
    state = pendingState(null);
    sm.on(GetRandomPasswordCommand).resolves({ RandomPassword: 'a'.repeat(64) });
    await handler(event('createSecret'));
    expect(sm.commandCalls(GetRandomPasswordCommand)[0]!.args[0].input).toEqual({ PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false });
    expect(sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input.SecretString).toBe('a'.repeat(64));
  });

  it('does nothing when the pending version already has a value (a retried step)', async () => {
    await handler(event('createSecret'));
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetRandomPasswordCommand)).toHaveLength(0);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(lines('log')).toEqual([expect.objectContaining({ step: 'createSecret', outcome: 'already-pending' })]);
  });

  it('fails when GetRandomPassword returns a value of the wrong length, putting nothing', async () => {
    state = pendingState(null);
    sm.on(GetRandomPasswordCommand).resolves({ RandomPassword: 'short' });
    await expect(handler(event('createSecret'))).rejects.toThrow('GetRandomPassword returned no value of 48 characters');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('passes on errors other than "not found" when reading the pending version', async () => {
    state = pendingState(null);
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('User is not authorized to perform GetSecretValue'), { name: 'AccessDeniedException' }));
    await expect(handler(event('createSecret'))).rejects.toThrow('not authorized');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe('origin-verify setSecret', () => {
  it('refreshes the host (host region) until Success, then sends the pending value from every origin with the header', async () => {
    const order: string[] = [];
    const regions = fakeSsm('Pending', 'InProgress', 'Success');
    ssm.on(SendCommandCommand).callsFake(async (_input, getClient) => {
      order.push('SendCommand');
      regions.push(await getClient().config.region());
      return { Command: { CommandId: COMMAND_ID } };
    });
    const config = distribution(CURRENT_VALUE);
    cf.on(GetDistributionConfigCommand).callsFake(async () => {
      order.push('GetDistributionConfig');
      return { ETag: 'ETAG-1', DistributionConfig: config };
    });
    cf.on(UpdateDistributionCommand).callsFake(async () => {
      order.push('UpdateDistribution');
      return { ETag: 'ETAG-2' };
    });

    await handler(event('setSecret'));

    expect(ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input)).toEqual([
      { DocumentName: DOCUMENT, InstanceIds: [INSTANCE], Comment: 'secret rotation: origin-verify setSecret' },
    ]);
    expect(regions).toEqual(['eu-west-1']);
    expect(ssm.commandCalls(GetCommandInvocationCommand).map((c) => c.args[0].input)).toEqual(
      Array(3).fill({ CommandId: COMMAND_ID, InstanceId: INSTANCE }),
    );
    expect(order).toEqual(['SendCommand', 'GetDistributionConfig', 'UpdateDistribution']);
    expect(cf.commandCalls(GetDistributionConfigCommand)[0]!.args[0].input).toEqual({ Id: DISTRIBUTION_ID });
    const update = cf.commandCalls(UpdateDistributionCommand)[0]!.args[0].input;
    expect(update.Id).toBe(DISTRIBUTION_ID);
    expect(update.IfMatch).toBe('ETAG-1');
    // Only the two origin-verify header values changed: the other header, the origin without it, the rest as read.
    expect(update.DistributionConfig).toEqual(expectedUpdate(config, PENDING_VALUE));
    expect(update.DistributionConfig!.Origins!.Items![0]!.CustomHeaders!.Items![1]).toEqual({ HeaderName: 'x-other-secret', HeaderValue: OTHER_HEADER_VALUE });
    expect(update.DistributionConfig!.Origins!.Items![2]).toEqual(config.Origins!.Items![2]);
    // The config read is not mutated in place.
    expect(config.Origins!.Items![0]!.CustomHeaders!.Items![0]!.HeaderValue).toBe(CURRENT_VALUE);
    expect(lines('log')).toEqual([
      expect.objectContaining({ step: 'setSecret', outcome: 'host-refreshed-distribution-updated', refreshCommandId: COMMAND_ID, origins: 2 }),
    ]);
  });

  it('throws when the host refresh fails, and never touches CloudFront', async () => {
    fakeSsm('InProgress', 'Failed');
    await expect(handler(event('setSecret'))).rejects.toThrow(`host refresh command ${COMMAND_ID} on instance ${INSTANCE} (eu-west-1), document ${DOCUMENT} ended Failed`);
    expect(cf.calls()).toHaveLength(0);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  it.each(['Cancelled', 'TimedOut', 'Undeliverable'])('throws on %s', async (status) => {
    fakeSsm(status);
    await expect(handler(event('setSecret'))).rejects.toThrow(`ended ${status}`);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
  });

  it('throws when the invocation reports Failed with detail Undeliverable', async () => {
    fakeSsm({ Status: 'Failed', StatusDetails: 'Undeliverable' });
    await expect(handler(event('setSecret'))).rejects.toThrow('ended Failed (Undeliverable, exit code 1)');
    expect(cf.calls()).toHaveLength(0);
  });

  it('keeps polling through Delayed', async () => {
    fakeSsm('Delayed', 'Delayed', 'Success');
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE) });
    cf.on(UpdateDistributionCommand).resolves({ ETag: 'ETAG-2' });
    await handler(event('setSecret'));
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(3);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
  });

  it('throws when the command status cannot be read (other than "not yet"), and never touches CloudFront', async () => {
    fakeSsm(Object.assign(new Error('not authorized to perform ssm:GetCommandInvocation'), { name: 'AccessDeniedException' }));
    await expect(handler(event('setSecret'))).rejects.toThrow(`host refresh command ${COMMAND_ID} on instance ${INSTANCE} (eu-west-1), document ${DOCUMENT} could not be read: AccessDeniedException`);
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(1);
    expect(cf.calls()).toHaveLength(0);
  });

  it('throws when the command is still running after REFRESH_MAX_WAIT_MS, and never touches CloudFront', async () => {
    // Long enough for a second poll on a loaded machine (the first SDK call can take tens of ms).
    setEnv({ ...ORIGIN_VERIFY_ENV, REFRESH_MAX_WAIT_MS: '250' });
    fakeSsm('InProgress');
    const started = Date.now();
    // The invocation has more time left than REFRESH_MAX_WAIT_MS: the variable bounds the wait.
    await expect(handler(event('setSecret'), { getRemainingTimeInMillis: () => RESERVED_MS + 1_500 })).rejects.toThrow(`host refresh command ${COMMAND_ID} on instance ${INSTANCE} (eu-west-1), document ${DOCUMENT} did not succeed within 250 ms (last status: InProgress)`);
    expect(Date.now() - started).toBeLessThan(5_000);
    // How often it polls before the deadline is pinned on a fake clock (rotate-secret-host-refresh.test.ts):
    // on a real clock a loaded machine may fit only one poll into 40 ms.
    expect(ssm.commandCalls(GetCommandInvocationCommand).length).toBeGreaterThanOrEqual(1);
    expect(cf.calls()).toHaveLength(0);
  });

  it('caps the wait by the time the invocation has left', async () => {
    setEnv({ ...ORIGIN_VERIFY_ENV, REFRESH_MAX_WAIT_MS: '60' });
    fakeSsm('InProgress');
    await expect(handler(event('setSecret'), { getRemainingTimeInMillis: () => RESERVED_MS + 25 })).rejects.toThrow('did not succeed within 25 ms');
    expect(cf.calls()).toHaveLength(0);
  });

  it('polls again when the invocation does not exist yet right after SendCommand', async () => {
    fakeSsm(invocationMissing(), invocationMissing(), 'Success');
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE) });
    cf.on(UpdateDistributionCommand).resolves({ ETag: 'ETAG-2' });
    await handler(event('setSecret'));
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(3);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
  });

  it('throws when the command cannot be sent (instance not managed), and never touches CloudFront', async () => {
    ssm.on(SendCommandCommand).rejects(new InvalidInstanceId({ message: 'Instances not in a valid state for account', $metadata: {} }));
    await expect(handler(event('setSecret'))).rejects.toThrow(`host refresh could not be sent to instance ${INSTANCE} (eu-west-1), document ${DOCUMENT}: InvalidInstanceId`);
    expect(cf.calls()).toHaveLength(0);
  });

  it('throws when no origin sends the header', async () => {
    fakeSsm('Success');
    setEnv({ ...ORIGIN_VERIFY_ENV, ORIGIN_HEADER: 'x-something-else' });
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE) });
    await expect(handler(event('setSecret'))).rejects.toThrow(`no origin of distribution ${DISTRIBUTION_ID} sends the header x-something-else`);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
  });

  it('skips the update when every origin already sends the pending value (a retried step)', async () => {
    fakeSsm('Success');
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(PENDING_VALUE) });
    await handler(event('setSecret'));
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(1);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
    expect(lines('log')).toEqual([
      expect.objectContaining({ outcome: 'host-refreshed-distribution-already-set', refreshCommandId: COMMAND_ID, origins: 2, updateAttempts: 1 }),
    ]);
  });

  it('stops when the config read again after PreconditionFailed already sends the pending value (another writer set it)', async () => {
    fakeSsm('Success');
    cf.on(GetDistributionConfigCommand)
      .resolvesOnce({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE) })
      .resolves({ ETag: 'ETAG-2', DistributionConfig: distribution(PENDING_VALUE) });
    cf.on(UpdateDistributionCommand).rejects(new PreconditionFailed({ message: 'precondition failed', $metadata: {} }));
    await handler(event('setSecret'));
    expect(cf.commandCalls(GetDistributionConfigCommand)).toHaveLength(2);
    expect(cf.commandCalls(UpdateDistributionCommand).map((c) => c.args[0].input.IfMatch)).toEqual(['ETAG-1']);
    expect(lines('log')).toEqual([expect.objectContaining({ outcome: 'host-refreshed-distribution-already-set', origins: 2, updateAttempts: 2 })]);
  });

  it('updates when only some origins send the pending value', async () => {
    fakeSsm('Success');
    const config = distribution(PENDING_VALUE, CURRENT_VALUE);
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: config });
    cf.on(UpdateDistributionCommand).resolves({ ETag: 'ETAG-2' });
    await handler(event('setSecret'));
    expect(cf.commandCalls(UpdateDistributionCommand)[0]!.args[0].input.DistributionConfig).toEqual(expectedUpdate(config, PENDING_VALUE));
  });

  it('reads the config again and retries with the new ETag on PreconditionFailed', async () => {
    fakeSsm('Success');
    const first = distribution(CURRENT_VALUE);
    const second = { ...distribution(CURRENT_VALUE), Comment: 'changed by someone else' };
    cf.on(GetDistributionConfigCommand)
      .resolvesOnce({ ETag: 'ETAG-1', DistributionConfig: first })
      .resolvesOnce({ ETag: 'ETAG-2', DistributionConfig: second });
    cf.on(UpdateDistributionCommand)
      .rejectsOnce(new PreconditionFailed({ message: 'The precondition given in one or more of the request-header fields evaluated to false.', $metadata: {} }))
      .resolves({ ETag: 'ETAG-3' });
    await handler(event('setSecret'));
    const updates = cf.commandCalls(UpdateDistributionCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => u.IfMatch)).toEqual(['ETAG-1', 'ETAG-2']);
    expect(updates[1]!.DistributionConfig).toEqual(expectedUpdate(second, PENDING_VALUE));
    expect(lines('log')).toEqual([expect.objectContaining({ outcome: 'host-refreshed-distribution-updated', updateAttempts: 2 })]);
  });

  it(`gives up after ${UPDATE_ATTEMPTS} PreconditionFailed, with CloudFront's error`, async () => {
    fakeSsm('Success');
    // Someone else keeps changing the distribution: every read has a new ETag, every update a stale one.
    let reads = 0;
    cf.on(GetDistributionConfigCommand).callsFake(async () => {
      if (++reads > 10) throw new Error('fake CloudFront: GetDistributionConfig asked more than 10 times');
      return { ETag: `ETAG-${reads}`, DistributionConfig: distribution(CURRENT_VALUE) };
    });
    cf.on(UpdateDistributionCommand).callsFake(async () => {
      throw new PreconditionFailed({ message: 'The precondition given in one or more of the request-header fields evaluated to false.', $metadata: {} });
    });
    await expect(handler(event('setSecret'))).rejects.toMatchObject({
      name: 'PreconditionFailed',
      message: 'The precondition given in one or more of the request-header fields evaluated to false.',
    });
    expect(cf.commandCalls(UpdateDistributionCommand).map((c) => c.args[0].input.IfMatch)).toEqual(['ETAG-1', 'ETAG-2', 'ETAG-3']);
    expect(UPDATE_ATTEMPTS).toBe(3);
  });

  it('succeeds on the last attempt after PreconditionFailed on every other', async () => {
    fakeSsm('Success');
    let reads = 0;
    cf.on(GetDistributionConfigCommand).callsFake(async () => ({ ETag: `ETAG-${++reads}`, DistributionConfig: distribution(CURRENT_VALUE) }));
    cf.on(UpdateDistributionCommand).callsFake(async (input: { IfMatch: string }) => {
      if (input.IfMatch !== `ETAG-${UPDATE_ATTEMPTS}`) throw new PreconditionFailed({ message: 'precondition failed', $metadata: {} });
      return { ETag: 'ETAG-NEW' };
    });
    await handler(event('setSecret'));
    expect(lines('log')).toEqual([expect.objectContaining({ outcome: 'host-refreshed-distribution-updated', updateAttempts: UPDATE_ATTEMPTS })]);
  });

  it('does not retry any other update error (only a changed ETag is worth a second read-modify-write)', async () => {
    fakeSsm('Success');
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE) });
    cf.on(UpdateDistributionCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudfront:UpdateDistribution'), { name: 'AccessDenied' }));
    await expect(handler(event('setSecret'))).rejects.toThrow('not authorized');
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
  });

  it('a distribution config without an ETag fails the step without an update', async () => {
    fakeSsm('Success');
    cf.on(GetDistributionConfigCommand).resolves({ DistributionConfig: distribution(CURRENT_VALUE) });
    await expect(handler(event('setSecret'))).rejects.toMatchObject({
      name: 'OriginHeaderError',
      message: `GetDistributionConfig of ${DISTRIBUTION_ID} returned no config or no ETag`,
    });
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
    cf.reset();
    // A config with no origins at all: nothing sends the header, said in those words (not a TypeError).
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: {} as never });
    await expect(handler(event('setSecret'))).rejects.toThrow(`no origin of distribution ${DISTRIBUTION_ID} sends the header x-origin-verify: nothing to rotate into`);
    cf.reset();
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1' });
    await expect(handler(event('setSecret'))).rejects.toThrow(`GetDistributionConfig of ${DISTRIBUTION_ID} returned no config or no ETag`);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
  });

  it.each([
    ['spaces and quotes', 'has spaces and "quotes" that nginx refuses'],
    ['a refused character before 32 good ones', ` ${PENDING_VALUE}`],
    ['a refused character after 32 good ones', `${PENDING_VALUE};`],
    ['31 characters', PENDING_VALUE.slice(0, 31)],
    ['1025 characters', 'a'.repeat(1025)],
  ])('refuses a pending value nginx would not accept (%s), before refreshing the host', async (_case, value) => {
    state = pendingState(value);
    await expect(handler(event('setSecret'))).rejects.toMatchObject({
      name: 'PendingValueError',
      message: 'pending origin-verify value is not 32-1024 characters of [A-Za-z0-9_-+/=.~]: the host would refuse it',
    });
    expect(ssm.calls()).toHaveLength(0);
    expect(cf.calls()).toHaveLength(0);
  });

  it.each([
    ['32 characters', PENDING_VALUE.slice(0, 32)],
    ['1024 characters of every accepted kind', 'aZ09_-+/=.~'.repeat(94).slice(0, 1024)],
  ])('accepts a pending value nginx accepts (%s)', async (_case, value) => {
    state = pendingState(value);
    fakeSsm('Success');
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE) });
    cf.on(UpdateDistributionCommand).resolves({ ETag: 'ETAG-2' });
    await handler(event('setSecret'));
    expect(cf.commandCalls(UpdateDistributionCommand)[0]!.args[0].input.DistributionConfig).toEqual(expectedUpdate(distribution(CURRENT_VALUE), value));
  });

  it('throws when the pending version has no value (createSecret did not run)', async () => {
    state = pendingState(null);
    await expect(handler(event('setSecret'))).rejects.toThrow(`secret version ${TOKEN} of ${SECRET_ARN} has no AWSPENDING value`);
    expect(ssm.calls()).toHaveLength(0);
  });
});

describe('origin-verify testSecret', () => {
  it('passes when every origin with the header sends the pending value', async () => {
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(PENDING_VALUE) });
    await handler(event('testSecret'));
    expect(cf.commandCalls(GetDistributionConfigCommand)[0]!.args[0].input).toEqual({ Id: DISTRIBUTION_ID });
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    expect(lines('log')).toEqual([expect.objectContaining({ step: 'testSecret', outcome: 'distribution-sends-pending', origins: 2 })]);
  });

  it('throws naming the origins that still send another value', async () => {
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(PENDING_VALUE, CURRENT_VALUE) });
    await expect(handler(event('testSecret'))).rejects.toThrow(
      `distribution ${DISTRIBUTION_ID} does not send the pending value in x-origin-verify from origin(s) gateway-ws`,
    );
  });

  it('throws when no origin sends the header', async () => {
    const config = distribution(PENDING_VALUE);
    for (const origin of config.Origins!.Items!) origin.CustomHeaders = { Quantity: 0 };
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: config });
    await expect(handler(event('testSecret'))).rejects.toThrow(`no origin of distribution ${DISTRIBUTION_ID} sends the header x-origin-verify`);
  });
});

describe('origin-verify testSecret of a real rotation stays strict', () => {
  it('throws when the distribution still sends the current value after setSecret', async () => {
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE) });
    await expect(handler(event('testSecret'))).rejects.toThrow(
      `distribution ${DISTRIBUTION_ID} does not send the pending value in x-origin-verify from origin(s) gateway, gateway-ws`,
    );
  });

  it('throws when the distribution sends a third value (neither pending nor current)', async () => {
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(THIRD_VALUE) });
    await expect(handler(event('testSecret'))).rejects.toThrow(
      `distribution ${DISTRIBUTION_ID} does not send the pending value in x-origin-verify from origin(s) gateway, gateway-ws`,
    );
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
  });
});

/**
 * Secrets Manager's test of the rotation configuration (RotateSecret with
 * RotateImmediately false: the RotationSchedule of a deploy): it creates an
 * AWSPENDING version of its own, runs only testSecret, then removes the
 * version. AWS does not document the temporary version's value: each shape.
 */
const CONFIG_TEST_TOKEN = 'cccccccc-dddd-eeee-ffff-000000000000';
const CONFIG_TEST_SHAPES = {
  'a copy of AWSCURRENT': () => CURRENT_VALUE,
  'a fresh random value (other length, punctuation)': () => 'Fr3sh!Rand0m#Value$With%Punct&32',
  'no value': () => undefined,
} as const;

async function configurationTest(shape: keyof typeof CONFIG_TEST_SHAPES): Promise<void> {
  const value = CONFIG_TEST_SHAPES[shape]();
  state.stages[CONFIG_TEST_TOKEN] = ['AWSPENDING'];
  if (value !== undefined) state.values[CONFIG_TEST_TOKEN] = value;
  try {
    await handler(event('testSecret', CONFIG_TEST_TOKEN));
  } finally {
    delete state.stages[CONFIG_TEST_TOKEN];
    delete state.values[CONFIG_TEST_TOKEN];
  }
}

/** Before any rotation (the secret as CloudFormation created it), and after one (the label on AWSCURRENT, a previous version). */
const SECRET_STATES = {
  'a new secret': (): SecretState => ({ rotationEnabled: true, stages: { [CURRENT_VERSION]: ['AWSCURRENT'] }, values: { [CURRENT_VERSION]: CURRENT_VALUE } }),
  'a rotated secret': (): SecretState => ({
    rotationEnabled: true,
    stages: { [CURRENT_VERSION]: ['AWSCURRENT', ROTATION_LABEL], [TOKEN]: ['AWSPREVIOUS'] },
    values: { [CURRENT_VERSION]: CURRENT_VALUE, [TOKEN]: PENDING_VALUE },
  }),
} as const;

const CASES = Object.keys(SECRET_STATES).flatMap((secret) =>
  Object.keys(CONFIG_TEST_SHAPES).map((shape) => [secret, shape] as [keyof typeof SECRET_STATES, keyof typeof CONFIG_TEST_SHAPES]),
);

describe('Secrets Manager\'s configuration test (testSecret alone, its own AWSPENDING version)', () => {
  const expectNothingChanged = (before: SecretState) => {
    expect(state).toEqual(before);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    expect(sm.commandCalls(GetRandomPasswordCommand)).toHaveLength(0);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
  };

  it.each(CASES)('origin-verify, %s, pending version holding %s: passes, reads the secret and the distribution, changes nothing', async (secret, shape) => {
    state = SECRET_STATES[secret]();
    const before = structuredClone(state);
    const config = distribution(CURRENT_VALUE);
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: config });
    await configurationTest(shape);
    expectNothingChanged(before);
    expect(cf.commandCalls(GetDistributionConfigCommand).map((c) => c.args[0].input)).toEqual([{ Id: DISTRIBUTION_ID }]);
    expect(config).toEqual(distribution(CURRENT_VALUE));
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toContainEqual({ SecretId: SECRET_ARN, VersionId: CURRENT_VERSION, VersionStage: 'AWSCURRENT' });
    expect(lines('log')).toEqual([
      expect.objectContaining({ step: 'testSecret', outcome: 'configuration-test-passed', origins: 2, pendingVersion: shape === 'no value' ? 'no-value' : 'value' }),
    ]);
  });

  it.each(CASES)('gateway-token, %s, pending version holding %s: passes, reads the secret, changes nothing', async (secret, shape) => {
    setEnv(GATEWAY_TOKEN_ENV);
    state = SECRET_STATES[secret]();
    const before = structuredClone(state);
    await configurationTest(shape);
    expectNothingChanged(before);
    expect(cf.calls()).toHaveLength(0);
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toContainEqual({ SecretId: SECRET_ARN, VersionId: CURRENT_VERSION, VersionStage: 'AWSCURRENT' });
    expect(lines('log')).toEqual([
      expect.objectContaining({ step: 'testSecret', outcome: 'configuration-test-passed', pendingVersion: shape === 'no value' ? 'no-value' : 'value' }),
    ]);
  });

  it.each(Object.keys(CONFIG_TEST_SHAPES) as (keyof typeof CONFIG_TEST_SHAPES)[])(
    'origin-verify, pending version holding %s: fails when an origin sends neither the current nor the test\'s pending value',
    async (shape) => {
      state = SECRET_STATES['a new secret']();
      cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE, THIRD_VALUE) });
      await expect(configurationTest(shape)).rejects.toThrow(
        new Error(`distribution ${DISTRIBUTION_ID} sends neither the current nor the pending value in x-origin-verify from origin(s) gateway-ws`),
      );
    },
  );

  it('origin-verify: names every origin that sends neither value', async () => {
    state = SECRET_STATES['a new secret']();
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(THIRD_VALUE) });
    await expect(configurationTest('no value')).rejects.toThrow(
      new Error(`distribution ${DISTRIBUTION_ID} sends neither the current nor the pending value in x-origin-verify from origin(s) gateway, gateway-ws`),
    );
  });

  it('origin-verify: passes when an origin sends the test\'s own pending value and the other the current one', async () => {
    state = SECRET_STATES['a new secret']();
    const pending = CONFIG_TEST_SHAPES['a fresh random value (other length, punctuation)']();
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE, pending) });
    await configurationTest('a fresh random value (other length, punctuation)');
    expect(lines('log')).toEqual([expect.objectContaining({ outcome: 'configuration-test-passed', origins: 2, pendingVersion: 'value' })]);
    logged.length = 0;
    // Without a pending value the same distribution fails: only what the secret holds is accepted.
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(pending, CURRENT_VALUE) });
    await expect(configurationTest('no value')).rejects.toThrow(
      new Error(`distribution ${DISTRIBUTION_ID} sends neither the current nor the pending value in x-origin-verify from origin(s) gateway`),
    );
  });

  it('origin-verify: fails when no origin sends the header', async () => {
    state = SECRET_STATES['a new secret']();
    const config = distribution(CURRENT_VALUE);
    for (const origin of config.Origins!.Items!) origin.CustomHeaders = { Quantity: 0 };
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: config });
    await expect(configurationTest('no value')).rejects.toThrow(`no origin of distribution ${DISTRIBUTION_ID} sends the header x-origin-verify`);
  });

  it.each([['origin-verify', ORIGIN_VERIFY_ENV], ['gateway-token', GATEWAY_TOKEN_ENV]])('%s: fails when the function cannot read the secret', async (_kind, env) => {
    setEnv(env);
    state = SECRET_STATES['a new secret']();
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE) });
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('User is not authorized to perform secretsmanager:GetSecretValue'), { name: 'AccessDeniedException' }));
    await expect(configurationTest('no value')).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('origin-verify finishSecret', () => {
  it('moves AWSCURRENT to the token, then sends a refresh to the host without waiting for it', async () => {
    fakeSsm('InProgress');
    await handler(event('finishSecret'));
    expect(sm.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: CURRENT_VERSION },
    ]);
    expect(ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input)).toEqual([
      { DocumentName: DOCUMENT, InstanceIds: [INSTANCE], Comment: 'secret rotation: origin-verify finishSecret' },
    ]);
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(0);
    expect(cf.calls()).toHaveLength(0);
    expect(lines('log')).toEqual([
      expect.objectContaining({ step: 'finishSecret', outcome: 'promoted', previousVersion: CURRENT_VERSION, refreshCommandId: COMMAND_ID }),
    ]);
  });

  it('still succeeds when the refresh cannot be sent, with a warning', async () => {
    ssm.on(SendCommandCommand).rejects(new InvalidInstanceId({ message: 'instance stopped', $metadata: {} }));
    await handler(event('finishSecret'));
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
    expect(lines('warn')).toEqual([
      expect.objectContaining({
        step: 'finishSecret',
        outcome: 'host-refresh-not-sent',
        error: `host refresh could not be sent to instance ${INSTANCE} (eu-west-1), document ${DOCUMENT}: InvalidInstanceId: instance stopped`,
        note: 'the host keeps accepting the new and the previous value; its map is tidied at its next refresh timer or boot',
      }),
    ]);
    expect(lines('log')).toEqual([expect.objectContaining({ outcome: 'promoted', hostRefresh: 'not-sent' })]);
  });
});

describe('gateway-token', () => {
  beforeEach(() => setEnv(GATEWAY_TOKEN_ENV));

  it('setSecret sets nothing anywhere', async () => {
    await handler(event('setSecret'));
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeSecretCommand']);
    expect(cf.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    expect(lines('log')).toEqual([
      expect.objectContaining({ step: 'setSecret', kind: 'gateway-token', outcome: 'nothing-to-set', note: 'the host reads the token once it is AWSCURRENT (finishSecret)' }),
    ]);
  });

  it('testSecret passes for a pending token of the expected length and characters', async () => {
    await handler(event('testSecret'));
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' });
    expect(lines('log')).toEqual([expect.objectContaining({ outcome: 'pending-token-well-formed' })]);
    expect(cf.calls()).toHaveLength(0);
  });

  it.each([
    ['empty', '', 'pending gateway token has 0 characters, expected 48'],
    ['too short', 'abc123', 'pending gateway token has 6 characters, expected 48'],
    ['punctuation', `${PENDING_VALUE.slice(0, 47)}!`, 'pending gateway token has characters other than letters and digits'],
    ['leading punctuation', `!${PENDING_VALUE.slice(0, 47)}`, 'pending gateway token has characters other than letters and digits'],
  ])('testSecret throws for a %s pending token', async (_case, value, message) => {
    state = pendingState(value);
    await expect(handler(event('testSecret'))).rejects.toMatchObject({ name: 'PendingValueError', message });
  });

  it('testSecret honours VALUE_LENGTH', async () => {
    setEnv({ ...GATEWAY_TOKEN_ENV, VALUE_LENGTH: '64' });
    await expect(handler(event('testSecret'))).rejects.toThrow('pending gateway token has 48 characters, expected 64');
  });

  it('finishSecret moves AWSCURRENT, then refreshes the host and waits for Success', async () => {
    const regions = fakeSsm('InProgress', 'Success');
    await handler(event('finishSecret'));
    expect(sm.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: CURRENT_VERSION },
    ]);
    expect(ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input)).toEqual([
      { DocumentName: DOCUMENT, InstanceIds: [INSTANCE], Comment: 'secret rotation: gateway-token finishSecret' },
    ]);
    expect(regions).toEqual(['eu-west-1']);
    expect(ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(2);
    expect(lines('warn')).toEqual([]);
    expect(lines('log')).toEqual([expect.objectContaining({ outcome: 'promoted', hostRefresh: 'succeeded', refreshCommandId: COMMAND_ID })]);
  });

  const where = `instance ${INSTANCE} (eu-west-1), document ${DOCUMENT}`;
  it.each([
    ['fails', () => void fakeSsm('Failed'), `host refresh command ${COMMAND_ID} on ${where} ended Failed (Failed, exit code 1); see its output in Systems Manager Run Command`],
    [
      'never finishes',
      () => {
        setEnv({ ...GATEWAY_TOKEN_ENV, ...SHORT_WAIT });
        fakeSsm('InProgress');
      },
      `host refresh command ${COMMAND_ID} on ${where} did not succeed within 40 ms (last status: InProgress)`,
    ],
    [
      'cannot be sent',
      () => void ssm.on(SendCommandCommand).rejects(new InvalidInstanceId({ message: 'instance stopped', $metadata: {} })),
      `host refresh could not be sent to ${where}: InvalidInstanceId: instance stopped`,
    ],
  ])('finishSecret succeeds with a warning when the host refresh %s', async (_case, arrange, error) => {
    arrange();
    await handler(event('finishSecret'));
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
    const warnings = lines('warn');
    expect(warnings).toEqual([expect.objectContaining({ step: 'finishSecret', kind: 'gateway-token', outcome: 'host-refresh-failed' })]);
    expect(warnings[0]!.note).toBe('the token is rotated; the host picks the new token up at its next refresh timer or boot');
    expect(warnings[0]!.error).toBe(error);
    expect(lines('log')).toEqual([expect.objectContaining({ outcome: 'promoted', hostRefresh: 'failed' })]);
  });
});

describe('event checks (every step)', () => {
  const steps = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

  it.each(steps)('%s: throws when rotation is not enabled, and does nothing else', async (step) => {
    state.rotationEnabled = false;
    await expect(handler(event(step))).rejects.toThrow(`secret ${SECRET_ARN} is not enabled for rotation`);
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeSecretCommand']);
    expect(cf.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
  });

  it.each(steps)('%s: throws for a token that is not a version of the secret', async (step) => {
    await expect(handler(event(step, 'not-a-version'))).rejects.toThrow(`secret version not-a-version has no stage for rotation of secret ${SECRET_ARN}`);
    expect(sm.calls()).toHaveLength(1);
    expect(cf.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
  });

  it.each(steps)('%s: throws for a version that is not AWSPENDING', async (step) => {
    state.stages = { [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPREVIOUS'] };
    await expect(handler(event(step))).rejects.toThrow(`secret version ${TOKEN} is not AWSPENDING for rotation of secret ${SECRET_ARN}`);
    expect(sm.calls()).toHaveLength(1);
    expect(ssm.calls()).toHaveLength(0);
  });

  it.each(steps)('%s: does nothing when the version is already AWSCURRENT', async (step) => {
    state.stages = { [TOKEN]: ['AWSCURRENT', 'AWSPENDING'], [CURRENT_VERSION]: ['AWSPREVIOUS'] };
    await handler(event(step));
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeSecretCommand']);
    expect(cf.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    expect(lines('log')).toEqual([expect.objectContaining({ step, outcome: 'already-current' })]);
  });

  it('throws for an unknown step', async () => {
    const bad = { ...event('setSecret'), Step: 'rotateEverything' } as unknown as SecretsManagerRotationEvent;
    await expect(handler(bad)).rejects.toThrow('rotation event has an unknown Step "rotateEverything"');
    expect(sm.calls()).toHaveLength(0);
  });

  it.each(['SecretId', 'ClientRequestToken', 'Step'])('throws for an event with an empty %s, before any AWS call', async (key) => {
    const bad = { ...event('setSecret'), [key]: '' } as unknown as SecretsManagerRotationEvent;
    await expect(handler(bad)).rejects.toThrow(`rotation event has no ${key}`);
    expect(sm.calls()).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    expect(cf.calls()).toHaveLength(0);
  });

  it('logs a context field that is not a string, and an unset KIND, as "invalid"', async () => {
    setEnv({ ...ORIGIN_VERIFY_ENV, KIND: '' });
    delete process.env.KIND;
    const bad = { SecretId: 42, ClientRequestToken: TOKEN } as unknown as SecretsManagerRotationEvent;
    await expect(handler(bad)).rejects.toThrow('rotation event has no SecretId');
    expect(lines()).toEqual([
      { level: 'error', step: 'invalid', kind: 'invalid', secretArn: 'invalid', token: TOKEN, outcome: 'failed', error: 'RotationEventError: rotation event has no SecretId' },
    ]);
  });

  it.each(['SecretId', 'ClientRequestToken', 'Step'])('throws for an event without %s', async (key) => {
    const bad = { ...event('setSecret'), [key]: undefined } as unknown as SecretsManagerRotationEvent;
    await expect(handler(bad)).rejects.toThrow(`rotation event has no ${key}`);
    expect(sm.calls()).toHaveLength(0);
  });
});

describe('logging', () => {
  it('writes one JSON line per step with step, kind, secret ARN, token and outcome', async () => {
    state = pendingState(null);
    fakeSsm('Success');
    await handler(event('createSecret'));
    state.values[TOKEN] = GENERATED_VALUE;
    cf.on(GetDistributionConfigCommand)
      .resolvesOnce({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE) })
      .resolves({ ETag: 'ETAG-2', DistributionConfig: distribution(GENERATED_VALUE) });
    cf.on(UpdateDistributionCommand).resolves({ ETag: 'ETAG-2' });
    await handler(event('setSecret'));
    await handler(event('testSecret'));
    await handler(event('finishSecret'));
    expect(logged.map((l) => l.level)).toEqual(['log', 'log', 'log', 'log']);
    expect(lines().map(({ level, step, kind, secretArn, token, outcome }) => ({ level, step, kind, secretArn, token, outcome }))).toEqual([
      { level: 'info', step: 'createSecret', kind: 'origin-verify', secretArn: SECRET_ARN, token: TOKEN, outcome: 'created' },
      { level: 'info', step: 'setSecret', kind: 'origin-verify', secretArn: SECRET_ARN, token: TOKEN, outcome: 'host-refreshed-distribution-updated' },
      { level: 'info', step: 'testSecret', kind: 'origin-verify', secretArn: SECRET_ARN, token: TOKEN, outcome: 'distribution-sends-pending' },
      { level: 'info', step: 'finishSecret', kind: 'origin-verify', secretArn: SECRET_ARN, token: TOKEN, outcome: 'promoted' },
    ]);
  });

  it('writes one error line for a failed step, naming the error', async () => {
    state.rotationEnabled = false;
    await expect(handler(event('testSecret'))).rejects.toThrow();
    expect(lines('error')).toEqual([
      expect.objectContaining({ level: 'error', step: 'testSecret', outcome: 'failed', error: `RotationEventError: secret ${SECRET_ARN} is not enabled for rotation` }),
    ]);
  });
});

describe('no secret value in any log line or error', () => {
  const SECRETS = [CURRENT_VALUE, PENDING_VALUE, GENERATED_VALUE, OTHER_HEADER_VALUE, THIRD_VALUE, CONFIG_TEST_SHAPES['a fresh random value (other length, punctuation)']()];

  /** Runs `fn`, keeping what it throws. */
  async function settle(fn: () => Promise<void>): Promise<string[]> {
    try {
      await fn();
      return [];
    } catch (err) {
      const e = err as Error;
      return [e.name, e.message, e.stack ?? ''];
    }
  }

  it('across every step of both kinds, their failures, and SDK errors that quote a value', async () => {
    const thrown: string[] = [];
    const run = async (step: SecretsManagerRotationEvent['Step']) => thrown.push(...(await settle(() => handler(event(step)))));

    // origin-verify, the whole rotation.
    state = pendingState(null);
    sm.on(GetRandomPasswordCommand).resolves({ RandomPassword: PENDING_VALUE });
    fakeSsm('Success');
    cf.on(GetDistributionConfigCommand)
      .resolvesOnce({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE) })
      .resolves({ ETag: 'ETAG-2', DistributionConfig: distribution(PENDING_VALUE) });
    cf.on(UpdateDistributionCommand).resolves({ ETag: 'ETAG-2' });
    await run('createSecret');
    state.values[TOKEN] = PENDING_VALUE;
    await run('createSecret');
    await run('setSecret');
    await run('testSecret');
    await run('finishSecret');

    // origin-verify failures: a mismatch, and SDK errors quoting the pending and the current value.
    state = pendingState();
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE) });
    await run('testSecret');
    cf.on(UpdateDistributionCommand).rejects(
      Object.assign(new Error(`The parameter HeaderValue ${PENDING_VALUE} replacing ${CURRENT_VALUE} is invalid`), { name: 'InvalidArgument' }),
    );
    await run('setSecret');
    ssm.on(SendCommandCommand).rejects(new Error(`document refused parameter ${PENDING_VALUE}`));
    await run('setSecret');
    ssm.on(SendCommandCommand).rejects(new InvalidInstanceId({ message: 'instance stopped', $metadata: {} }));
    await run('finishSecret');

    // gateway-token, the whole rotation and its failures.
    setEnv(GATEWAY_TOKEN_ENV);
    state = pendingState(null);
    fakeSsm('Failed');
    await run('createSecret');
    state.values[TOKEN] = PENDING_VALUE;
    await run('setSecret');
    await run('testSecret');
    await run('finishSecret');
    state = pendingState(`${PENDING_VALUE}!`);
    await run('testSecret');

    // Secrets Manager's configuration test, passing and failing (a third header value), both kinds.
    for (const env of [ORIGIN_VERIFY_ENV, GATEWAY_TOKEN_ENV]) {
      setEnv(env);
      for (const [third, shape] of [[false, 'a fresh random value (other length, punctuation)'], [true, 'a fresh random value (other length, punctuation)'], [true, 'a copy of AWSCURRENT']] as const) {
        state = { rotationEnabled: true, stages: { [CURRENT_VERSION]: ['AWSCURRENT'] }, values: { [CURRENT_VERSION]: CURRENT_VALUE } };
        cf.on(GetDistributionConfigCommand).resolves({ ETag: 'ETAG-1', DistributionConfig: distribution(CURRENT_VALUE, third ? THIRD_VALUE : CURRENT_VALUE) });
        thrown.push(...(await settle(() => configurationTest(shape))));
      }
    }
    expect(logged.some((l) => l.text.includes('configuration-test-passed'))).toBe(true);
    expect(thrown.join('\n')).toContain('sends neither the current nor the pending value');

    expect(thrown.length).toBeGreaterThan(0);
    expect(logged.length).toBeGreaterThan(15);
    expect(logged.some((l) => l.level === 'warn')).toBe(true);
    expect(logged.some((l) => l.level === 'error')).toBe(true);
    for (const text of [...logged.map((l) => l.text), ...thrown]) {
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }
    // The scrubbing is what kept them out: the SDK errors' text survives around a marker.
    expect(logged.map((l) => l.text).join('\n')).toContain('The parameter HeaderValue [REDACTED] replacing [REDACTED] is invalid');
    expect(thrown).toContain('The parameter HeaderValue [REDACTED] replacing [REDACTED] is invalid');
  });
});

describe('Secrets Manager reads and writes', () => {
  const BYTES = new Uint8Array([0x6f, 0x63, 0x00, 0xff]);

  it('a pending version holding SecretBinary (no SecretString) fails the step, saying so, before the host is asked', async () => {
    fakeSsm('Success');
    state.values[TOKEN] = BYTES;
    await expect(handler(event('setSecret'))).rejects.toMatchObject({
      name: 'RotationEventError',
      message: `secret version ${TOKEN} of ${SECRET_ARN} holds no SecretString`,
    });
    expect(ssm.calls()).toHaveLength(0);
  });

  it('configuration test: an AWSCURRENT version holding SecretBinary fails, saying so', async () => {
    setEnv(GATEWAY_TOKEN_ENV);
    state = SECRET_STATES['a new secret']();
    state.values[CURRENT_VERSION] = BYTES;
    await expect(configurationTest('no value')).rejects.toMatchObject({
      name: 'RotationEventError',
      message: `the AWSCURRENT version of ${SECRET_ARN} holds no SecretString`,
    });
  });

  it('configuration test: a secret without an AWSCURRENT version (created without a value) fails, saying so', async () => {
    setEnv(GATEWAY_TOKEN_ENV);
    state = { rotationEnabled: true, stages: {}, values: {} };
    await expect(configurationTest('no value')).rejects.toMatchObject({ name: 'RotationEventError', message: `secret ${SECRET_ARN} has no AWSCURRENT version` });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('finishSecret of the first value of a secret created without one: AWSCURRENT moves to the token, removed from nothing', async () => {
    setEnv(GATEWAY_TOKEN_ENV);
    fakeSsm('Success');
    state = { rotationEnabled: true, stages: { [TOKEN]: ['AWSPENDING', ROTATION_LABEL] }, values: { [TOKEN]: PENDING_VALUE } };
    await handler(event('finishSecret'));
    expect(sm.commandCalls(UpdateSecretVersionStageCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: undefined },
    ]);
    expect(state.stages).toEqual({ [TOKEN]: ['AWSPENDING', ROTATION_LABEL, 'AWSCURRENT'] });
    expect(lines('log')).toEqual([expect.objectContaining({ outcome: 'promoted', hostRefresh: 'succeeded' })]);
    expect(lines('log')[0]).not.toHaveProperty('previousVersion');
  });

  it('createSecret: a GetRandomPassword answer without a value fails, putting nothing', async () => {
    state = pendingState(null);
    sm.on(GetRandomPasswordCommand).resolves({});
    await expect(handler(event('createSecret'))).rejects.toThrow(new Error('GetRandomPassword returned no value of 48 characters'));
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('createSecret: the generated value is kept out of a failed PutSecretValue\'s error and log line', async () => {
    state = pendingState(null);
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error(`Value ${GENERATED_VALUE} at 'secretString' failed to satisfy constraint`), { name: 'ValidationException' }));
    await expect(handler(event('createSecret'))).rejects.toThrow(new Error("Value [REDACTED] at 'secretString' failed to satisfy constraint"));
    expect(lines('error')).toEqual([expect.objectContaining({ error: "ValidationException: Value [REDACTED] at 'secretString' failed to satisfy constraint" })]);
  });

  it('configuration test: the current value is kept out of a later error and log line', async () => {
    setEnv(GATEWAY_TOKEN_ENV);
    state = SECRET_STATES['a new secret']();
    sm.on(GetSecretValueCommand).callsFake(async (input: { VersionId?: string }) => {
      if (input.VersionId === CURRENT_VERSION) return { ARN: SECRET_ARN, VersionId: CURRENT_VERSION, SecretString: CURRENT_VALUE };
      throw Object.assign(new Error(`decrypting next to ${CURRENT_VALUE} failed`), { name: 'DecryptionFailure' });
    });
    await expect(configurationTest('no value')).rejects.toThrow(new Error('decrypting next to [REDACTED] failed'));
    expect(lines('error')).toEqual([expect.objectContaining({ error: 'DecryptionFailure: decrypting next to [REDACTED] failed' })]);
  });
});
