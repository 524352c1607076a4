import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import { synthesizeWithGate, type BuiltApp, type GatePassed } from '../../lib/app';
import { buildForTest } from './build';
import { CONFIG_DIR, NOW, REPO_ROOT } from './config-fixture';

/**
 * Fixture clients beside config/clients/example, each a topology a real user
 * deploys (see their client.yaml):
 *   east          main region us-east-1 (= the edge region), NAT gateway, custom domain
 *   acme, globex  more clients in example's account and region (several clients in one account)
 */
export const TOPOLOGY_FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'topologies', 'clients');
export const TOPOLOGY_CLIENTS = ['acme', 'east', 'example', 'globex'] as const;

/** One fixture client's files, as configFixture takes them (`clients/<client>/...` -> content). */
export function topologyClientFiles(client: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(TOPOLOGY_FIXTURES, full).split(path.sep).join('/').replace(/^/, 'clients/')] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(path.join(TOPOLOGY_FIXTURES, client));
  return files;
}

/** A config folder: the repo's config/ plus the fixture clients. Returns the config folder itself. */
export function topologyConfigDir(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-topologies-'));
  const configDir = path.join(root, 'config');
  fs.cpSync(CONFIG_DIR, configDir, { recursive: true });
  for (const client of fs.readdirSync(TOPOLOGY_FIXTURES)) {
    fs.cpSync(path.join(TOPOLOGY_FIXTURES, client), path.join(configDir, 'clients', client), { recursive: true });
  }
  return configDir;
}

export interface SynthesizedStack {
  readonly stack: Stack;
  /** The synthesized template. */
  readonly template: Record<string, unknown>;
  readonly account: string;
  readonly region: string;
}

export interface Topologies {
  readonly configDir: string;
  readonly built: BuiltApp;
  readonly passed: GatePassed;
  /** Every stack of every client x environment, with its template and concrete account and region. */
  readonly stacks: readonly SynthesizedStack[];
}

let cached: Topologies | undefined;

/**
 * Builds and synthesizes (with the gate) every client x environment of every
 * topology, once per test process. Throws GateError when the gate fails.
 */
export function topologies(): Topologies {
  if (cached) return cached;
  const configDir = topologyConfigDir();
  const built = buildForTest({ client: 'all' }, configDir, path.dirname(configDir));
  const passed = synthesizeWithGate(built, NOW);
  const stacks = built.deployments.flatMap(({ stage }) =>
    [stage.core, stage.network, stage.gateway, stage.edge, stage.spend].map((stack) => ({
      stack,
      template: Template.fromStack(stack).toJSON() as Record<string, unknown>,
      account: stack.account,
      region: stack.region,
    })),
  );
  cached = { configDir, built, passed, stacks };
  return cached;
}
