import { DescribeManagedPrefixListsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { EventEmitter } from 'events';
import type * as https from 'https';
import { handler, respondTo, type PrefixListEvent } from '../../lambda/origin-facing-prefix-list/index';

const NAME = 'com.amazonaws.global.cloudfront.origin-facing';
const event = (over: Partial<PrefixListEvent> = {}): PrefixListEvent => ({
  RequestType: 'Create',
  ResponseURL: 'https://cloudformation-custom-resource-response.invalid/x',
  StackId: 'stack',
  RequestId: 'req-1',
  LogicalResourceId: 'Lookup',
  ResourceProperties: { PrefixListName: NAME },
  ...over,
});

beforeEach(() => jest.spyOn(console, 'error').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());

test('answers the ID of the AWS-managed list of that name, asking EC2 by name', async () => {
  const asked: string[] = [];
  const res = await respondTo(event(), async (name) => {
    asked.push(name);
    return [
      { PrefixListId: 'pl-customer', PrefixListName: NAME, OwnerId: '111122223333' },
      { PrefixListId: 'pl-4fa04526', PrefixListName: NAME, OwnerId: 'AWS' },
    ];
  });
  expect(asked).toEqual([NAME]);
  expect(res).toEqual({ StackId: 'stack', RequestId: 'req-1', LogicalResourceId: 'Lookup', Status: 'SUCCESS', PhysicalResourceId: 'pl-4fa04526', Data: { PrefixListId: 'pl-4fa04526' } });
});

test('fails the deployment (FAILED, with the reason) when no AWS-managed list of that name exists, keeping the old ID on update', async () => {
  const res = await respondTo(event({ RequestType: 'Update', PhysicalResourceId: 'pl-old' }), async () => [{ PrefixListId: 'pl-x', PrefixListName: NAME, OwnerId: '111122223333' }]);
  expect(res.Status).toBe('FAILED');
  expect(res.PhysicalResourceId).toBe('pl-old');
  expect(res.Reason).toMatch(/exactly one AWS-managed prefix list named com\.amazonaws\.global\.cloudfront\.origin-facing, found 0/);
  expect(res.Data).toBeUndefined();
});

test('an EC2 error is a FAILED response, never a hang', async () => {
  const res = await respondTo(event(), async () => {
    throw new Error('UnauthorizedOperation');
  });
  expect(res).toMatchObject({ Status: 'FAILED', Reason: 'prefix list lookup failed: UnauthorizedOperation' });
  // The reason also goes to the function's log, where an operator looks when the stack fails.
  expect(console.error).toHaveBeenCalledWith('prefix list lookup failed: UnauthorizedOperation');
});

test('Delete succeeds without calling EC2 (nothing was created)', async () => {
  const res = await respondTo(event({ RequestType: 'Delete', PhysicalResourceId: 'pl-4fa04526' }), async () => {
    throw new Error('must not be called');
  });
  expect(res).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'pl-4fa04526' });
});

describe('only one AWS-managed list of exactly that name counts', () => {
  test.each([
    ['an AWS-managed list of another name', [{ PrefixListId: 'pl-other', PrefixListName: `${NAME}.v2`, OwnerId: 'AWS' }], 0],
    ['an AWS-managed entry without an ID', [{ PrefixListName: NAME, OwnerId: 'AWS' }], 0],
    ['two AWS-managed lists of that name', [{ PrefixListId: 'pl-1', PrefixListName: NAME, OwnerId: 'AWS' }, { PrefixListId: 'pl-2', PrefixListName: NAME, OwnerId: 'AWS' }], 2],
  ])('%s: FAILED on create, with a physical ID that names the request', async (_what, lists, found) => {
    const res = await respondTo(event(), async () => lists);
    expect(res).toEqual({
      StackId: 'stack',
      RequestId: 'req-1',
      LogicalResourceId: 'Lookup',
      Status: 'FAILED',
      Reason: `prefix list lookup failed: expected exactly one AWS-managed prefix list named ${NAME}, found ${found}`,
      PhysicalResourceId: 'failed-req-1',
    });
  });

  test('no PrefixListName: FAILED without calling EC2', async () => {
    const res = await respondTo(event({ ResourceProperties: {} }), async () => {
      throw new Error('must not be called');
    });
    expect(res.Status).toBe('FAILED');
    expect(res.Reason).toBe('prefix list lookup failed: PrefixListName is missing');
  });
});

describe('handler: asks EC2, then PUTs the response to CloudFormation\'s pre-signed URL', () => {
  const ec2 = mockClient(EC2Client);
  let puts: { url: string; options: https.RequestOptions; body: string }[];
  let status: number | undefined | 'network error';

  beforeEach(() => {
    ec2.reset();
    puts = [];
    status = 200;
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    // CloudFormation's side of the pre-signed URL: record the PUT, answer with `status`.
    // The module object itself (the test's own `import * as` namespace is read-only).
    jest.spyOn(jest.requireActual<typeof https>('https'), 'request').mockImplementation(((url: string, options: https.RequestOptions, onResponse: (res: EventEmitter & { statusCode?: number; resume(): void }) => void) => {
      const req = new EventEmitter() as EventEmitter & { end(body: string): void };
      req.end = (body: string) => {
        puts.push({ url, options, body });
        if (status === 'network error') {
          setImmediate(() => req.emit('error', new Error('socket hang up')));
          return;
        }
        // Like a real response: 'end' comes only once the body is consumed (resume()).
        const res = Object.assign(new EventEmitter(), { statusCode: status, resume: () => setImmediate(() => res.emit('end')) });
        onResponse(res);
      };
      return req;
    }) as unknown as typeof https.request);
  });

  /** The handler's promise, failing the test within 2 s instead of hanging until the Lambda timeout. */
  const run = (e: PrefixListEvent) =>
    Promise.race([handler(e), new Promise((_, reject) => setTimeout(() => reject(new Error('handler hung: the response PUT never settled')), 2000).unref())]);

  test('looks the list up by name and PUTs the SUCCESS response with an empty content type (the URL is signed without one)', async () => {
    ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [{ PrefixListId: 'pl-4fa04526', PrefixListName: NAME, OwnerId: 'AWS' }] });
    await run(event());
    expect(ec2.commandCalls(DescribeManagedPrefixListsCommand).map((c) => c.args[0].input)).toEqual([{ Filters: [{ Name: 'prefix-list-name', Values: [NAME] }] }]);
    expect(puts).toHaveLength(1);
    const body = JSON.stringify({ StackId: 'stack', RequestId: 'req-1', LogicalResourceId: 'Lookup', Status: 'SUCCESS', PhysicalResourceId: 'pl-4fa04526', Data: { PrefixListId: 'pl-4fa04526' } });
    expect(puts[0]).toEqual({
      url: 'https://cloudformation-custom-resource-response.invalid/x',
      options: { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } },
      body,
    });
    expect(console.log).toHaveBeenCalledWith(JSON.stringify({ requestType: 'Create', status: 'SUCCESS', prefixListId: 'pl-4fa04526' }));
  });

  test('EC2 answering no lists is a FAILED response, still PUT', async () => {
    ec2.on(DescribeManagedPrefixListsCommand).resolves({});
    await run(event());
    expect(JSON.parse(puts[0]!.body)).toMatchObject({ Status: 'FAILED', Reason: `prefix list lookup failed: expected exactly one AWS-managed prefix list named ${NAME}, found 0` });
    expect(console.log).toHaveBeenCalledWith(JSON.stringify({ requestType: 'Create', status: 'FAILED', prefixListId: null }));
  });

  test('a PUT that CloudFormation refuses fails the invocation (so Lambda retries), a 2xx does not', async () => {
    ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [{ PrefixListId: 'pl-4fa04526', PrefixListName: NAME, OwnerId: 'AWS' }] });
    status = 403;
    await expect(run(event())).rejects.toThrow('response PUT returned 403');
    status = 300;
    await expect(run(event())).rejects.toThrow('response PUT returned 300');
    status = undefined;
    await expect(run(event())).rejects.toThrow('response PUT returned undefined');
    status = 299;
    await expect(run(event())).resolves.toBeUndefined();
    status = 'network error';
    await expect(run(event())).rejects.toThrow('socket hang up');
  });
});
