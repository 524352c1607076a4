/**
 * A fake of a correct deployment in AWS, built from the synthesized templates
 * of one client x env: every resource exists with the physical ID and
 * properties CloudFormation would give it (intrinsics resolved the way
 * CloudFormation resolves them, test/support/iam-intrinsics.ts), and each
 * service fake (./services.ts) answers the SDK calls of the live checks from
 * that state. A drift test changes the state (world.state) and expects the
 * check to fail; nothing in here knows what a check expects.
 */
import * as fs from 'fs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ResolvedConfig } from '../../../lib/config/schema';
import { deploymentName } from '../../../lib/shared/naming';
import type { DeployedStack, StackRole } from '../../../lib/verify/deployed-stacks';
import { verifySettings } from '../../../lib/verify/settings';
import { VerifyContext, type HttpRequester } from '../../../lib/verify/verify-context';
import type { DeploymentPolicies, StackPolicies } from '../deployment-policies';
import { refOf, resolveIntrinsics, type CfnResource } from '../iam-intrinsics';
import { CONFIG_DIR } from '../config-fixture';
import { tempDirsRemovedAfterAll } from '../temp-dirs';
import { synthesizeDeployment, type SynthesizedFixture } from './synthesize';
import { activeMutant, reuseOrSynthesize, type KeptSynth, type StrykerContext } from './synth-reuse';

const tempDir = tempDirsRemovedAfterAll();

export type { SynthesizedFixture };

const fileCache = new Map<string, SynthesizedFixture>();

/** A copy of a JSON value made in this test file's realm (jest runs each file in its own context). */
function copyJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyJson) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyJson(v)])) as T;
  return value;
}

/**
 * Under `npm run mutate -- --reuse-synth` (MUTATE_REUSE_SYNTH=1) a fixture is kept for the
 * whole jest worker, on a Node core module object, which jest hands every test file of the
 * worker as is; ./synth-reuse.ts decides, for each Stryker mutant run, whether the kept synth
 * is sound for its mutant. Each test file gets its own copy of the kept config and stacks,
 * made in its own realm, as a fresh synth would give it: what a test or a mutant does to them
 * stays in that file. The stage and the policies (read only by the fakes, which are not
 * mutated) are shared; the output folder is removed with the test file that made it.
 */
function workerCache(): Map<string, KeptSynth<SynthesizedFixture>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the core module object itself (an import would wrap it per file)
  const holder = require('v8') as Record<symbol, Map<string, KeptSynth<SynthesizedFixture>> | undefined>;
  return (holder[Symbol.for('openclaw-hardened-aws.mutate.synth-cache')] ??= new Map());
}

/** Synthesizes client x env once per test file (see workerCache for `npm run mutate -- --reuse-synth`). */
export function synthesizeFixture(client = 'example', env = 'prod', configDir = CONFIG_DIR): SynthesizedFixture {
  const key = `${configDir}|${client}|${env}`;
  const cached = fileCache.get(key);
  if (cached) return cached;
  const synth = () => synthesizeDeployment(tempDir('oc-verify-out-'), client, env, configDir);
  let fixture: SynthesizedFixture;
  if (process.env.MUTATE_REUSE_SYNTH === '1') {
    const stryker = (globalThis as { __stryker__?: StrykerContext }).__stryker__;
    const { value, source } = reuseOrSynthesize(workerCache(), key, synth, stryker);
    // The kept value itself is never handed out: the file that made it gets a copy too.
    fixture = source === 'fresh' ? value : { ...value, config: copyJson(value.config), stacks: copyJson(value.stacks) };
    // MUTATE_REUSE_TRACE=<file>: one line per synth asked for (mutant id, kept/made/fresh), for the figures of a run.
    if (process.env.MUTATE_REUSE_TRACE) fs.appendFileSync(process.env.MUTATE_REUSE_TRACE, `${activeMutant(stryker) ?? '-'} ${key} ${source}\n`);
  } else {
    fixture = synth();
  }
  fileCache.set(key, fixture);
  return fixture;
}

/** A resource of the fake deployment. */
export interface WorldResource {
  readonly role: StackRole;
  readonly stackName: string;
  readonly logicalId: string;
  readonly resource: CfnResource;
}

export class FakeWorld {
  readonly config: ResolvedConfig;
  readonly stacks: readonly DeployedStack[];
  readonly policies: DeploymentPolicies;
  /** Stack status by stack name; a drift test sets e.g. UPDATE_ROLLBACK_COMPLETE. */
  readonly stackStatus = new Map<string, string>();
  /** Logical IDs CloudFormation no longer lists (a resource deleted out of band and the stack re-deployed without it). */
  readonly missing = new Set<string>();
  /** Mutable per-service state; each service fake keeps its own under its own key. */
  readonly state: Record<string, unknown> = {};

  constructor(readonly fixture: SynthesizedFixture) {
    this.config = fixture.config;
    this.stacks = fixture.stacks;
    this.policies = fixture.policies;
    for (const s of this.stacks) this.stackStatus.set(s.stackName, 'UPDATE_COMPLETE');
  }

  get name(): string {
    return deploymentName(this.config);
  }

  get account(): string {
    return this.config.aws.account;
  }

  /** The context npm run verify builds for this deployment (settings from its config), as of `now`. */
  verifyContext(options: { readonly now: Date; readonly writeProbes?: boolean; readonly http?: HttpRequester }): VerifyContext {
    return new VerifyContext({
      name: this.name,
      account: this.account,
      region: this.config.aws.region,
      stacks: this.stacks,
      settings: verifySettings(this.config),
      options: { writeProbes: options.writeProbes ?? false, now: options.now },
      http: options.http,
    });
  }

  stack(role: StackRole): DeployedStack {
    return this.stacks.find((s) => s.role === role)!;
  }

  /** The resolving context of the stack of `role`. */
  policiesOf(role: StackRole): StackPolicies {
    return this.policies[role];
  }

  /** Every resource of `type` (in the stack of `role`, when given). */
  resources(type: string, role?: StackRole): WorldResource[] {
    return this.stacks
      .filter((s) => role === undefined || s.role === role)
      .flatMap((s) =>
        Object.entries(s.template.Resources ?? {})
          .filter(([, r]) => r.Type === type)
          .map(([logicalId, resource]) => ({ role: s.role, stackName: s.stackName, logicalId, resource: resource as CfnResource })),
      );
  }

  /** A template value with its intrinsics resolved as CloudFormation would in that stack. */
  resolve(role: StackRole, value: unknown): unknown {
    return resolveIntrinsics(value, this.policies[role].ctx);
  }

  /** The resolved properties of a resource. */
  properties(r: WorldResource): Record<string, unknown> {
    return (this.resolve(r.role, r.resource.Properties ?? {}) as Record<string, unknown>) ?? {};
  }

  /**
   * The physical ID CloudFormation reports for a resource (what Ref returns).
   * A type the resolver does not model gets an ID no service fake knows, so a
   * check that uses it fails rather than passing on a guess.
   */
  physicalId(role: StackRole, logicalId: string): string {
    try {
      return refOf(logicalId, this.policies[role].ctx);
    } catch {
      return `unmodelled-${logicalId}`;
    }
  }
}

/** A mocked client class (aws-sdk-client-mock's stub), restored after the test. */
export interface Restorable {
  restore(): void;
}

/** Every service fake: each answers its service's calls from the world's state. */
export type ServiceFake = (world: FakeWorld) => readonly Restorable[];

/** CloudFormation (stacks, their resources, their templates) and STS (the caller is the deployment's account). */
export const cloudFormationFake: ServiceFake = (world) => {
  const cfn = mockClient(CloudFormationClient);
  const byName = (name: string | undefined) => world.stacks.find((s) => s.stackName === name);
  const notFound = (name: string | undefined) => Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
  cfn.on(DescribeStacksCommand).callsFake(async (input: { StackName?: string }) => {
    const s = byName(input.StackName);
    if (!s) throw notFound(input.StackName);
    return { Stacks: [{ StackName: s.stackName, StackStatus: world.stackStatus.get(s.stackName), CreationTime: new Date('2026-11-01T00:00:00Z') }] };
  });
  cfn.on(ListStackResourcesCommand).callsFake(async (input: { StackName?: string }) => {
    const s = byName(input.StackName);
    if (!s) throw notFound(input.StackName);
    const summaries: StackResourceSummary[] = Object.entries(s.template.Resources ?? {})
      .filter(([id]) => !world.missing.has(id))
      .map(([id, r]) => ({
        LogicalResourceId: id,
        PhysicalResourceId: world.physicalId(s.role, id),
        ResourceType: r.Type,
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date('2026-11-01T00:00:00Z'),
      }));
    return { StackResourceSummaries: summaries };
  });
  cfn.on(GetTemplateCommand).callsFake(async (input: { StackName?: string }) => {
    const s = byName(input.StackName);
    if (!s) throw notFound(input.StackName);
    const deployed = (world.state.deployedTemplates as Map<string, unknown> | undefined)?.get(s.stackName) ?? s.template;
    return { TemplateBody: JSON.stringify(deployed) };
  });
  const sts = mockClient(STSClient);
  sts.on(GetCallerIdentityCommand).resolves({ Account: world.account, Arn: `arn:aws:iam::${world.account}:role/deployer`, UserId: 'AROAEXAMPLE:deployer' });
  return [cfn, sts];
};
