import { NAG_PACKS } from '../support/nag-packs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GatewayRole } from '../../lib/host/gateway-role';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The gateway host's role on a bare stack (not the whole app): trusted by EC2 only, its
// managed policies pinned exactly (every action, resource and condition of every statement),
// the grants added by allowReadSecrets / allowReadObject / allowAttachStateVolume, and
// exactly the acknowledgements it makes, each with its reason.

interface Resource { Type: string; Properties: Record<string, unknown> }
interface Statement { Sid: string; [k: string]: unknown }

const ACCOUNT = '123456789012';
const keyArn = (region: string, id: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`;
/** An ARN CDK builds with the stack's partition token. */
const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });

const build = (region: string, opts: { keyIds: string[]; grants: boolean; name?: string }) => {
  const stack = new Stack(new App(), 'Gateway', { env: { account: ACCOUNT, region } });
  const keys = opts.keyIds.map((id, i) => kms.Key.fromKeyArn(stack, `Key${i}`, keyArn(region, id)));
  const name = opts.name ?? 'acme-prod';
  const role = new GatewayRole(stack, 'HostRole', { secretPrefix: `openclaw/${name.replace('-', '/')}`, deploymentName: `openclaw-${name}`, keys });
  let attachPolicy: iam.ManagedPolicy | undefined;
  if (opts.grants) {
    role.allowReadSecrets([
      `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:openclaw/acme/prod/gateway-token-AbCdEf`,
      `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:openclaw/acme/prod/anthropic-api-key-GhIjKl`,
    ]);
    role.allowReadObject('cdk-assets-bucket', 'bundle/abc123.zip');
    attachPolicy = role.allowAttachStateVolume(
      `arn:aws:ec2:${region}:${ACCOUNT}:volume/vol-0123456789abcdef0`,
      `arn:aws:iam::${ACCOUNT}:instance-profile/gateway-profile`,
      keys[0]!,
    );
  }
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const idOf = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as iam.CfnManagedPolicy);
  const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
  const hostPolicyId = idOf(role.hostPolicy);
  const actionsPolicyId = idOf(role.node.findChild('ActionsWithoutResourcePolicy') as iam.ManagedPolicy);
  const statements = (id: string) => (resources[id]!.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  return { stack, role, resources, roleId, hostPolicyId, actionsPolicyId, attachPolicy, statements };
};

const full = build('eu-west-1', { keyIds: ['11111111-2222-3333-4444-555555555555'], grants: true });
const bare = build('eu-west-1', { keyIds: ['11111111-2222-3333-4444-555555555555', '66666666-7777-8888-9999-000000000000'], grants: false, name: 'beta-dev' });
const edgeRegion = build('us-east-1', { keyIds: ['aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'], grants: true });
const bySid = (list: Statement[], sid: string) => {
  const found = list.filter((s) => s.Sid === sid);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const hostStatement = (b: typeof full, sid: string) => bySid(b.statements(b.hostPolicyId), sid);

test('the role: trusted by EC2 only, described per deployment, exactly three managed policies (SSM core, host policy, actions without a resource ARN)', () => {
  expect(full.resources[full.roleId]).toEqual({
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } }],
      },
      Description: 'OpenClaw gateway host of openclaw-acme-prod: own secrets, logs and metrics only',
      ManagedPolicyArns: [arn(':iam::aws:policy/AmazonSSMManagedInstanceCore'), { Ref: full.hostPolicyId }, { Ref: full.actionsPolicyId }],
    },
  });
  expect(full.role.hostPolicy.node.id).toBe('HostPolicy');
});

test('without the allow* grants: exactly the role and its two policies, the host policy holding exactly its four own statements', () => {
  expect(Object.keys(bare.resources).sort()).toEqual([bare.roleId, bare.hostPolicyId, bare.actionsPolicyId].sort());
  expect(bare.resources[bare.hostPolicyId]!.Properties.Description).toBe('Least privilege of the openclaw-beta-dev gateway host');
  expect(bare.statements(bare.hostPolicyId).map((s) => s.Sid)).toEqual(['ReadOwnOriginVerifySecret', 'DecryptWithOwnKeys', 'DecryptWithOwnEdgeKey', 'WriteOwnLogs']);
});

test('with the grants: the host policy holds exactly its own statements then the secrets and bundle grants, in that order', () => {
  expect(full.resources[full.hostPolicyId]!.Properties).toEqual({
    Description: 'Least privilege of the openclaw-acme-prod gateway host',
    Path: '/',
    PolicyDocument: { Version: '2012-10-17', Statement: full.statements(full.hostPolicyId) },
  });
  expect(full.statements(full.hostPolicyId).map((s) => s.Sid)).toEqual([
    'ReadOwnOriginVerifySecret',
    'DecryptWithOwnKeys',
    'DecryptWithOwnEdgeKey',
    'WriteOwnLogs',
    'ReadOwnSecrets',
    'ReadDeploymentBundle',
  ]);
});

test('reads the origin-verify secret of its own deployment only, in us-east-1 (any 6-character suffix), from any main region', () => {
  const expected = (prefix: string) => ({
    Sid: 'ReadOwnOriginVerifySecret',
    Effect: 'Allow',
    Action: 'secretsmanager:GetSecretValue',
    Resource: arn(`:secretsmanager:us-east-1:${ACCOUNT}:secret:${prefix}/origin-verify-??????`),
  });
  expect(hostStatement(full, 'ReadOwnOriginVerifySecret')).toEqual(expected('openclaw/acme/prod'));
  expect(hostStatement(bare, 'ReadOwnOriginVerifySecret')).toEqual(expected('openclaw/beta/dev'));
  expect(hostStatement(edgeRegion, 'ReadOwnOriginVerifySecret')).toEqual(expected('openclaw/acme/prod'));
});

test('decrypts with exactly its own keys (every key given, no condition)', () => {
  expect(hostStatement(full, 'DecryptWithOwnKeys')).toEqual({
    Sid: 'DecryptWithOwnKeys',
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: keyArn('eu-west-1', '11111111-2222-3333-4444-555555555555'),
  });
  expect(hostStatement(bare, 'DecryptWithOwnKeys')).toEqual({
    Sid: 'DecryptWithOwnKeys',
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: [keyArn('eu-west-1', '11111111-2222-3333-4444-555555555555'), keyArn('eu-west-1', '66666666-7777-8888-9999-000000000000')],
  });
});

test('decrypts with the edge key only by its own alias and only through Secrets Manager in us-east-1', () => {
  const expected = (prefix: string) => ({
    Sid: 'DecryptWithOwnEdgeKey',
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: arn(`:kms:us-east-1:${ACCOUNT}:key/*`),
    Condition: {
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/${prefix}/edge` },
      StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
    },
  });
  expect(hostStatement(full, 'DecryptWithOwnEdgeKey')).toEqual(expected('openclaw/acme/prod'));
  expect(hostStatement(bare, 'DecryptWithOwnEdgeKey')).toEqual(expected('openclaw/beta/dev'));
  expect(hostStatement(edgeRegion, 'DecryptWithOwnEdgeKey')).toEqual(expected('openclaw/acme/prod'));
});

test('writes only to its own log groups, in its own region: create stream, put events, describe streams', () => {
  const expected = (region: string, name: string) => ({
    Sid: 'WriteOwnLogs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
    Resource: arn(`:logs:${region}:${ACCOUNT}:log-group:/openclaw/${name}/*`),
  });
  expect(hostStatement(full, 'WriteOwnLogs')).toEqual(expected('eu-west-1', 'openclaw-acme-prod'));
  expect(hostStatement(bare, 'WriteOwnLogs')).toEqual(expected('eu-west-1', 'openclaw-beta-dev'));
  expect(hostStatement(edgeRegion, 'WriteOwnLogs')).toEqual(expected('us-east-1', 'openclaw-acme-prod'));
});

test('allowReadSecrets: GetSecretValue on exactly the secret ARNs given', () => {
  expect(hostStatement(full, 'ReadOwnSecrets')).toEqual({
    Sid: 'ReadOwnSecrets',
    Effect: 'Allow',
    Action: 'secretsmanager:GetSecretValue',
    Resource: [
      `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:openclaw/acme/prod/gateway-token-AbCdEf`,
      `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:openclaw/acme/prod/anthropic-api-key-GhIjKl`,
    ],
  });
});

test('allowReadObject: GetObject on the one bundle object, nothing else in the bucket', () => {
  expect(hostStatement(full, 'ReadDeploymentBundle')).toEqual({
    Sid: 'ReadDeploymentBundle',
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: arn(':s3:::cdk-assets-bucket/bundle/abc123.zip'),
  });
});

test('the actions that support no resource ARN: describe log groups, metrics only to its own namespace, describe volumes; nothing else', () => {
  expect(full.resources[full.actionsPolicyId]!.Properties).toEqual({
    Description: 'The openclaw-acme-prod gateway host: the actions that support no resource ARN',
    Path: '/',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'FindLogGroups', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
        {
          Sid: 'PublishOwnMetrics',
          Effect: 'Allow',
          Action: 'cloudwatch:PutMetricData',
          Resource: '*',
          Condition: { StringEquals: { 'cloudwatch:namespace': 'OpenClaw/openclaw-acme-prod' } },
        },
        { Sid: 'FindOwnStateVolume', Effect: 'Allow', Action: 'ec2:DescribeVolumes', Resource: '*' },
      ],
    },
  });
  expect(bySid(bare.statements(bare.actionsPolicyId), 'PublishOwnMetrics').Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'OpenClaw/openclaw-beta-dev' } });
});

test('allowAttachStateVolume: a policy of its own on the role, attaching the one volume to an instance carrying its instance profile, the key grant only for EC2 in its region', () => {
  const expected = (region: string, keyId: string) => ({
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      Description: 'The gateway host attaches its own state volume to itself',
      Path: '/',
      Roles: [{ Ref: full.roleId }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AttachOwnStateVolume', Effect: 'Allow', Action: 'ec2:AttachVolume', Resource: `arn:aws:ec2:${region}:${ACCOUNT}:volume/vol-0123456789abcdef0` },
          {
            Sid: 'AttachStateVolumeToOwnHost',
            Effect: 'Allow',
            Action: 'ec2:AttachVolume',
            Resource: arn(`:ec2:${region}:${ACCOUNT}:instance/*`),
            Condition: { ArnEquals: { 'ec2:InstanceProfile': `arn:aws:iam::${ACCOUNT}:instance-profile/gateway-profile` } },
          },
          {
            Sid: 'GrantStateVolumeKeyToEc2',
            Effect: 'Allow',
            Action: 'kms:CreateGrant',
            Resource: keyArn(region, keyId),
            Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' }, StringEquals: { 'kms:ViaService': `ec2.${region}.amazonaws.com` } },
          },
        ],
      },
    },
  });
  expect(full.resources[full.stack.getLogicalId(full.attachPolicy!.node.defaultChild as iam.CfnManagedPolicy)]).toEqual(expected('eu-west-1', '11111111-2222-3333-4444-555555555555'));
  expect(edgeRegion.resources[edgeRegion.stack.getLogicalId(edgeRegion.attachPolicy!.node.defaultChild as iam.CfnManagedPolicy)]).toEqual(expected('us-east-1', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'));
  // Not listed in the role's ManagedPolicyArns (that would be a cycle through the instance profile).
  expect(full.attachPolicy!.node.id).toBe('StateVolumePolicy');
  expect(Object.keys(full.resources)).toHaveLength(4);
});

test('acknowledges exactly the SSM core policy and the four confined wildcards, each on its own resource, with its reason', () => {
  expect(collectAcknowledgements(full.stack).map((a) => [a.path, a.rule, a.reason, a.onSingleResource, a.madeBy])).toEqual([
    [
      'Gateway/HostRole/Resource',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      'AmazonSSMManagedInstanceCore is the documented minimum for Session Manager, the only break-glass path (no SSH, no key pair); its actions need Resource * and AWS keeps it current.',
      true,
      'blueprint',
    ],
    [
      'Gateway/HostRole/HostPolicy/Resource',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:eu-west-1:${ACCOUNT}:log-group:/openclaw/openclaw-acme-prod/*]`,
      'Log streams are created per boot and per file; the wildcard is confined to this deployment\'s own log group prefix.',
      true,
      'blueprint',
    ],
    [
      'Gateway/HostRole/HostPolicy/Resource',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:us-east-1:${ACCOUNT}:key/*]`,
      'Confined by conditions to the one key whose alias is this deployment\'s edge key, used through Secrets Manager in us-east-1 only.',
      true,
      'blueprint',
    ],
    [
      'Gateway/HostRole/ActionsWithoutResourcePolicy/Resource',
      'AwsSolutions-IAM5[Resource::*]',
      'Only actions that support no resource ARN take Resource *: cloudwatch:PutMetricData (confined by the cloudwatch:namespace condition to this deployment), logs:DescribeLogGroups and ec2:DescribeVolumes (read-only, names and states only).',
      true,
      'blueprint',
    ],
    [
      'Gateway/HostRole/StateVolumePolicy/Resource',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:eu-west-1:${ACCOUNT}:instance/*]`,
      'A replacement host\'s instance ID does not exist before it boots; the condition ec2:InstanceProfile confines AttachVolume to instances carrying this deployment\'s instance profile, and the other statement to the one state volume.',
      true,
      'blueprint',
    ],
  ]);
  expect(collectAcknowledgements(bare.stack).map((a) => a.rule)).toEqual([
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:eu-west-1:${ACCOUNT}:log-group:/openclaw/openclaw-beta-dev/*]`,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:us-east-1:${ACCOUNT}:key/*]`,
    'AwsSolutions-IAM5[Resource::*]',
  ]);
  expect(collectAcknowledgements(edgeRegion.stack).map((a) => a.rule)).toEqual([
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:us-east-1:${ACCOUNT}:log-group:/openclaw/openclaw-acme-prod/*]`,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:us-east-1:${ACCOUNT}:key/*]`,
    'AwsSolutions-IAM5[Resource::*]',
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:us-east-1:${ACCOUNT}:instance/*]`,
  ]);
});

test.each(NAG_PACKS)('%s reports nothing on the role and its policies (each acknowledgement matches its finding)', (_name, pack) => {
  expect(pack().validateScope(full.stack).violations).toEqual([]);
});
