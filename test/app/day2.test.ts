/**
 * Day-2 safety: a deployment is deployed more than once. Each typical change is
 * applied to a temporary copy of the config, every deployment is synthesized
 * before and after, and the day-2 checker (test/support/day2.ts) compares
 * every stack's template with CDK's own diff library. A finding fails the
 * test: an export still imported that is removed or changes value, the
 * replacement of a named or retained resource, or a consumer in another stack
 * left pointing at a replaced resource because its template does not change.
 *
 * The templates come from each stage's synth (what the gate reads too), not
 * from synthesizeWithGate: the gate is tested elsewhere and would triple the
 * time. Run just this file: npx jest test/app/day2.test.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { listClients } from '../../lib/config/config-dir';
import { DEFAULT_RUNTIME_PACKAGE_DIR, useRuntimePackageDir } from '../../lib/openclaw/lockfile';
import { buildForTest } from '../support/build';
import { topologyClientFiles } from '../support/topologies';
import { configFixture } from '../support/config-fixture';
import { checkDay2Change, checkUnchanged, formatFindings, type SynthStack } from '../support/day2';

jest.setTimeout(180_000);

/**
 * The deployments checked: a client (its folder under config/clients/, or
 * `all`) synthesized for every environment, with optional extra config files
 * (path -> text, relative to config/) for other topologies (another main
 * region, NAT gateway, several clients in one account). With `all`, the
 * changes edit the first client (by name) and every client is compared.
 */
export interface Day2Topology {
  readonly name: string;
  readonly client: string;
  readonly files?: Readonly<Record<string, string>>;
}

export const DAY2_TOPOLOGIES: readonly Day2Topology[] = [
  { name: 'example (dev, staging, prod)', client: 'example' },
  // us-east-1 as the main region (edge and main stacks in one region), NAT gateway, custom domain.
  { name: 'east (us-east-1 main region, NAT gateway, custom domain)', client: 'east', files: topologyClientFiles('east') },
];

/** One synthesized deployment (client x environment) and its stacks. */
interface SynthDeployment {
  readonly id: string;
  readonly stacks: readonly SynthStack[];
}

function synthesize(configRoot: string, client: string): SynthDeployment[] {
  const built = buildForTest({ client, env: 'all' }, path.join(configRoot, 'config'), configRoot);
  return built.deployments.map(({ config, stage }) => ({
    id: `${config.client}-${config.env}`,
    stacks: stage.synth().stacks.map((s) => ({ stackName: s.stackName, region: s.environment.region, account: s.environment.account, template: s.template })),
  }));
}

const allStacks = (ds: readonly SynthDeployment[]) => ds.flatMap((d) => d.stacks);

/** Edits a YAML file of the config copy in place (comments kept). */
function editYaml(configRoot: string, rel: string, edit: (doc: ReturnType<typeof parseDocument>) => void): void {
  const file = path.join(configRoot, 'config', rel);
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  edit(doc);
  fs.writeFileSync(file, String(doc));
}

const clientYaml = (client: string) => `clients/${client}/client.yaml`;

/** The client's agent ids as its client.yaml lists them. */
function agentIds(configRoot: string, client: string): string[] {
  const doc = parseDocument(fs.readFileSync(path.join(configRoot, 'config', clientYaml(client)), 'utf8'));
  const agents = doc.getIn(['openclaw', 'agents']) as { items?: { key: { value?: unknown } }[] } | undefined;
  return (agents?.items ?? []).map((i) => String(i.key.value)).sort();
}

/** Keys the AMI change needs: config/schema.json is generated from the zod schema. */
/** A bumped version: the patch number + 1. */
const bump = (v: string) => v.replace(/(\d+)$/, (n) => String(Number(n) + 1));

interface Day2Change {
  readonly name: string;
  /** Applies the change to the config copy (and may return a runtime package folder to use). */
  readonly apply: (configRoot: string, client: string) => { runtimeDir?: string; addedClient?: string } | void;
}

/** Another well-formed AMI ID than any config pins (nothing is launched in tests). */
const NEW_AMI_ID = 'ami-0aaaaaaaaaaaaaaa1';

const CHANGES: readonly Day2Change[] = [
  {
    name: 'an agent file edit (AGENTS.md)',
    apply: (root, client) => {
      const agent = agentIds(root, client)[0]!;
      fs.appendFileSync(path.join(root, 'config', 'clients', client, 'agents', agent, 'AGENTS.md'), '\nAlso report the free memory in every status report.\n');
    },
  },
  {
    name: 'an openclaw.json setting (an agent description)',
    apply: (root, client) => {
      const agent = agentIds(root, client)[0]!;
      editYaml(root, clientYaml(client), (doc) => doc.setIn(['openclaw', 'agents', agent, 'description'], 'Reports the health of the gateway host (day-2 edit).'));
    },
  },
  {
    name: 'an OpenClaw version bump (openclaw.version and host/openclaw/package-lock.json together)',
    apply: (root) => {
      const runtimeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-runtime-'));
      const pkg = JSON.parse(fs.readFileSync(path.join(DEFAULT_RUNTIME_PACKAGE_DIR, 'package.json'), 'utf8'));
      const lock = JSON.parse(fs.readFileSync(path.join(DEFAULT_RUNTIME_PACKAGE_DIR, 'package-lock.json'), 'utf8'));
      const next = bump(pkg.dependencies.openclaw);
      pkg.version = next;
      pkg.dependencies.openclaw = next;
      lock.version = next;
      lock.packages[''].version = next;
      lock.packages[''].dependencies.openclaw = next;
      lock.packages['node_modules/openclaw'].version = next;
      fs.writeFileSync(path.join(runtimeDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
      fs.writeFileSync(path.join(runtimeDir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
      editYaml(root, 'base.yaml', (doc) => doc.setIn(['openclaw', 'version'], next));
      return { runtimeDir };
    },
  },
  {
    name: 'a new AMI ID (instance.amiId, network.natAmiId)',
    apply: (root, client) =>
      editYaml(root, clientYaml(client), (doc) => {
        doc.setIn(['instance', 'amiId'], NEW_AMI_ID);
        if (doc.getIn(['network', 'natMode']) !== 'gateway') doc.setIn(['network', 'natAmiId'], NEW_AMI_ID);
      }),
  },
  {
    name: 'an added allowed origin (edge.allowedOrigins)',
    apply: (root, client) => {
      const current = (path: string) => parseDocument(fs.readFileSync(path, 'utf8')).toJS()?.edge?.allowedOrigins as string[] | undefined;
      const origins = current(path.join(root, 'config', clientYaml(client))) ?? current(path.join(root, 'config', 'base.yaml')) ?? [];
      editYaml(root, clientYaml(client), (doc) => doc.setIn(['edge', 'allowedOrigins'], [...origins, 'https://day2.example.com']));
    },
  },
  {
    name: 'an added agent (with its SOUL.md and AGENTS.md)',
    apply: (root, client) => {
      const dir = path.join(root, 'config', 'clients', client, 'agents', 'day2');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'SOUL.md'), '# Day-2\n\nA careful assistant added after the first deploy.\n');
      fs.writeFileSync(path.join(dir, 'AGENTS.md'), '# Day-2\n\nSummarize what operators ask; change nothing.\n');
      editYaml(root, clientYaml(client), (doc) =>
        doc.setIn(['openclaw', 'agents', 'day2'], { description: 'Summarizes operator questions; added on day 2.', provider: 'anthropic', model: 'claude-sonnet-4-6' }),
      );
    },
  },
  {
    name: 'an added client (a second client in the same account and region)',
    apply: (root, client) => {
      const addedClient = `${client}-day2`;
      fs.cpSync(path.join(root, 'config', 'clients', client), path.join(root, 'config', 'clients', addedClient), { recursive: true });
      return { addedClient };
    },
  },
];

describe.each(DAY2_TOPOLOGIES)('day-2 changes: $name', (topology) => {
  let before: SynthDeployment[];

  beforeAll(() => {
    before = synthesize(configFixture({ ...topology.files }), topology.client);
  });

  for (const change of CHANGES) {
    const title = `${change.name}: no export in use changes, no named or retained resource is replaced, no consumer is left on a replaced resource`;
    test(title, () => {
      const root = configFixture({ ...topology.files });
      const target = topology.client === 'all' ? listClients(path.join(root, 'config'))[0]! : topology.client;
      const applied = change.apply(root, target) ?? {};
      let after: SynthDeployment[];
      try {
        if (applied.runtimeDir) useRuntimePackageDir(applied.runtimeDir);
        after = synthesize(root, topology.client);
        if (applied.addedClient && topology.client !== 'all') after = [...after, ...synthesize(root, applied.addedClient)];
      } finally {
        useRuntimePackageDir(undefined);
      }

      const afterIds = new Set(after.map((d) => d.id));
      expect(before.every((d) => afterIds.has(d.id))).toBe(true);
      if (applied.addedClient) {
        // The new client's deployments exist, and the existing client's templates do not change at all.
        expect(after.filter((d) => d.id.startsWith(`${applied.addedClient}-`)).map((d) => d.id).sort()).toEqual(
          before.filter((d) => d.id.startsWith(`${target}-`)).map((d) => `${applied.addedClient}-${d.id.slice(target.length + 1)}`).sort(),
        );
        expect(formatFindings(checkUnchanged(allStacks(before), allStacks(after)))).toBe('');
      } else {
        // The change reaches every deployment of the edited client (otherwise this test would check nothing).
        const unchanged = before.filter((d) => d.id.startsWith(`${target}-`) && checkUnchanged(d.stacks, allStacks(after)).length === 0).map((d) => d.id);
        expect(unchanged).toEqual([]);
      }
      expect(formatFindings(checkDay2Change(allStacks(before), allStacks(after)))).toBe('');
    });
  }
});
