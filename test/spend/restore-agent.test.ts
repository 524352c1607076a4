import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { gatewayInstanceId, restoreAgent, RESTORE_AGENT_CALLS, STACK_NAME_TAG } from '../../lib/spend/restore-agent';
import { exampleConfig } from '../host/support/host-tools';
import { describeInstances, describeInstancesFilters, type FakeInstance } from '../support/fake-aws/ec2-instances';
import { startFakeServer, type FakeAnswer, type ReceivedRequest } from '../support/fake-aws/server';
import { settlesWithin } from '../support/settles-within';

// `npm run restore -- --agent` (lib/spend/restore-agent.ts) in process, with the real AWS SDK
// against stand-in EC2 (query protocol, XML, filters applied and pages cut as EC2 does) and SSM
// (JSON 1.1) endpoints on loopback. The CLI around it is run for real in restore-agent-cli.test.ts.

const config = exampleConfig('dev');
const STACK = 'openclaw-example-dev-gateway';

type SsmAnswer = { body: unknown } | { error: string; message?: string };

let requests: ReceivedRequest[];
let instances: FakeInstance[];
let pageSize: number;
let sendAnswer: SsmAnswer;
/** What GetCommandInvocation answers, one per call; the last one repeats. */
let invocations: SsmAnswer[];
let server: Awaited<ReturnType<typeof startFakeServer>>;
let clients: { ec2: EC2Client; ssm: SSMClient };

const ssmAnswer = (a: SsmAnswer): FakeAnswer =>
  'error' in a
    ? { status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: a.error, message: a.message ?? a.error }) }
    : { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(a.body) };

beforeAll(async () => {
  server = await startFakeServer((req): FakeAnswer => {
    requests.push(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target === 'AmazonSSM.SendCommand') return ssmAnswer(sendAnswer);
    if (target === 'AmazonSSM.GetCommandInvocation') {
      // A wait that never ends fails the test instead of hanging it: no test here needs more than 61 polls.
      if (requests.filter((r) => r.headers['x-amz-target'] === target).length > 100) return ssmAnswer({ error: 'TestPollLimitExceeded', message: 'the restore polled more than 100 times' });
      return ssmAnswer(invocations.length > 1 ? invocations.shift()! : invocations[0]!);
    }
    if (req.body.toString('utf8').includes('Action=DescribeInstances')) return describeInstances(req.body.toString('utf8'), instances, pageSize);
    return { status: 400, headers: { 'content-type': 'application/json' }, body: '{"__type":"UnknownOperation"}' };
  });
  const common = { endpoint: server.endpoint, region: config.aws.region, credentials: { accessKeyId: 'test-access-key-id', secretAccessKey: 'test-secret-not-real' }, maxAttempts: 1 };
  clients = { ec2: new EC2Client(common), ssm: new SSMClient(common) };
});
afterAll(async () => {
  clients.ec2.destroy();
  clients.ssm.destroy();
  await server.close();
});
beforeEach(() => {
  requests = [];
  pageSize = Infinity;
  instances = [
    { id: 'i-0abc', stack: STACK, state: 'running' },
    { id: 'i-0old', stack: STACK, state: 'terminated' },
    { id: 'i-0going', stack: STACK, state: 'shutting-down' },
    { id: 'i-0acme', stack: 'openclaw-acme-dev-gateway', state: 'running' },
  ];
  sendAnswer = { body: { Command: { CommandId: 'cmd-1', Status: 'Pending' } } };
  invocations = [{ body: { CommandId: 'cmd-1', InstanceId: 'i-0abc', Status: 'Success', StandardOutputContent: 'restored\n', StandardErrorContent: '' } }];
});
afterEach(() => jest.restoreAllMocks());

const ec2Requests = () => requests.filter((r) => !r.headers['x-amz-target']).map((r) => r.body.toString('utf8'));
const ssmRequests = () => requests.filter((r) => r.headers['x-amz-target']).map((r): [string, Record<string, unknown>] => [String(r.headers['x-amz-target']), JSON.parse(r.body.toString('utf8')) as Record<string, unknown>]);
const request = (over: Partial<{ agent: string; reason: string; requestedBy: string }> = {}) => ({ agent: 'support', reason: 'reviewed the spend', requestedBy: 'oncall', ...over });
/** The fakes answer at once: a few polls end every case, so a short deadline ends a wait that would not (a mutant, a regression) fast. */
const FAST = { intervalMs: 1, timeoutMs: 300 };
// Every test here ends in well under a second; a wait that cannot end (a mutant of the loop) fails
// after 15 s instead of running into the test runner's minute.
jest.setTimeout(15_000);
/**
 * Each restore ends within 2.5 s here (the longest deadline is 300 ms, the default 2 minutes runs on
 * a fake clock): a wait that never ends (a sleep that never resolves) fails its test in 2.5 s, so
 * the few tests that poll add up to seconds, not to the mutation run's timeout. (Not 2 s: the
 * default-polling test fast-forwards every 2 s timer.)
 */
const bounded = <T>(p: Promise<T>): Promise<T> => settlesWithin(p, 2_500);

describe('gatewayInstanceId: the one live instance of the gateway stack', () => {
  test("filtered on CloudFormation's stack tag and the states of a host that exists", async () => {
    expect(await gatewayInstanceId(clients.ec2, config)).toBe('i-0abc');
    expect(ec2Requests().map((b) => new URLSearchParams(b).get('MaxResults'))).toEqual(['1000']); // paged, as AWS recommends
    expect(ec2Requests().map(describeInstancesFilters)).toEqual([
      [
        { name: `tag:${STACK_NAME_TAG}`, values: [STACK] },
        { name: 'instance-state-name', values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    ]);
    expect(STACK_NAME_TAG).toBe('aws:cloudformation:stack-name');
  });

  test.each<[string, FakeInstance['state']]>([
    ['pending', 'pending'],
    ['stopping', 'stopping'],
    ['stopped', 'stopped'],
  ])('a %s host is the host', async (_what, state) => {
    instances = [{ id: 'i-0new', stack: STACK, state }];
    expect(await gatewayInstanceId(clients.ec2, config)).toBe('i-0new');
  });

  test('every page is read: a second live host on the next page is seen', async () => {
    // EC2 may answer fewer than MaxResults with a NextToken: this fake answers one instance a page.
    pageSize = 1;
    instances = [
      { id: 'i-0abc', stack: STACK, state: 'running' },
      { id: 'i-0new', stack: STACK, state: 'pending' },
    ];
    await expect(gatewayInstanceId(clients.ec2, config)).rejects.toThrow(`${STACK} has 2 live EC2 instances (i-0abc, i-0new); expected 1 (deployed? being replaced?)`);
    expect(ec2Requests()).toHaveLength(2);
  });

  test('none: refused, naming the stack', async () => {
    instances = [{ id: 'i-0old', stack: STACK, state: 'terminated' }];
    await expect(gatewayInstanceId(clients.ec2, config)).rejects.toThrow(`${STACK} has 0 live EC2 instances (none); expected 1 (deployed? being replaced?)`);
  });
});

describe('restoreAgent', () => {
  test("sends the deployment's own document at $LATEST with the agent's gateway id to the host, and returns its result", async () => {
    invocations = [{ body: { CommandId: 'cmd-1', InstanceId: 'i-0abc', Status: 'Success', StandardOutputContent: 'out\n', StandardErrorContent: 'err\n' } }];
    expect(await bounded(restoreAgent(clients, config, request(), FAST))).toEqual({ gateway: 'support', instanceId: 'i-0abc', commandId: 'cmd-1', status: 'Success', output: 'out\nerr\n' });
    expect(ssmRequests()).toEqual([
      [
        'AmazonSSM.SendCommand',
        {
          DocumentName: 'openclaw-example-dev-restore-agent',
          DocumentVersion: '$LATEST',
          InstanceIds: ['i-0abc'],
          Parameters: { agent: ['support'] },
          Comment: 'restore support: reviewed the spend (oncall)',
        },
      ],
      ['AmazonSSM.GetCommandInvocation', { CommandId: 'cmd-1', InstanceId: 'i-0abc' }],
    ]);
    expect(RESTORE_AGENT_CALLS).toEqual(['ec2:DescribeInstances', 'ssm:SendCommand', 'ssm:GetCommandInvocation']);
  });

  test('the comment is cut at the 100 characters SSM allows, by character: never half of one', async () => {
    await bounded(restoreAgent(clients, config, request({ reason: 'r'.repeat(200) }), FAST));
    const comment = ssmRequests()[0]![1].Comment as string;
    expect(comment).toBe(`restore support: ${'r'.repeat(83)}`);
    expect(comment).toHaveLength(100);
    requests = [];
    await bounded(restoreAgent(clients, config, request({ reason: `${'r'.repeat(82)}\u{1F600}tail` }), FAST));
    expect(ssmRequests()[0]![1].Comment).toBe(`restore support: ${'r'.repeat(82)}\u{1F600}`);
  });

  test('an agent that is not in the config: refused before any call', async () => {
    await expect(bounded(restoreAgent(clients, config, request({ agent: 'nobody' }), FAST))).rejects.toThrow(/nobody/);
    expect(requests).toEqual([]);
  });

  test('no live host: refused before anything is sent', async () => {
    instances = [];
    await expect(bounded(restoreAgent(clients, config, request(), FAST))).rejects.toThrow(`${STACK} has 0 live EC2 instances (none)`);
    expect(ssmRequests()).toEqual([]);
  });

  test('SendCommand without a command id: an error, nothing polled', async () => {
    sendAnswer = { body: { Command: { Status: 'Pending' } } };
    await expect(bounded(restoreAgent(clients, config, request(), FAST))).rejects.toThrow('SendCommand returned no command id');
    sendAnswer = { body: {} };
    await expect(bounded(restoreAgent(clients, config, request(), FAST))).rejects.toThrow('SendCommand returned no command id');
    expect(ssmRequests().map(([t]) => t)).toEqual(['AmazonSSM.SendCommand', 'AmazonSSM.SendCommand']);
  });

  test('an invocation not there yet is waited for; InProgress is polled; a status-less answer keeps the last status', async () => {
    invocations = [
      { error: 'InvocationDoesNotExist' },
      { body: { CommandId: 'cmd-1', Status: 'InProgress', StandardOutputContent: 'half' } },
      { body: { CommandId: 'cmd-1', StandardOutputContent: 'more' } },
      { body: { CommandId: 'cmd-1', Status: 'Failed', StandardErrorContent: 'start failed\n' } },
    ];
    expect(await bounded(restoreAgent(clients, config, request(), FAST))).toMatchObject({ status: 'Failed', output: 'start failed\n' });
    expect(ssmRequests().filter(([t]) => t === 'AmazonSSM.GetCommandInvocation')).toHaveLength(4);
  });

  test.each(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Cancelling'])('%s ends the wait', async (status) => {
    invocations = [{ body: { CommandId: 'cmd-1', Status: status } }, { body: { CommandId: 'cmd-1', Status: 'Success', StandardOutputContent: 'later' } }];
    expect(await bounded(restoreAgent(clients, config, request(), FAST))).toEqual({ gateway: 'support', instanceId: 'i-0abc', commandId: 'cmd-1', status, output: '' });
    expect(ssmRequests().filter(([t]) => t === 'AmazonSSM.GetCommandInvocation')).toHaveLength(1);
  });

  test.each(['Pending', 'InProgress', 'Delayed'])('%s does not end the wait', async (status) => {
    invocations = [{ body: { CommandId: 'cmd-1', Status: status } }, { body: { CommandId: 'cmd-1', Status: 'Success' } }];
    expect(await bounded(restoreAgent(clients, config, request(), FAST))).toMatchObject({ status: 'Success' });
    expect(ssmRequests().filter(([t]) => t === 'AmazonSSM.GetCommandInvocation')).toHaveLength(2);
  });

  test('any other error of GetCommandInvocation is thrown, not waited out', async () => {
    invocations = [{ error: 'AccessDeniedException', message: 'not allowed' }];
    await expect(bounded(restoreAgent(clients, config, request(), FAST))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(ssmRequests().filter(([t]) => t === 'AmazonSSM.GetCommandInvocation')).toHaveLength(1);
  });

  test('at the deadline it stops and returns the last status seen (Pending when none came), polling every intervalMs in between', async () => {
    invocations = [{ body: { CommandId: 'cmd-1', Status: 'InProgress', StandardOutputContent: 'still going' } }];
    const t0 = Date.now();
    expect(await bounded(restoreAgent(clients, config, request(), { intervalMs: 40, timeoutMs: 200 }))).toMatchObject({ status: 'InProgress', output: 'still going' });
    const polls = ssmRequests().filter(([t]) => t === 'AmazonSSM.GetCommandInvocation').length;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(7); // at most one poll per 40 ms in 200 ms, and the last one
    requests = [];
    invocations = [{ error: 'InvocationDoesNotExist' }];
    expect(await bounded(restoreAgent(clients, config, request(), { intervalMs: 10, timeoutMs: 50 }))).toMatchObject({ status: 'Pending', output: '' });
  });

  test('by default it polls every 2 s for up to 2 minutes', async () => {
    invocations = [{ body: { CommandId: 'cmd-1', Status: 'InProgress' } }];
    // A clock that each 2 s wait moves on by 2 s: polls at 0, 2, ..., 120 s; the one at the deadline is the last (61).
    let clock = Date.now();
    const sleeps: number[] = [];
    const realSetTimeout = global.setTimeout;
    jest.spyOn(Date, 'now').mockImplementation(() => clock);
    jest.spyOn(global, 'setTimeout').mockImplementation(((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
      if (ms !== 2_000) return realSetTimeout(fn, ms, ...rest);
      sleeps.push(ms);
      clock += ms;
      return realSetTimeout(fn, 0, ...rest);
    }) as unknown as typeof setTimeout);
    expect(await bounded(restoreAgent(clients, config, request()))).toMatchObject({ status: 'InProgress' });
    expect(ssmRequests().filter(([t]) => t === 'AmazonSSM.GetCommandInvocation')).toHaveLength(61);
    expect(sleeps).toEqual(Array(60).fill(2_000));
  });
});
