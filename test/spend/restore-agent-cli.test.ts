import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { agentGateways } from '../../lib/openclaw/gateways';
import { RestoreAgentDocument, restoreAgentScript } from '../../lib/spend/restore-agent-document';
import { exampleConfig } from '../host/support/host-tools';
import { runAsync } from '../host-runtime/support/runtime-tools';
import { REPO_ROOT } from '../support/config-fixture';
import { startFakeServer, type FakeAnswer, type ReceivedRequest } from '../support/fake-aws/server';

// npm run restore -- --agent <id>, run for real (tsx) against stand-in CloudFormation (query
// protocol, XML) and SSM (JSON 1.1) endpoints on loopback: it finds the gateway instance of the
// deployment's gateway stack, sends the deployment's own <name>-restore-agent document with the
// agent's gateway id, and waits for the command's result. And the document itself: its one
// parameter admits exactly the deployment's gateway ids.

const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const SCRIPT = path.join(REPO_ROOT, 'scripts', 'kill-switch.ts');

let requests: ReceivedRequest[];
let invocation: { Status: string; StandardOutputContent: string };
let server: Awaited<ReturnType<typeof startFakeServer>>;

const cfnResources = (instances: string[]) =>
  `<ListStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ListStackResourcesResult><StackResourceSummaries>` +
  [['GatewayRole1', 'openclaw-example-dev-role', 'AWS::IAM::Role'], ...instances.map((id, i) => [`Gateway${i}`, id, 'AWS::EC2::Instance'])]
    .map(([l, p, t]) => `<member><LogicalResourceId>${l}</LogicalResourceId><PhysicalResourceId>${p}</PhysicalResourceId><ResourceType>${t}</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus><LastUpdatedTimestamp>2026-11-01T00:00:00Z</LastUpdatedTimestamp></member>`)
    .join('') +
  `</StackResourceSummaries></ListStackResourcesResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></ListStackResourcesResponse>`;

let instances: string[];
beforeAll(async () => {
  server = await startFakeServer((req): FakeAnswer => {
    requests.push(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const json = (body: unknown): FakeAnswer => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });
    if (target === 'AmazonSSM.SendCommand') return json({ Command: { CommandId: 'cmd-1', Status: 'Pending' } });
    if (target === 'AmazonSSM.GetCommandInvocation') return json({ CommandId: 'cmd-1', InstanceId: 'i-0abc', ...invocation });
    if (req.body.toString('utf8').includes('Action=ListStackResources')) return { status: 200, headers: { 'content-type': 'text/xml' }, body: cfnResources(instances) };
    return { status: 400, headers: { 'content-type': 'application/json' }, body: '{"__type":"UnknownOperation"}' };
  });
});
afterAll(() => server.close());
beforeEach(() => {
  requests = [];
  instances = ['i-0abc'];
  invocation = { Status: 'Success', StandardOutputContent: 'restore-agent: gateway support restored (it had tripped: model-daily-usd; ...)\n' };
});

const run = (args: string[]) =>
  runAsync(TSX, [SCRIPT, '--action', 'restore', '--client', 'example', '--env', 'dev', '--requested-by', 'oncall', ...args], {
    cwd: REPO_ROOT,
    timeoutMs: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL_CLOUDFORMATION: server.endpoint,
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
  const cfn = requests.filter((q) => !q.headers['x-amz-target']);
  expect(cfn.map((q) => new URLSearchParams(q.body.toString('utf8')).get('StackName'))).toEqual(['openclaw-example-dev-gateway']);
  expect(ssmCalls()).toEqual([
    [
      'AmazonSSM.SendCommand',
      { DocumentName: 'openclaw-example-dev-restore-agent', InstanceIds: ['i-0abc'], Parameters: { agent: ['support'] }, Comment: 'restore support: reviewed the tool loop (oncall)' },
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

test('two instances in the gateway stack: refused, nothing sent', async () => {
  instances = ['i-0abc', 'i-0def'];
  const r = await run(['--agent', 'ops', '--reason', 'x']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('openclaw-example-dev-gateway has 2 EC2 instances; expected 1');
  expect(ssmCalls()).toEqual([]);
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
  expect(p.Content.parameters).toEqual({ agent: { type: 'String', description: 'The gateway to restore: ops, support', allowedPattern: '^(ops|support)$' } });
  const re = new RegExp(p.Content.parameters.agent!.allowedPattern);
  expect(['ops', 'support', 'opsx', 'xops', 'ops\n', 'support;id', '', 'ops|support'].filter((v) => re.test(v))).toEqual(['ops', 'support']);
  expect(p.Content.mainSteps).toEqual([{ action: 'aws:runShellScript', name: 'restoreAgent', inputs: { timeoutSeconds: '60', runCommand: restoreAgentScript(ids) } }]);
  expect(restoreAgentScript(ids).join('\n')).toContain("dir='/var/lib/openclaw-meter/breaker'");
});
