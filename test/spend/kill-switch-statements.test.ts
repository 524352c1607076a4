import { killSwitchDenySecretsStatement, killSwitchWildcardStatements } from '../../lib/spend/kill-switch-statements';

// The kill switch's statements that stand apart from its construct, pinned whole: the deny it
// attaches to the host's role on a kill (both ways of reading a secret value), and its only
// Resource "*" grants (actions that take no resource ARN), the metric one held to its namespace.
// What AWS makes of them is simulated in test/app/spend.test.ts and the kill-switch drills.

test('the deny-secrets statement: both ways of reading a secret value, on every secret', () => {
  expect(killSwitchDenySecretsStatement().toStatementJson()).toEqual({
    Sid: 'KillSwitchDenySecretValues',
    Effect: 'Deny',
    Action: ['secretsmanager:GetSecretValue', 'secretsmanager:BatchGetSecretValue'],
    Resource: '*',
  });
});

test('the Resource "*" grants: describing instances, and publishing metrics only in its own namespace', () => {
  expect(killSwitchWildcardStatements('OpenClaw/oc-acme-prod').map((s) => s.toStatementJson())).toEqual([
    { Sid: 'SeeInstances', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' },
    { Sid: 'PublishOwnMetric', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'OpenClaw/oc-acme-prod' } } },
  ]);
});
