import { respondTo, type PrefixListEvent } from '../../lambda/origin-facing-prefix-list/index';

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
