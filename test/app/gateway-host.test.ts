import { Match, Template } from 'aws-cdk-lib/assertions';
import type { BuiltApp } from '../../lib/app';
import type { GateFinding } from '../../lib/gate/finding';
import { buildForTest, gateFindings } from '../support/build';

// One synth of example/prod; the gateway host's role, sessions and self-healing.
let built: BuiltApp;
let findings: GateFinding[];
let gateway: Template;

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

beforeAll(() => {
  built = buildForTest({ client: 'example', env: 'prod' });
  findings = gateFindings(built);
  gateway = Template.fromStack(built.deployments[0]!.stage.gateway);
});

const hostStatements = (): Statement[] => {
  const policies = Object.values(gateway.findResources('AWS::IAM::ManagedPolicy')) as { Properties: { Description: string; PolicyDocument: { Statement: Statement[] } } }[];
  // Its own policy and its policy of grants on actions that support no resource ARN (ActionsWithoutResourcePolicy).
  const host = policies.filter((p) => p.Properties.Description.startsWith('Least privilege of the'));
  const withoutResource = policies.filter((p) => p.Properties.Description === 'The openclaw-example-prod gateway host: the actions that support no resource ARN');
  expect([host.length, withoutResource.length]).toEqual([1, 1]);
  return [...host[0]!.Properties.PolicyDocument.Statement, ...withoutResource[0]!.Properties.PolicyDocument.Statement];
};
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const render = (v: unknown) => JSON.stringify(v);

test('example/prod passes the gate', () => {
  expect(findings).toEqual([]);
});

describe('host role', () => {
  test('has no inline policy and only SSM core plus its own two managed policies', () => {
    gateway.resourceCountIs('AWS::IAM::Policy', 0);
    const [role] = Object.values(gateway.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] } } })) as {
      Properties: { ManagedPolicyArns: unknown[] };
    }[];
    expect(role!.Properties.ManagedPolicyArns).toHaveLength(3);
    expect(render(role!.Properties.ManagedPolicyArns)).toContain(':iam::aws:policy/AmazonSSMManagedInstanceCore');
  });

  test('grants exactly these actions, all Allow', () => {
    expect(hostStatements().flatMap(actionsOf).sort()).toEqual(
      [
        'cloudwatch:PutMetricData',
        'ec2:DescribeVolumes',
        'kms:Decrypt',
        'kms:Decrypt',
        'logs:CreateLogStream',
        'logs:DescribeLogGroups',
        'logs:DescribeLogStreams',
        'logs:PutLogEvents',
        's3:GetObject',
        'secretsmanager:GetSecretValue',
        'secretsmanager:GetSecretValue',
      ].sort(),
    );
    for (const s of hostStatements()) expect(s.Effect).toBe('Allow');
  });

  test('reads exactly its own secrets: the regional ones by ARN, the us-east-1 origin-verify secret by its one name', () => {
    const own = hostStatements().find((s) => s.Sid === 'ReadOwnSecrets')!;
    const secrets = Object.keys(gateway.findResources('AWS::SecretsManager::Secret')).sort();
    // Two agents' documents and their two gateways' tokens (one gateway per agent).
    expect(secrets).toEqual(['SecretsAgentopsF00C2A49', 'SecretsAgentsupport635FDAA6', 'SecretsGatewayTokenops55D1E3AD', 'SecretsGatewayTokensupportBEF83BBC']);
    expect(own.Resource).toEqual(expect.arrayContaining(secrets.map((id) => ({ Ref: id }))));
    expect((own.Resource as unknown[]).length).toBe(4);
    const edge = hostStatements().find((s) => s.Sid === 'ReadOwnOriginVerifySecret')!;
    expect(render(edge.Resource)).toMatch(/:secretsmanager:us-east-1:210987654321:secret:openclaw\/example\/prod\/origin-verify-\?\?\?\?\?\?"/);
    expect(actionsOf(own)).toEqual(['secretsmanager:GetSecretValue']);
    expect(actionsOf(edge)).toEqual(['secretsmanager:GetSecretValue']);
  });

  test('decrypts only with its own keys: the deployment key by ARN, the edge key by alias via Secrets Manager', () => {
    const decrypt = hostStatements().filter((s) => actionsOf(s).includes('kms:Decrypt'));
    expect(decrypt.map((s) => s.Sid).sort()).toEqual(['DecryptWithOwnEdgeKey', 'DecryptWithOwnKeys']);
    const own = decrypt.find((s) => s.Sid === 'DecryptWithOwnKeys')!;
    expect(render(own.Resource)).toMatch(/Fn::ImportValue/);
    const edge = decrypt.find((s) => s.Sid === 'DecryptWithOwnEdgeKey')!;
    expect(edge.Condition).toEqual({
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/openclaw/example/prod/edge' },
      StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
    });
  });

  test('writes only its own log groups and publishes metrics only to its own namespace', () => {
    const logs = hostStatements().find((s) => actionsOf(s).includes('logs:PutLogEvents'))!;
    expect(render(logs.Resource)).toContain(':logs:eu-west-1:210987654321:log-group:/openclaw/openclaw-example-prod/*');
    const metrics = hostStatements().find((s) => actionsOf(s).includes('cloudwatch:PutMetricData'))!;
    expect(metrics.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'OpenClaw/openclaw-example-prod' } });
  });

  test('nothing else takes Resource *', () => {
    const star = hostStatements().filter((s) => s.Resource === '*');
    expect(star.flatMap(actionsOf).sort()).toEqual(['cloudwatch:PutMetricData', 'ec2:DescribeVolumes', 'logs:DescribeLogGroups']);
  });
});

describe('break-glass sessions', () => {
  test('a per-deployment Session Manager document streams to an encrypted log group, encrypted end to end', () => {
    gateway.hasResourceProperties('AWS::SSM::Document', {
      Name: 'openclaw-example-prod-session',
      DocumentType: 'Session',
      Content: Match.objectLike({
        inputs: Match.objectLike({ cloudWatchEncryptionEnabled: true, cloudWatchStreamingEnabled: true, kmsKeyId: Match.anyValue(), runAsEnabled: false }),
      }),
    });
    gateway.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: { LogGroupName: '/openclaw/openclaw-example-prod/ssm-sessions', KmsKeyId: Match.anyValue(), RetentionInDays: 365 },
    });
  });
});

describe('self-healing', () => {
  test('a failed system status check recovers the instance in place (same ID, so the VPC origin stays valid)', () => {
    gateway.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'StatusCheckFailed_System',
      Namespace: 'AWS/EC2',
      AlarmActions: Match.arrayWith(['arn:aws:automate:eu-west-1:ec2:recover']),
    });
  });

  test('a failed instance status check reboots it', () => {
    gateway.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'StatusCheckFailed_Instance',
      AlarmActions: Match.arrayWith(['arn:aws:automate:eu-west-1:ec2:reboot']),
    });
  });
});

describe('boot', () => {
  test('the host may read its one deployment bundle object and nothing else in the bucket', () => {
    const read = hostStatements().find((s) => actionsOf(s).includes('s3:GetObject'))!;
    const bundle = built.deployments[0]!.stage.gateway.bundle.asset;
    expect(render(read.Resource)).toContain(`/${bundle.s3ObjectKey}`);
    expect(render(read.Resource)).not.toMatch(/\/\*"/);
  });

  test('the user data is the rendered cloud-init, pinning the bundle SHA-256, and replaces the host when it changes', () => {
    const [instance] = Object.values(gateway.findResources('AWS::EC2::Instance')) as { Properties: { UserData: unknown } }[];
    const userData = render(instance!.Properties.UserData);
    // A Fn::Join: the state volume's ID is a Ref (test/app/state-volume.test.ts).
    expect(userData).toMatch(/^\{"Fn::Base64":\{"Fn::Join":\["",\["#cloud-config\\n/);
    expect(userData).toContain(`'s3://cdk-hnb659fds-assets-210987654321-eu-west-1/${built.deployments[0]!.stage.gateway.bundle.asset.s3ObjectKey}'`);
    expect(userData).toContain(built.deployments[0]!.stage.gateway.bundle.sha256);
    expect(userData).toContain('install-bundle.sh');
    const logicalIds = Object.keys(gateway.findResources('AWS::EC2::Instance'));
    expect(logicalIds[0]).toMatch(/^Gateway[0-9A-F]{8}[0-9a-f]{16}$/); // the id carries a hash of the user data
  });
});

test('the instance type is sized from the agent count (two gateways: t4g.medium) and the volume comes from config', () => {
  gateway.hasResourceProperties('AWS::EC2::Instance', {
    InstanceType: 't4g.medium',
    BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ VolumeSize: 16 }) })],
  });
});
