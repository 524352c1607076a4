import { CfnResource, Stack } from 'aws-cdk-lib';
import { loneActionsOf, statementsOf } from '../../lib/gate/iam-reference/policies';
import { IamReferenceChecks } from '../../lib/gate/iam-reference/pack';
import { TOPOLOGY_CLIENTS, topologies } from '../support/topologies';

// Every topology a user deploys: us-east-1 as the main region (east), several
// clients in one account and region (example, acme, globex).
test('every topology synthesizes every environment', () => {
  const ids = topologies().built.deployments.map((d) => d.stage.node.id);
  expect(ids).toEqual(TOPOLOGY_CLIENTS.flatMap((c) => ['dev', 'prod', 'staging'].map((e) => `${c}-${e}`)));
});

test('every client x environment of every topology passes the gate with no unacknowledged finding', () => {
  const { passed, built } = topologies();
  expect(passed.results.map((r) => [r.stagePath, r.findings])).toEqual(built.deployments.map((d) => [d.stage.node.path, []]));
});

test('the IAMReference pack read every policy of every topology against AWS\'s reference and reported nothing', () => {
  const { built } = topologies();
  // CDK leaves a plugin with no violation and nothing acknowledged out of validation-report.json, so the
  // pack is run here on every stack of every deployment directly: it must find nothing.
  const stacks = built.deployments.flatMap((d) => d.stage.node.findAll().filter(Stack.isStack));
  expect(stacks.length).toBe(built.deployments.length * 5);
  for (const stack of stacks) {
    const report = new IamReferenceChecks().validateScope(stack);
    expect([stack.stackName, report.violations]).toEqual([stack.stackName, []]);
  }
  // It had policies to read: every policy-bearing type the deployments have.
  const resources = built.deployments.flatMap((d) => d.stage.node.findAll()).filter(CfnResource.isCfnResource);
  const withPolicies = resources.filter((r) => statementsOf(r).length > 0 || loneActionsOf(r).length > 0).map((r) => r.cfnResourceType);
  expect([...new Set(withPolicies)].sort()).toEqual([
    'AWS::IAM::ManagedPolicy',
    'AWS::IAM::Role',
    'AWS::KMS::Key',
    'AWS::Lambda::Permission',
    'AWS::S3::BucketPolicy',
    'AWS::SNS::TopicPolicy',
    'AWS::SQS::QueuePolicy',
    'AWS::SecretsManager::ResourcePolicy',
  ]);
});

test('the topologies are what they claim: east in us-east-1 with a NAT gateway and a custom domain; acme and globex share example-dev\'s account and region', () => {
  const configs = new Map(topologies().built.deployments.map((d) => [`${d.config.client}-${d.config.env}`, d.config]));
  const east = configs.get('east-dev')!;
  expect([east.aws.region, east.network.natMode, east.edge.customDomain?.domainName]).toEqual(['us-east-1', 'gateway', 'agents.east.example.com']);
  for (const client of ['acme', 'globex']) {
    const c = configs.get(`${client}-dev`)!;
    expect([c.aws.account, c.aws.region, c.network.natMode, c.edge.customDomain]).toEqual([
      configs.get('example-dev')!.aws.account,
      configs.get('example-dev')!.aws.region,
      'instance',
      undefined,
    ]);
  }
});
