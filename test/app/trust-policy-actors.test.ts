/**
 * Every role's trust policy, simulated as AWS does when the service that uses the role assumes it.
 * The users of each role come from the templates (a function's Role, an instance profile's Roles,
 * a delivery stream's RoleARN, a subscription filter's RoleArn, a trail's CloudWatchLogsRoleArn, a
 * lifecycle policy's ExecutionRoleArn), never from a list: a role no resource uses fails, and so
 * does a user this file does not know. Each service's sts:AssumeRole carries what it documents:
 * - Lambda, EC2, DLM: the service principal alone (their developer guides' execution and
 *   instance roles trust the service with no condition);
 * - Firehose: sts:ExternalId = the account id (Amazon Data Firehose Developer Guide, "Grant
 *   Firehose access to an Amazon S3 destination": the trust policy's sts:ExternalId);
 * - CloudWatch Logs, for a subscription filter: aws:SourceArn = the subscribed log group's ARN,
 *   aws:SourceAccount (CloudWatch Logs User Guide, "Subscription filters with Amazon Data
 *   Firehose", its confused-deputy condition on aws:SourceArn);
 * - CloudTrail, delivering to CloudWatch Logs: aws:SourceArn = the trail's ARN, aws:SourceAccount
 *   (CloudTrail User Guide, "Sending events to CloudWatch Logs", the role's trust policy).
 * What each of these services sends can be proven only in an account: docs/testing.md says how
 * the first deploy checks it (the deliveries' alarms and npm run verify).
 */
import { buildForTest } from '../support/build';
import { deploymentPolicies, type DeploymentPolicies, type StackPolicies } from '../support/deployment-policies';
import { attOf, resolveIntrinsics } from '../support/iam-intrinsics';
import { serviceActor, serviceCall, type Delivery } from '../support/request-context';
import { simulate, type Decision } from '../support/simulator';
import type { PolicyDocument } from '../support/template-policies';
import { topologies, TOPOLOGY_CLIENTS } from '../support/topologies';

interface RoleUse {
  readonly role: string;
  readonly service: string;
  readonly delivery: Delivery;
  readonly because: string;
}

const STACKS = ['core', 'network', 'gateway', 'edge', 'spend'] as const;
const stacksOf = (d: DeploymentPolicies): [string, StackPolicies][] => STACKS.map((s) => [s, d[s]]);
const resourcesOf = (s: StackPolicies) => Object.entries(s.template.Resources ?? {});
const r = (s: StackPolicies, v: unknown) => resolveIntrinsics(v, s.ctx);

/** Every role of the deployment: its ARN and its trust policy. */
function roles(d: DeploymentPolicies): Map<string, { doc: PolicyDocument; where: string }> {
  const out = new Map<string, { doc: PolicyDocument; where: string }>();
  for (const [name, s] of stacksOf(d)) {
    for (const [id, res] of resourcesOf(s)) {
      if (res.Type === 'AWS::IAM::Role') out.set(attOf(id, s.ctx), { doc: r(s, res.Properties!.AssumeRolePolicyDocument) as PolicyDocument, where: `${name}/${id}` });
    }
  }
  return out;
}

/** Who assumes each role, read from the resources that name it, with what that service sends. */
function uses(d: DeploymentPolicies): RoleUse[] {
  const out: RoleUse[] = [];
  for (const [name, s] of stacksOf(d)) {
    const { account, region } = s.ctx;
    for (const [id, res] of resourcesOf(s)) {
      const p = res.Properties ?? {};
      const because = `${name}/${id} (${res.Type})`;
      switch (res.Type) {
        case 'AWS::Lambda::Function':
          out.push({ role: r(s, p.Role) as string, service: 'lambda.amazonaws.com', delivery: {}, because });
          break;
        case 'AWS::IAM::InstanceProfile':
          for (const role of r(s, p.Roles) as string[]) out.push({ role: `arn:aws:iam::${account}:role/${role}`, service: 'ec2.amazonaws.com', delivery: {}, because });
          break;
        case 'AWS::DLM::LifecyclePolicy':
          out.push({ role: r(s, p.ExecutionRoleArn) as string, service: 'dlm.amazonaws.com', delivery: {}, because });
          break;
        case 'AWS::KinesisFirehose::DeliveryStream': {
          const role = r(s, (p.ExtendedS3DestinationConfiguration as { RoleARN: unknown } | undefined)?.RoleARN);
          if (typeof role !== 'string') throw new Error(`${because}: no ExtendedS3DestinationConfiguration.RoleARN; add how this stream's role is used`);
          out.push({ role, service: 'firehose.amazonaws.com', delivery: { serviceKeys: { 'sts:ExternalId': account } }, because });
          break;
        }
        case 'AWS::Logs::SubscriptionFilter': {
          if (p.RoleArn === undefined) break;
          const group = r(s, p.LogGroupName) as string;
          const source = { arn: `arn:aws:logs:${region}:${account}:log-group:${group}:*`, account };
          out.push({ role: r(s, p.RoleArn) as string, service: `logs.${region}.amazonaws.com`, delivery: { source }, because });
          break;
        }
        case 'AWS::CloudTrail::Trail': {
          if (p.CloudWatchLogsRoleArn === undefined) break;
          const source = { arn: `arn:aws:cloudtrail:${region}:${account}:trail/${r(s, p.TrailName) as string}`, account };
          out.push({ role: r(s, p.CloudWatchLogsRoleArn) as string, service: 'cloudtrail.amazonaws.com', delivery: { source }, because });
          break;
        }
        default:
          if (/RoleArn|RoleARN|ExecutionRole|ServiceRole/.test(JSON.stringify(Object.keys(p))) && res.Type !== 'AWS::IAM::Role') {
            throw new Error(`${because} names a role (${Object.keys(p).join(', ')}): say which service assumes it and what it sends`);
          }
      }
    }
  }
  return out;
}

const assume = (use: RoleUse, trust: PolicyDocument, change: Partial<Pick<RoleUse, 'service' | 'delivery'>> = {}): Promise<Decision> => {
  const service = change.service ?? use.service;
  return simulate(serviceCall(serviceActor(service), { action: 'sts:AssumeRole', resource: use.role, region: 'us-east-1' }, change.delivery ?? use.delivery).request, { identity: [], resource: trust });
};

/** Every role used, and assumable by its user; none unused; no other service may assume it. */
async function check(d: DeploymentPolicies): Promise<{ failures: string[]; seen: string[] }> {
  const all = roles(d);
  const used = uses(d);
  const failures: string[] = [];
  for (const [arn, { where }] of all) if (!used.some((u) => u.role === arn)) failures.push(`${where}: no resource of the deployment uses this role`);
  for (const u of used) {
    const trust = all.get(u.role);
    if (!trust) {
      failures.push(`${u.because}: uses ${u.role}, which no template of the deployment creates`);
      continue;
    }
    const decision = await assume(u, trust.doc);
    if (decision !== 'Allow') failures.push(`${u.because}: ${u.service} cannot assume ${trust.where}: ${decision}`);
    const other = u.service === 'lambda.amazonaws.com' ? 'ec2.amazonaws.com' : 'lambda.amazonaws.com';
    const byOther = await assume(u, trust.doc, { service: other });
    if (byOther !== 'ImplicitDeny') failures.push(`${u.because}: ${other} may assume ${trust.where} too: ${byOther}`);
  }
  return { failures, seen: [...new Set(used.map((u) => u.service.replace(/^logs\.[a-z0-9-]+\./, 'logs.<region>.')))].sort() };
}

describe('example/prod', () => {
  let d: DeploymentPolicies;
  beforeAll(() => {
    const built = buildForTest({ client: 'example', env: 'prod' });
    d = deploymentPolicies(built.deployments[0]!.config, built.deployments[0]!.stage);
  }, 300_000);

  test('every role is used by a resource of the deployment, and its user\'s service can assume it (and no other service)', async () => {
    const { failures, seen } = await check(d);
    expect(failures).toEqual([]);
    expect(seen).toEqual(['cloudtrail.amazonaws.com', 'dlm.amazonaws.com', 'ec2.amazonaws.com', 'firehose.amazonaws.com', 'lambda.amazonaws.com', 'logs.<region>.amazonaws.com']);
  });

  test('the conditioned trusts hold only for this deployment\'s own trail, log groups and account', async () => {
    const all = roles(d);
    const used = uses(d);
    const one = (service: string) => used.find((u) => u.service.startsWith(service))!;
    const trustOf = (u: RoleUse) => all.get(u.role)!.doc;
    const firehose = one('firehose');
    expect(await assume(firehose, trustOf(firehose), { delivery: { serviceKeys: { 'sts:ExternalId': '999999999999' } } })).toBe('ImplicitDeny');
    expect(await assume(firehose, trustOf(firehose), { delivery: {} })).toBe('ImplicitDeny');
    const logs = one('logs.');
    const account = d.core.ctx.account;
    expect(await assume(logs, trustOf(logs), { delivery: { source: { arn: `arn:aws:logs:${d.core.ctx.region}:${account}:log-group:/someone/else:*`, account } } })).toBe('ImplicitDeny');
    expect(await assume(logs, trustOf(logs), { delivery: { source: { arn: logs.delivery.source!.arn.replace(account, '999999999999'), account: '999999999999' } } })).toBe('ImplicitDeny');
    const trail = one('cloudtrail');
    expect(await assume(trail, trustOf(trail), { delivery: { source: { arn: trail.delivery.source!.arn.replace(/trail\/.*/, 'trail/other'), account } } })).toBe('ImplicitDeny');
    expect(await assume(trail, trustOf(trail), { delivery: { source: { arn: trail.delivery.source!.arn, account: '999999999999' } } })).toBe('ImplicitDeny');
  });
});

describe('every client x environment of every topology (us-east-1 as the main region, several clients in one account)', () => {
  let all: { name: string; d: DeploymentPolicies }[] = [];
  beforeAll(() => {
    all = topologies().built.deployments.map(({ config, stage }) => ({ name: `${config.client}/${config.env}`, d: deploymentPolicies(config, stage) }));
  }, 600_000);

  test('every role is used, and assumable by its user\'s service only', async () => {
    const failures: string[] = [];
    for (const { name, d } of all) failures.push(...(await check(d)).failures.map((f) => `${name}: ${f}`));
    expect(all.map((a) => a.name)).toEqual(TOPOLOGY_CLIENTS.flatMap((c) => ['dev', 'prod', 'staging'].map((e) => `${c}/${e}`)));
    expect(failures).toEqual([]);
  }, 600_000);
});
