/**
 * The gateway hosts of the break-glass tests (test/app/break-glass*.test.ts): two clients
 * (example and acme, both prod) in one account, each with its instance ARN and its resolved
 * operator policies (lib/access/operator-access.ts), and the operator roles holding them.
 */
import * as path from 'path';
import { buildForTest } from './build';
import { acmeClientFiles, configFixture } from './config-fixture';
import { deploymentPolicies, type DeploymentPolicies } from './deployment-policies';
import { logicalIdsOfType, refOf, resolveIntrinsics } from './iam-intrinsics';
import { callOf, roleActor, type RoleActor } from './request-context';
import { simulate, type Decision } from './simulator';
import type { PolicyDocument, Statement } from './template-policies';
import { operatorPolicyName } from '../../lib/access/operator-access';
import { deploymentName } from '../../lib/shared/naming';

export const ACCOUNT = '210987654321';
export const BROAD_SSM: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }] };

export interface Host {
  readonly p: DeploymentPolicies;
  readonly region: string;
  readonly instanceArn: string;
  /** The ARN of a document of the account (see break-glass.test.ts on AWS-owned documents). */
  readonly document: (name: string) => string;
  /** The ARN of another SSM resource of the host's region and account (association/<id>, maintenancewindow/<id>...). */
  readonly ssm: (resource: string) => string;
  /** The resolved operator policy and its read policy. */
  readonly policies: PolicyDocument[];
}

function hostOf(p: DeploymentPolicies): Host {
  const g = p.gateway;
  const region = p.config.aws.region;
  const instances = logicalIdsOfType(g.template, 'AWS::EC2::Instance');
  if (instances.length !== 1) throw new Error(`expected one gateway instance, found ${instances.length}`);
  const name = operatorPolicyName(deploymentName(p.config));
  const policies = [name, `${name}-read`].map((policyName) => {
    const ids = logicalIdsOfType(g.template, 'AWS::IAM::ManagedPolicy').filter((id) => g.template.Resources![id]!.Properties?.ManagedPolicyName === policyName);
    if (ids.length !== 1) throw new Error(`expected one managed policy ${policyName}, found ${ids.length}`);
    return resolveIntrinsics(g.template.Resources![ids[0]!]!.Properties!.PolicyDocument, g.ctx) as PolicyDocument;
  });
  const ssm = (resource: string) => `arn:aws:ssm:${region}:${p.config.aws.account}:${resource}`;
  return {
    p,
    region,
    instanceArn: `arn:aws:ec2:${region}:${p.config.aws.account}:instance/${refOf(instances[0]!, g.ctx)}`,
    document: (doc) => ssm(`document/${doc}`),
    ssm,
    policies,
  };
}

/** The example and acme hosts, built once per test file. */
export function buildHosts(): { example: Host; acme: Host } {
  const configDir = path.join(configFixture(acmeClientFiles(ACCOUNT)), 'config');
  const build = (client: string) => {
    const { config, stage } = buildForTest({ client, env: 'prod' }, configDir).deployments[0]!;
    return hostOf(deploymentPolicies(config, stage));
  };
  return { example: build('example'), acme: build('acme') };
}

export const operator = (identity: readonly PolicyDocument[]) => roleActor(`arn:aws:iam::${ACCOUNT}:role/operators`, identity);

/** Allowed only when every resource is; an explicit deny on any denies the call. */
export async function decideAll(actor: RoleActor, action: string, resources: readonly string[]): Promise<Decision> {
  const decisions = await Promise.all(resources.map(async (resource) => {
    const { request, policies } = callOf(actor, { action, resource });
    return simulate(request, policies);
  }));
  if (decisions.includes('ExplicitDeny')) return 'ExplicitDeny';
  return decisions.every((d) => d === 'Allow') ? 'Allow' : 'ImplicitDeny';
}

/** The policies with one statement dropped, or changed. */
export const edited = (h: Host, edit: (s: Statement) => Statement | undefined): PolicyDocument[] =>
  h.policies.map((d) => ({ ...d, Statement: (d.Statement as Statement[]).flatMap((s) => edit(s) ?? []) }));
export const without = (h: Host, sid: string) => edited(h, (s) => (s.Sid === sid ? undefined : s));
