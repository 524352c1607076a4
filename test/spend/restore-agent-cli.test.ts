import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { agentGateways } from '../../lib/openclaw/gateways';
import { RestoreAgentDocument, restoreAgentScript } from '../../lib/spend/restore-agent-document';
import { exampleConfig } from '../host/support/host-tools';
import { runAsync } from '../host-runtime/support/runtime-tools';
import { REPO_ROOT } from '../support/config-fixture';
import { describeInstances, type FakeInstance } from '../support/fake-aws/ec2-instances';
import { startFakeServer, type FakeAnswer, type ReceivedRequest } from '../support/fake-aws/server';

// npm run restore -- --agent <id>, run for real (tsx) against stand-in EC2 (query protocol, XML,
// filters applied as EC2 applies them) and SSM (JSON 1.1) endpoints on loopback: it finds the
// live gateway instance of the deployment's gateway stack by CloudFormation's stack tag, sends the deployment's own <name>-restore-agent document with the
// agent's gateway id, and waits for the command's result. And the document itself: its one
// parameter admits exactly the deployment's gateway ids.

const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const SCRIPT = path.join(REPO_ROOT, 'scripts', 'kill-switch.ts');

let requests: ReceivedRequest[];
let invocation: { Status: string; StandardOutputContent: string };
let server: Awaited<ReturnType<typeof startFakeServer>>;

let instances: FakeInstance[];
beforeAll(async () => {
  server = await startFakeServer((req): FakeAnswer => {
    requests.push(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const json = (body: unknown): FakeAnswer => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });
    if (target === 'AmazonSSM.SendCommand') return json({ Command: { CommandId: 'cmd-1', Status: 'Pending' } });
    if (target === 'AmazonSSM.GetCommandInvocation') return json({ CommandId: 'cmd-1', InstanceId: 'i-0abc', ...invocation });
    if (req.body.toString('utf8').includes('Action=DescribeInstances')) return describeInstances(req.body.toString('utf8'), instances);
    return { status: 400, headers: { 'content-type': 'application/json' }, body: '{"__type":"UnknownOperation"}' };
  });
});
afterAll(() => server.close());
beforeEach(() => {
  requests = [];
  // The host, a replaced one still listed as terminated, and another client's host in the same account.
  instances = [
    { id: 'i-0abc', stack: 'openclaw-example-dev-gateway', state: 'running' },
    { id: 'i-0old', stack: 'openclaw-example-dev-gateway', state: 'terminated' },
    { id: 'i-0acme', stack: 'openclaw-acme-dev-gateway', state: 'running' },
  ];
  invocation = { Status: 'Success', StandardOutputContent: 'restore-agent: gateway support restored (it had tripped: model-daily-usd; ...)\n' };
});

const run = (args: string[]) =>
  runAsync(TSX, [SCRIPT, '--action', 'restore', '--client', 'example', '--env', 'dev', '--requested-by', 'oncall', ...args], {
    cwd: REPO_ROOT,
    timeoutMs: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL_EC2: server.endpoint,
      AWS_ENDPOINT_URL_SSM: server.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: server.endpoint,
      AWS_ACCESS_KEY_ID: 'test-access-key-id',
      AWS_SECRET_ACCESS_KEY: 'test-secret-not-real',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });

const ssmCalls = () => requests.filter((q) => q.headers['x-amz-target']).map((q) => [q.headers['x-amz-target'], JSON.parse(q.body.toString('utf8'))]);

test('restore --agent support: the gateway stack\'s instance, the restore-agent document with agent=support, its result printed', async () => {
  const r = await run(['--agent', 'support', '--reason', 'reviewed the tool loop']);
  expect(r.code).toBe(0);
  const ec2 = requests.filter((q) => !q.headers['x-amz-target']).map((q) => Object.fromEntries(new URLSearchParams(q.body.toString('utf8'))));
  expect(ec2.map((q) => [q.Action, q['Filter.1.Name'], q['Filter.1.Value.1']])).toEqual([['DescribeInstances', 'tag:aws:cloudformation:stack-name', 'openclaw-example-dev-gateway']]);
  expect(ssmCalls()).toEqual([
    [
      'AmazonSSM.SendCommand',
      { DocumentName: 'openclaw-example-dev-restore-agent', DocumentVersion: '$LATEST', InstanceIds: ['i-0abc'], Parameters: { agent: ['support'] }, Comment: 'restore support: reviewed the tool loop (oncall)' },
    ],
    ['AmazonSSM.GetCommandInvocation', { CommandId: 'cmd-1', InstanceId: 'i-0abc' }],
  ]);
  expect(JSON.parse(r.stdout)).toMatchObject({ gateway: 'support', instanceId: 'i-0abc', commandId: 'cmd-1', status: 'Success' });
  // No kill switch invoked: only that agent's gateway.
  expect(requests.filter((q) => q.url.includes('/functions/'))).toEqual([]);
});

test('a command that failed on the host exits 1 with its output; an unknown agent, kill --agent or no reason are refused before any call', async () => {
  invocation = { Status: 'Failed', StandardOutputContent: "restore-agent: no gateway 'x'" };
  const failed = await run(['--agent', 'ops', '--reason', 'x']);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain("the restore of gateway ops ended Failed: restore-agent: no gateway 'x'");
  requests = [];
  const unknown = await run(['--agent', 'nobody', '--reason', 'x']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('no agent "nobody" in openclaw.agents of example/dev');
  expect(requests).toEqual([]);
  const kill = await runAsync(TSX, [SCRIPT, '--action', 'kill', '--client', 'example', '--env', 'dev', '--agent', 'ops', '--reason', 'x'], { cwd: REPO_ROOT, timeoutMs: 60_000, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  expect(kill.code).toBe(2);
  expect((await run(['--agent', 'ops'])).code).toBe(2);
});

test('two live instances in the gateway stack (a replacement under way): refused, nothing sent; none: refused too', async () => {
  instances = [...instances, { id: 'i-0def', stack: 'openclaw-example-dev-gateway', state: 'pending' }];
  const r = await run(['--agent', 'ops', '--reason', 'x']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('openclaw-example-dev-gateway has 2 live EC2 instances (i-0abc, i-0def); expected 1');
  expect(ssmCalls()).toEqual([]);
  instances = instances.filter((i) => i.stack !== 'openclaw-example-dev-gateway' || i.state === 'terminated');
  const none = await run(['--agent', 'ops', '--reason', 'x']);
  expect(none.code).toBe(1);
  expect(none.stderr).toContain('openclaw-example-dev-gateway has 0 live EC2 instances (none); expected 1');
});

test('the document: one parameter whose allowedPattern admits exactly the example\'s gateway ids, and the fixed script', () => {
  const config = exampleConfig('dev');
  const ids = agentGateways(config).map((g) => g.id);
  const stack = new Stack(new App(), 'T');
  new RestoreAgentDocument(stack, 'Restore', { deploymentName: 'openclaw-example-dev', gatewayIds: ids });
  const docs = Object.values(Template.fromStack(stack).findResources('AWS::SSM::Document')) as { Properties: { Name: string; DocumentType: string; Content: { parameters: Record<string, { type: string; allowedPattern: string }>; mainSteps: { action: string; inputs: { runCommand: string[] } }[] } } }[];
  expect(docs).toHaveLength(1);
  const p = docs[0]!.Properties;
  expect({ name: p.Name, type: p.DocumentType }).toEqual({ name: 'openclaw-example-dev-restore-agent', type: 'Command' });
  expect((p.Content as unknown as { description: string }).description).toBe(
    "Restore one agent's gateway of openclaw-example-dev after its breaker stopped it: remove its breaker marker and start its unit",
  );
  expect(p.Content.parameters).toEqual({ agent: { type: 'String', description: 'The gateway to restore: ops, support', allowedPattern: '^(ops|support)$' } });
  const re = new RegExp(p.Content.parameters.agent!.allowedPattern);
  // SSM pastes the value into the script text: the pattern is what keeps quotes and other shell syntax out.
  expect(['ops', 'support', 'opsx', 'xops', 'ops\n', 'support;id', '', 'ops|support', "ops'", "ops'; id; '", 'ops$(id)', 'ops`id`'].filter((v) => re.test(v))).toEqual([
    'ops',
    'support',
  ]);
  expect(p.Content.mainSteps).toEqual([{ action: 'aws:runShellScript', name: 'restoreAgent', inputs: { timeoutSeconds: '60', runCommand: restoreAgentScript(ids) } }]);
  expect(restoreAgentScript(ids).join('\n')).toContain("dir='/var/lib/openclaw-meter/breaker'");
});
