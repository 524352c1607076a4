import * as fs from 'fs';
import * as path from 'path';
import { renderSecretsManifest, type SecretsManifest } from '../../../lib/secrets/secrets-manifest';
import { exampleConfig, tempDir } from '../../host/support/host-tools';
import type { RunResult } from '../../host-runtime/support/runtime-tools';
import { runProgram, startFakeAws, storeSecrets, writeManifest, writeProgram, type FakeAws, type StoredValues } from './world';

const asRoot = process.getuid?.() === 0;
const self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
/**
 * The owners of the example's gateway users in the tests' passwd file: other users when root (to see
 * each chown, two different ones), else oneself (a non-root run cannot chown).
 */
export const OWNERS: Readonly<Record<string, { uid: number; gid: number }>> = {
  'openclaw-ops': asRoot ? { uid: 1234, gid: 2345 } : self,
  'openclaw-support': asRoot ? { uid: 1235, gid: 2346 } : self,
};
/** The owner of the ops gateway's files (the first gateway). */
export const OWNER = OWNERS['openclaw-ops']!;

/** A passwd file holding the gateway users of OWNERS (and root), in `dir`; returns its path. */
export function writePasswd(dir: string): string {
  const file = path.join(dir, 'passwd');
  const lines = ['root:x:0:0:root:/root:/bin/bash', ...Object.entries(OWNERS).map(([user, o]) => `${user}:x:${o.uid}:${o.gid}::/:/sbin/nologin`)];
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Fresh output folders and the manifest pointing at them, with the values stored in the fake. */
export interface Target {
  readonly dir: string;
  readonly secretsDir: string;
  readonly nginxDir: string;
  readonly originMap: string;
  readonly manifest: SecretsManifest;
  readonly manifestPath: string;
  /** The passwd file the program looks the gateway users up in (writePasswd). */
  readonly passwd: string;
  /** Values in the fake Secrets Manager, by secret id. */
  readonly stored: Map<string, StoredValues>;
  /** Names of every file in the two output folders and the gateways' folders (temp files included), sorted. */
  written(): string[];
}

/** A run of the program: its result plus stdout and stderr split in lines. */
export type Run = RunResult & { readonly out: string[]; readonly err: string[] };

/** The example deployment (client example, env dev), the three fakes and the bundled program. */
export interface FetchSecretsSuite {
  readonly aws: FakeAws;
  readonly program: string;
  readonly root: string;
  target(options?: { rotation?: boolean; manifest?: (m: SecretsManifest) => SecretsManifest }): Target;
  run(target: Target, args?: readonly string[], env?: Record<string, string>): Promise<Run>;
  close(): Promise<void>;
}

/** Fresh output folders in `dir`, the example/dev manifest pointing at them, and its values stored in the fake Secrets Manager. */
export function makeTarget(aws: FakeAws, dir: string, seed: number, options: { rotation?: boolean; manifest?: (m: SecretsManifest) => SecretsManifest } = {}): Target {
  const secretsDir = path.join(dir, 'secrets');
  const nginxDir = path.join(dir, 'nginx');
  fs.mkdirSync(secretsDir, { recursive: true });
  fs.mkdirSync(nginxDir, { recursive: true });
  const originMap = path.join(nginxDir, 'origin-verify.map.conf');
  const base = renderSecretsManifest(exampleConfig('dev'), { secretsDir, originVerifyMap: originMap });
  const manifest = options.manifest ? options.manifest(base) : base;
  const stored = storeSecrets(aws.sm, manifest, seed, options.rotation ?? true);
  const list = (d: string, rel = path.basename(d)): string[] =>
    fs.existsSync(d) ? fs.readdirSync(d).flatMap((f) => (fs.lstatSync(path.join(d, f)).isDirectory() ? list(path.join(d, f), path.join(rel, f)) : [path.join(rel, f)])) : [];
  return {
    dir,
    secretsDir,
    nginxDir,
    originMap,
    manifest,
    manifestPath: writeManifest(dir, manifest),
    passwd: writePasswd(dir),
    stored,
    written: () => [...list(secretsDir), ...list(nginxDir)].sort(),
  };
}

/** Starts the fakes, writes the program; close() stops and removes everything. */
export async function startFetchSecretsSuite(seed: number): Promise<FetchSecretsSuite> {
  const root = tempDir('oc-fetch-secrets-');
  fs.mkdirSync(path.join(root, 'home'));
  const aws = await startFakeAws(seed, path.join(root, 'home'));
  const program = writeProgram(root);
  let n = 0;
  return {
    aws,
    program,
    root,
    target: (options = {}) => makeTarget(aws, path.join(root, `t${++n}`), seed, options),
    async run(target, args = [], env = {}) {
      const r = await runProgram(program, ['--manifest', target.manifestPath, '--passwd', target.passwd, ...args], aws.env(env));
      const lines = (s: string) => s.split('\n').filter(Boolean);
      return { ...r, out: lines(r.stdout), err: lines(r.stderr) };
    },
    async close() {
      await aws.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
