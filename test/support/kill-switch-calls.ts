/**
 * The kill switch's real AWS calls: lambda/kill-switch's handler run in-process with the
 * environment a template gives it, against recording fakes (aws-sdk-client-mock) that answer
 * as AWS does for a healthy deployment (the instance running, no state recorded yet, the
 * distribution enabled). Every command the handler sends is recorded with its input and the
 * region of the client that sent it, so a test simulates the calls the code makes, with the
 * parameters it sends, instead of a list of calls the test picked.
 */
import { CloudFrontClient, GetDistributionConfigCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { AttachRolePolicyCommand, DetachRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/kill-switch';
import type { Call } from './request-context';

/** One command the handler sent. */
export interface RecordedCall {
  /** The IAM action: the service prefix and the command's name (ec2:StopInstances). */
  readonly action: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** The region of the client that sent it (its endpoint). */
  readonly region: string;
}

/** What one invocation returned, or the error it threw. */
export interface Invocation {
  readonly request: unknown;
  readonly summary?: unknown;
  readonly error?: string;
}

type Mock = ReturnType<typeof mockClient>;
type Input = Record<string, unknown>;

/**
 * Runs the handler once per request with `environment` as its process environment, and returns
 * the commands sent and each invocation's answer. The environment is restored afterwards.
 */
export async function recordKillSwitchCalls(
  environment: Readonly<Record<string, string>>,
  functionRegion: string,
  requests: readonly unknown[],
): Promise<{ calls: RecordedCall[]; invocations: Invocation[] }> {
  const calls: RecordedCall[] = [];
  const instances = new Map((environment.INSTANCE_IDS ?? '').split(',').filter(Boolean).map((id) => [id, 'running']));
  let parameter: string | undefined;
  let etag = 1;
  const mocks: Mock[] = [];
  const mock = (clientClass: unknown): Mock => {
    const m = mockClient(clientClass as never);
    mocks.push(m);
    return m;
  };
  /** Records the command, then answers with `answer(input)`. */
  const on = (m: Mock, prefix: string, command: { name: string }, answer: (input: Input) => unknown) =>
    m.on(command as never).callsFake(async (input: Input, getClient: () => { config: unknown }) => {
      const region = await (getClient().config as { region: () => Promise<string> }).region();
      calls.push({ action: `${prefix}:${command.name.replace(/Command$/, '')}`, input, region });
      return answer(input);
    });

  const ec2 = mock(EC2Client);
  on(ec2, 'ec2', DescribeInstancesCommand, (i) => ({
    Reservations: [{ Instances: (i.InstanceIds as string[]).filter((id) => instances.has(id)).map((id) => ({ InstanceId: id, State: { Name: instances.get(id) } })) }],
  }));
  on(ec2, 'ec2', StopInstancesCommand, (i) => {
    for (const id of i.InstanceIds as string[]) instances.set(id, 'stopped');
    return { StoppingInstances: [] };
  });
  on(ec2, 'ec2', StartInstancesCommand, (i) => {
    for (const id of i.InstanceIds as string[]) instances.set(id, 'running');
    return { StartingInstances: [] };
  });
  const cf = mock(CloudFrontClient);
  on(cf, 'cloudfront', GetDistributionConfigCommand, () => ({
    ETag: `E${etag}`,
    DistributionConfig: { CallerReference: 'ref', Comment: '', Enabled: true, Origins: { Quantity: 0, Items: [] }, DefaultCacheBehavior: { TargetOriginId: 'gateway', ViewerProtocolPolicy: 'https-only' } },
  }));
  on(cf, 'cloudfront', UpdateDistributionCommand, () => ({ ETag: `E${++etag}` }));
  const iam = mock(IAMClient);
  on(iam, 'iam', AttachRolePolicyCommand, () => ({}));
  on(iam, 'iam', DetachRolePolicyCommand, () => ({}));
  const ssm = mock(SSMClient);
  on(ssm, 'ssm', GetParameterCommand, (i) => {
    if (parameter === undefined) throw new ParameterNotFound({ message: `Parameter ${String(i.Name)} not found.`, $metadata: {} });
    return { Parameter: { Name: i.Name, Value: parameter } };
  });
  on(ssm, 'ssm', PutParameterCommand, (i) => {
    parameter = String(i.Value);
    return { Version: 1 };
  });
  on(mock(SNSClient), 'sns', PublishCommand, () => ({ MessageId: 'm-1' }));
  on(mock(CloudWatchClient), 'cloudwatch', PutMetricDataCommand, () => ({}));

  const saved = { ...process.env };
  const quiet = [jest.spyOn(console, 'log').mockImplementation(() => undefined), jest.spyOn(console, 'error').mockImplementation(() => undefined), jest.spyOn(console, 'warn').mockImplementation(() => undefined)];
  // The function's own region (its SSM and CloudWatch clients'), as Lambda sets it.
  process.env = { ...saved, ...environment, AWS_REGION: functionRegion };
  const invocations: Invocation[] = [];
  try {
    for (const request of requests) {
      try {
        invocations.push({ request, summary: await handler(request) });
      } catch (e) {
        invocations.push({ request, error: (e as Error).message });
      }
    }
  } finally {
    process.env = saved;
    for (const m of mocks) m.restore();
    for (const q of quiet) q.mockRestore();
  }
  return { calls, invocations };
}

/**
 * The call AWS authorizes for a recorded command: its action, the resource ARN its parameters
 * name (the service authorization reference's resource type for the action; "*" for actions
 * without one), the region of its endpoint and its parameters (from which request-context.ts
 * fills the action's own keys). A command this does not know fails: a new call of the kill switch
 * must be added here to be proven.
 */
export function callOfRecorded(c: RecordedCall, account: string): Call {
  const only = (list: unknown, what: string): string => {
    if (!Array.isArray(list) || list.length !== 1) throw new Error(`${c.action}: expected one ${what}, got ${JSON.stringify(list)}`);
    return String(list[0]);
  };
  const call = (resource: string): Call => ({ action: c.action, resource, region: c.region, parameters: c.input });
  switch (c.action) {
    case 'ec2:DescribeInstances':
    case 'cloudwatch:PutMetricData':
      return call('*');
    case 'ec2:StopInstances':
    case 'ec2:StartInstances':
      return call(`arn:aws:ec2:${c.region}:${account}:instance/${only(c.input.InstanceIds, 'instance id')}`);
    case 'iam:AttachRolePolicy':
    case 'iam:DetachRolePolicy':
      return call(`arn:aws:iam::${account}:role/${String(c.input.RoleName)}`);
    case 'ssm:GetParameter':
    case 'ssm:PutParameter': {
      const name = String(c.input.Name);
      return call(`arn:aws:ssm:${c.region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`);
    }
    case 'sns:Publish':
      return call(String(c.input.TopicArn));
    case 'cloudfront:GetDistributionConfig':
    case 'cloudfront:UpdateDistribution':
      return call(`arn:aws:cloudfront::${account}:distribution/${String(c.input.Id)}`);
    default:
      throw new Error(`${c.action}: a call of the kill switch that callOfRecorded does not know; add its resource here`);
  }
}
