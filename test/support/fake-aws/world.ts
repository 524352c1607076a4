import * as fs from 'fs';
import * as path from 'path';
import type { ManifestSecret, SecretsManifest } from '../../../lib/secrets/secrets-manifest';
import { bundleFetchSecrets } from '../../../lib/bundling/host-programs';
import { tempDir } from '../../host/support/host-tools';
import { runAsync, type RunResult } from '../../host-runtime/support/runtime-tools';
import { pseudoRandom } from '../pseudo-random';
import { startFakeCloudWatch, type FakeCloudWatch } from './cloudwatch';
import { fakeRoleCredentials, startFakeImds, type FakeImds } from './imds';
import { startFakeSecretsManager, type FakeSecretsManager } from './secrets-manager';
import type { FakeCredentials } from './sigv4';

/** The three loopback fakes the retrieval program talks to, sharing one set of role credentials. */
export interface FakeAws {
  readonly credentials: FakeCredentials;
  readonly imds: FakeImds;
  readonly sm: FakeSecretsManager;
  readonly cw: FakeCloudWatch;
  /** Environment of a child run: the SDK pointed at the fakes, no profile or environment credentials. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Healthy IMDS, no injected errors, nothing recorded. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the fakes; `home` is an empty folder used as HOME (no ~/.aws of this machine). */
export async function startFakeAws(seed: number, home: string): Promise<FakeAws> {
  const credentials = fakeRoleCredentials(seed);
  const [imds, sm, cw] = await Promise.all([startFakeImds(credentials), startFakeSecretsManager(credentials), startFakeCloudWatch(credentials)]);
  return {
    credentials,
    imds,
    sm,
    cw,
    env: (extra = {}) => ({
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      AWS_CONFIG_FILE: path.join(home, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-aws-credentials'),
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: cw.endpoint,
      ...extra,
    }),
    reset() {
      imds.reset();
      sm.reset();
      cw.reset();
    },
    close: async () => {
      await Promise.all([imds.close(), sm.close(), cw.close()]);
    },
  };
}

/** Writes the bundled program (bundleFetchSecrets) to `<dir>/fetch-secrets.js`. */
export function writeProgram(dir: string): string {
  const file = path.join(dir, 'fetch-secrets.js');
  fs.writeFileSync(file, bundleFetchSecrets(), { mode: 0o644 });
  return file;
}

/** Runs the program with this machine's node (non-blocking, killed after timeoutMs). */
export function runProgram(program: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<RunResult> {
  return runAsync(process.execPath, [program, ...args], { env, timeoutMs });
}

/** The values stored for one secret, per stage. */
export interface StoredValues {
  readonly current: string;
  readonly pending?: string;
  readonly previous?: string;
}

/** A JSON document holding a fake non-empty string at every pointer. */
export function documentWith(pointers: readonly string[], seed: number): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  pointers.forEach((pointer, i) => {
    const keys = pointer.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node = doc;
    for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
    node[keys.at(-1)!] = `test-${keys.join('-')}-${pseudoRandom(20, seed + i)}`;
  });
  return doc;
}

/** An origin-verify value of the accepted alphabet (40 characters). */
export const originValue = (seed: number) => `test-origin-${pseudoRandom(28, seed)}`;

/**
 * Stores fake values for every secret of the manifest in the fake Secrets
 * Manager (origin-verify with AWSCURRENT, and AWSPENDING/AWSPREVIOUS when
 * `rotation`), and returns them by secret id.
 */
export function storeSecrets(sm: FakeSecretsManager, manifest: SecretsManifest, seed: number, rotation = true): Map<string, StoredValues> {
  const stored = new Map<string, StoredValues>();
  manifest.secrets.forEach((s: ManifestSecret, i) => {
    const base = seed + 1000 * (i + 1);
    let values: StoredValues;
    if (s.kind === 'text') values = { current: `test-gateway-token-${pseudoRandom(40, base)}` };
    else if (s.kind === 'json') values = { current: JSON.stringify(documentWith(s.requiredPointers, base)) };
    else values = rotation ? { current: originValue(base), pending: originValue(base + 1), previous: originValue(base + 2) } : { current: originValue(base) };
    sm.put(s.secretId, {
      region: s.region,
      stages: { AWSCURRENT: values.current, ...(values.pending ? { AWSPENDING: values.pending } : {}), ...(values.previous ? { AWSPREVIOUS: values.previous } : {}) },
    });
    stored.set(s.id, values);
  });
  return stored;
}

/**
 * A manifest like `base` but with `agents` json secrets (agent-01 ...), each
 * requiring a provider key and a bot token: the shape of a larger deployment.
 */
export function manifestWithAgents(base: SecretsManifest, agents: number, secretsDir: string): SecretsManifest {
  const template = base.secrets.find((s) => s.kind === 'json');
  if (!template || template.kind !== 'json') throw new Error('the base manifest has no agent secret');
  const prefix = template.secretId.slice(0, template.secretId.lastIndexOf('/'));
  const generated: ManifestSecret[] = Array.from({ length: agents }, (_, i) => {
    const agent = `a${String(i + 1).padStart(2, '0')}`;
    return {
      ...template,
      id: `agent-${agent}`,
      secretId: `${prefix}/${agent}`,
      file: path.join(secretsDir, `agent-${agent}.json`),
      requiredPointers: ['/anthropic/apiKey', '/telegram/botToken'],
      fillCommand: template.fillCommand.replace(/--agent \S+$/, `--agent ${agent}`),
    };
  });
  return { ...base, secrets: [...base.secrets.filter((s) => s.kind !== 'json'), ...generated].sort((a, b) => order(a) - order(b)) };
}

const order = (s: ManifestSecret) => (s.kind === 'text' ? 0 : s.kind === 'json' ? 1 : 2);

/** Writes the manifest as the bundle installs it and returns its path. */
export function writeManifest(dir: string, manifest: SecretsManifest, name = 'secrets-manifest.json'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return file;
}

/** The fakes of a test file that runs a host program inside the jest process, and the file's temp folder. */
export interface InProcessWorld {
  readonly aws: FakeAws;
  readonly root: string;
}

/**
 * Registers the test file's hooks: the fakes start before all tests, in a fresh temp folder with an
 * empty HOME; each test gets a process.env with the fakes' AWS_* endpoints only (no config or
 * credentials of this machine, the rest of the environment kept); afterwards everything is stopped,
 * removed and restored. The returned object is filled in by beforeAll.
 */
export function useInProcessFakeAws(seed: number, prefix: string): InProcessWorld {
  const world = {} as { aws: FakeAws; root: string };
  const original = { ...process.env };
  beforeAll(async () => {
    world.root = tempDir(prefix);
    fs.mkdirSync(path.join(world.root, 'home'));
    world.aws = await startFakeAws(seed, path.join(world.root, 'home'));
  });
  afterAll(async () => {
    process.env = original;
    await world.aws?.close();
    if (world.root) fs.rmSync(world.root, { recursive: true, force: true });
  });
  beforeEach(() => {
    world.aws.reset();
    const env: NodeJS.ProcessEnv = { ...world.aws.env() };
    for (const k of Object.keys(original)) if (!k.startsWith('AWS_')) env[k] ??= original[k];
    process.env = env;
  });
  return world;
}
