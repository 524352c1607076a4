import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { loadConfig } from '../../lib/config/load';
import { invokeKillSwitch, killSwitchFunctionName } from '../../lib/spend/kill-switch-request';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

// What `npm run kill` / `restore` / `status` send: a synchronous Invoke of
// <prefix>-<client>-<env>-kill-switch with the request as JSON, and how the
// answer is read. The Lambda client is a stand-in that answers as the Invoke
// API does: Payload bytes, and FunctionError "Unhandled" with the runtime's
// {errorMessage, errorType} document when the function threw.

const CONFIG = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW }).config;
const REQUEST = { action: 'kill' as const, reason: 'runaway spend', requestedBy: 'ops@example.com', dryRun: true };
const bytes = (text: string) => new TextEncoder().encode(text);

function lambda(answer: { Payload?: Uint8Array; FunctionError?: string }) {
  const sent: InvokeCommand[] = [];
  const client = {
    send: async (command: InvokeCommand) => {
      sent.push(command);
      return { StatusCode: 200, ...answer };
    },
  } as unknown as LambdaClient;
  return { client, sent };
}

test('the function is <prefix>-<client>-<env>-kill-switch', () => {
  expect(killSwitchFunctionName(CONFIG)).toBe('openclaw-example-dev-kill-switch');
  expect(killSwitchFunctionName({ ...CONFIG, project: { ...CONFIG.project, prefix: 'oc' }, client: 'acme', env: 'prod' })).toBe('oc-acme-prod-kill-switch');
});

test('one synchronous Invoke of that function, with the request as its JSON payload', async () => {
  const { client, sent } = lambda({ Payload: bytes('{"ok":true}') });
  await invokeKillSwitch(client, CONFIG, REQUEST);
  expect(sent).toHaveLength(1);
  expect(sent[0]).toBeInstanceOf(InvokeCommand);
  const input = sent[0]!.input;
  expect({ ...input, Payload: undefined }).toEqual({ FunctionName: 'openclaw-example-dev-kill-switch', InvocationType: 'RequestResponse', Payload: undefined });
  expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual(REQUEST);
});

test('the answer is the function\'s summary, parsed', async () => {
  const { client } = lambda({ Payload: bytes('{"stopped":["i-1"],"dryRun":true}') });
  expect(await invokeKillSwitch(client, CONFIG, REQUEST)).toEqual({ summary: { stopped: ['i-1'], dryRun: true } });
});

test('an answer that is not JSON is kept as text; no payload is null', async () => {
  expect(await invokeKillSwitch(lambda({ Payload: bytes('not json') }).client, CONFIG, REQUEST)).toEqual({ summary: 'not json' });
  expect(await invokeKillSwitch(lambda({}).client, CONFIG, REQUEST)).toEqual({ summary: null });
});

test('a function error returns the runtime\'s errorMessage with the whole error document', async () => {
  const doc = { errorType: 'Error', errorMessage: 'restore incomplete: i-1 did not start' };
  expect(await invokeKillSwitch(lambda({ FunctionError: 'Unhandled', Payload: bytes(JSON.stringify(doc)) }).client, CONFIG, REQUEST)).toEqual({
    summary: doc,
    error: 'restore incomplete: i-1 did not start',
  });
});

test('a function error without an errorMessage returns the raw payload text as the error', async () => {
  expect(await invokeKillSwitch(lambda({ FunctionError: 'Unhandled', Payload: bytes('Task timed out') }).client, CONFIG, REQUEST)).toEqual({
    summary: 'Task timed out',
    error: 'Task timed out',
  });
  expect(await invokeKillSwitch(lambda({ FunctionError: 'Unhandled', Payload: bytes('{"errorType":"X"}') }).client, CONFIG, REQUEST)).toEqual({
    summary: { errorType: 'X' },
    error: '{"errorType":"X"}',
  });
  expect(await invokeKillSwitch(lambda({ FunctionError: 'Unhandled' }).client, CONFIG, REQUEST)).toEqual({ summary: null, error: 'null' });
});
